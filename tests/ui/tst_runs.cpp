// Benchmark runs in the app: the New run dialog checks the config against the open screen and names the problem
// inline (Start only for a run that can start); a run started from the window progresses in the run panel without
// blocking the window, writes its report, and a canceled run resumes from the panel's Resume button.
#include "MainWindow.h"
#include "RunDialog.h"
#include "RunPanel.h"
#include "PlotView.h"
#include "RunResultsView.h"
#include "TestSupport.h"

#include "screen/ScreenOpener.h"

#include <QElapsedTimer>
#include <QFileInfo>
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
};

QTEST_MAIN(TestRuns)
#include "tst_runs.moc"
