// Benchmark runs in the app: the New run dialog checks the config against the open screen and names the problem
// inline (Start only for a run that can start); a run started from the window progresses in the run panel without
// blocking the window, writes its report, and a canceled run resumes from the panel's Resume button.
#include "MainWindow.h"
#include "RunDialog.h"
#include "RunPanel.h"
#include "PlotView.h"
#include "RunResultsView.h"
#include "TileGallery.h"
#include "InspectorView.h"
#include "FrTableModel.h"
#include "TestSupport.h"

#include "screen/ScreenOpener.h"

#include <QElapsedTimer>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QToolButton>
#include <QComboBox>
#include <QTabWidget>
#include <QTimer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace cprecon;
using namespace cprecon::ui;

class TestRuns : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_phantom;
    std::shared_ptr<const Screen> m_screen;

private Q_SLOTS:
    void initTestCase()
    {
        // Weight discovery looks only here: no checkpoint is found, whatever this machine has downloaded.
        QStandardPaths::setTestModeEnabled(true);
        for (const char *v : {"HF_HOME", "HF_HUB_CACHE", "TORCH_HOME", "CPRECON_MODELS", "XDG_CACHE_HOME"})
            qputenv(v, m_dir.filePath(QStringLiteral("empty")).toUtf8());
        m_phantom = test::writePhantom(m_dir.path());
        QVERIFY(!m_phantom.isEmpty());
        m_screen = std::make_shared<const Screen>(openScreen(m_phantom));
    }

    void dialogNamesWhatStopsARun()
    {
        RunDialog d(m_screen, {});
        QVERIFY(!d.canStart());
        QVERIFY2(d.problems().contains(QStringLiteral("models")), qPrintable(d.problems())); // nothing chosen yet
        d.setModelChecked(QStringLiteral("bicubic8"), true);
        d.setOutputFolder(m_dir.filePath(QStringLiteral("dialog-run")));
        d.setExtractorChecked(QStringLiteral("inception"), true);
        d.recheck();
        QVERIFY(!d.canStart());
        QVERIFY2(d.problems().contains(QStringLiteral("inception")) && d.problems().contains(QStringLiteral("not on this machine")),
                 qPrintable(d.problems()));
        d.setExtractorChecked(QStringLiteral("inception"), false);
        d.setRepeats(1);
        d.setNullSize(500);
        d.recheck();
        QVERIFY2(d.canStart(), qPrintable(d.problems()));
        QVERIFY2(d.problems().contains(QStringLiteral("< 2048")), qPrintable(d.problems())); // a warning, not a stop
        if (const QString shots = qEnvironmentVariable("CPRECON_SCREENSHOTS"); !shots.isEmpty()) { // scripts/screenshots.sh
            d.show();
            QTest::qWait(300);
            d.grab().save(shots + QStringLiteral("/run-dialog.png"));
        }
        const run::RunConfig c = d.config();
        QCOMPARE(c.models, QStringList{QStringLiteral("bicubic8")});
        QCOMPARE(int(c.extractors.size()), 1);
        QCOMPARE(c.extractors.front().name, std::string("handcrafted"));
        QCOMPARE(c.screens, QStringList{m_screen->source});
    }

    void runFromTheWindowCancelAndResume()
    {
        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        w.openScreen(m_phantom);
        QVERIFY(loaded.wait(60000));

        RunDialog d(w.screen(), {});
        d.setModelChecked(QStringLiteral("bicubic8"), true);
        d.setRepeats(1);
        d.setNullSize(500);
        d.setOutputFolder(m_dir.filePath(QStringLiteral("window-run")));
        d.recheck();
        QVERIFY2(d.canStart(), qPrintable(d.problems()));
        const run::RunRequest request = d.request();

        // Cancel once some sites are stored.
        QVERIFY(w.startRun(request));
        QVERIFY(w.isRunning());
        QVERIFY(!w.startRun(request)); // one run at a time
        RunPanel *panel = w.runPanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->progressBar()->value() > 100, 60000);
        QVERIFY(panel->cancelButton()->isEnabled());
        panel->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 60000);
        QVERIFY2(panel->statusText().contains(QStringLiteral("Interrupted")), qPrintable(panel->statusText()));
        QVERIFY(panel->progressBar()->value() < 1000);
        QVERIFY(panel->resumeButton()->isEnabled());

        // Resume from the panel: the run finishes and writes its report.
        QSignalSpy report(panel, &RunPanel::reportReady);
        panel->resumeButton()->click();
        QVERIFY(w.isRunning());
        QVERIFY(report.wait(120000));
        QCOMPARE(panel->progressBar()->value(), 1000);
        const QString folder = report.first().first().toString();
        for (const char *f : {"fr_table.md", "box_mae.csv", "tile_metrics.csv", "report.json"})
            QVERIFY2(QFileInfo::exists(folder + QLatin1Char('/') + QLatin1String(f)), f);
    }

    // A whole run from the window: partial results appear while it runs, Pause holds it (nothing progresses, the
    // window stays live), Continue finishes it — and the window's event loop never stalls 50 ms or more meanwhile.
    void pauseContinueAndTheWindowNeverStalls()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        w.setResultsRefreshInterval(1500);
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        w.openScreen(m_phantom);
        QVERIFY(loaded.wait(60000));
        RunDialog d(w.screen(), {});
        d.setModelChecked(QStringLiteral("bicubic8"), true);
        d.setRepeats(1);
        d.setNullSize(500);
        d.setOutputFolder(m_dir.filePath(QStringLiteral("paused-run")));
        d.recheck();
        QVERIFY2(d.canStart(), qPrintable(d.problems()));

        // The longest gap between 5 ms ticks of the window's event loop, over the whole run.
        test::LoopGapMeter gaps;
        gaps.start();

        QVERIFY(w.startRun(d.request()));
        RunPanel *panel = w.runPanel();
        // Partial results: the results views show the run while it is still writing.
        QTRY_VERIFY_WITH_TIMEOUT(w.resultsView()->results() && w.resultsView()->results()->storedUnits > 0 && w.isRunning(), 60000);
        QVERIFY(w.resultsView()->results()->storedUnits < 96 * 2);
        w.resultsView()->tabs()->setCurrentIndex(RunResultsView::PixelMetrics);
        QVERIFY(!w.resultsView()->boxPlot()->figure().empty);

        QVERIFY(panel->pauseButton()->isEnabled());
        panel->pauseButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(panel->statusText().startsWith(QStringLiteral("Paused")), 30000);
        const int held = panel->progressBar()->value();
        QTest::qWait(1500);
        if (const QString shots = qEnvironmentVariable("CPRECON_SCREENSHOTS"); !shots.isEmpty()) { // scripts/screenshots.sh
            w.grab().save(shots + QStringLiteral("/run-progress.png"));
            gaps.skip(); // the grab is the test's, not the window's
        }
        QCOMPARE(panel->progressBar()->value(), held); // nothing computed while paused
        QVERIFY(w.isRunning());
        panel->pauseButton()->click(); // Continue
        QSignalSpy report(panel, &RunPanel::reportReady);
        QVERIFY(report.wait(120000));
        QCOMPARE(panel->progressBar()->value(), 1000);
        // The finished run's results replace the partial ones.
        QTRY_VERIFY2_WITH_TIMEOUT(w.resultsView()->results() && w.resultsView()->results()->storedUnits == 96 * 2,
                                  qPrintable(w.resultsView()->statusText()), 60000);
        gaps.stop();
        qInfo("longest event-loop gap of the window during the run: %lld ms", gaps.longestMs());
        QVERIFY2(gaps.longestMs() < 50, qPrintable(QStringLiteral("%1 ms").arg(gaps.longestMs())));
    }

    // What a new user does first (README's workflow): the bundled sample (phantom plate + real CPJUMP1, JUMP and
    // BBBC022 sites), Benchmark ▸ New run… with a baseline, the run to its end, every results view filled, a click
    // through to the inspector, and Export all figures.
    void bundledSampleFromNewRunToExportedFigures()
    {
        // A copy of resources/sample with its phantom plate written as scripts/run.sh writes it.
        const QString sample = m_dir.filePath(QStringLiteral("sample"));
        QVERIFY(QDir().mkpath(sample));
        for (const QString &entry : QDir(test::sourceDir() + QStringLiteral("/resources/sample")).entryList(QDir::AllDirs | QDir::Files | QDir::NoDotAndDotDot)) {
            if (entry == QLatin1String("phantom")) continue;
            QVERIFY(QProcess::execute(QStringLiteral("cp"), {QStringLiteral("-r"), test::sourceDir() + QStringLiteral("/resources/sample/") + entry, sample}) == 0);
        }
        QString out, err;
        QCOMPARE(test::runCli({QStringLiteral("phantom"), QStringLiteral("--out"), sample + QStringLiteral("/phantom"), QStringLiteral("--plates"),
                               QStringLiteral("1"), QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--sites"), QStringLiteral("1"),
                               QStringLiteral("--size"), QStringLiteral("256"), QStringLiteral("--seed"), QStringLiteral("1"), QStringLiteral("--quiet")},
                              &out, &err),
                 0);
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        w.openScreen(sample);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(w.screen()->plates.size(), 4);

        RunDialog d(w.screen(), {});
        d.setModelChecked(QStringLiteral("bicubic8"), true); // the defaults otherwise: handcrafted features, paper protocol
        d.setRepeats(1);
        d.setNullSize(2000);
        d.setOutputFolder(m_dir.filePath(QStringLiteral("sample-run")));
        d.recheck();
        QVERIFY2(d.canStart(), qPrintable(d.problems()));
        QVERIFY2(d.problems().contains(QStringLiteral("negative-control")) || d.problems().contains(QStringLiteral("negative control")),
                 qPrintable(d.problems())); // the real sites' datasets have no DMSO well: warned, not stopped
        QVERIFY(w.startRun(d.request()));
        QSignalSpy report(w.runPanel(), &RunPanel::reportReady);
        QVERIFY(report.wait(180000));
        RunResultsView *v = w.resultsView();
        QTRY_VERIFY_WITH_TIMEOUT(v->results() && !v->isLoading() && v->results()->storedUnits == 99 * 2, 60000);
        w.showResults();
        // Every view has data: three Cell Painting datasets of pixel metrics, FID, FR of the phantom's dataset,
        // activity, the heatmap of the phantom plate and the CPJUMP1 plate, the gallery.
        v->tabs()->setCurrentIndex(RunResultsView::PixelMetrics);
        QCOMPARE(int(v->boxPlot()->targets().size()), 3 * 5);
        v->tabs()->setCurrentIndex(RunResultsView::FidKld);
        QVERIFY(!v->fidPlot()->figure().empty);
        QCOMPARE(v->frModel()->columnCount(), 3 + 3);
        v->tabs()->setCurrentIndex(RunResultsView::Activity);
        QVERIFY(!v->activityPlot()->figure().empty);
        v->tabs()->setCurrentIndex(RunResultsView::Scatter);
        QVERIFY(!v->scatterPlot()->targets().empty());
        v->tabs()->setCurrentIndex(RunResultsView::Heatmap);
        QVERIFY(v->heatmapPlate()->count() >= 2);
        v->tabs()->setCurrentIndex(RunResultsView::WorstTiles);
        QTRY_VERIFY_WITH_TIMEOUT(!v->gallery()->isBusy() && !v->gallery()->tiles().empty(), 60000);
        QVERIFY(v->gallery()->tiles().front().error.isEmpty());
        // Click through: the worst tile in the inspector.
        const run::RankedTile worst = v->gallery()->tiles().front().tile;
        v->gallery()->tileButton(0)->click();
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->result() && !w.inspector()->isRunning() &&
                                     w.inspector()->state()->caption().well == QString::fromStdString(worst.key.well),
                                 60000);
        QTRY_COMPARE_WITH_TIMEOUT(w.inspector()->focusedTile(), QPoint(worst.tileCol, worst.tileRow), 10000);
        // Export all figures.
        QSignalSpy exported(v, &RunResultsView::exportAllFinished);
        plots::ExportOptions o;
        o.dpi = 72;
        v->exportAll(m_dir.filePath(QStringLiteral("sample-figures")), o);
        QVERIFY(exported.wait(120000));
        QVERIFY2(exported.first().first().toBool(), qPrintable(exported.first().last().toString()));
        for (const char *f : {"manifest.json", "box_mae.pdf", "fr_table.md", "heatmap_mae_bicubic8_BR00117010.svg"})
            QVERIFY2(QFileInfo::exists(m_dir.filePath(QStringLiteral("sample-figures/")) + QLatin1String(f)), f);
    }
};

QTEST_MAIN(TestRuns)
#include "tst_runs.moc"
