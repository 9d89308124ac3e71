// Benchmark runs in the app: the New run dialog checks the config against the open screen and names the problem
// inline (Start only for a run that can start); a run started from the window progresses in the run panel without
// blocking the window, writes its report, and a canceled run resumes from the panel's Resume button.
#include "MainWindow.h"
#include "RunDialog.h"
#include "RunPanel.h"
#include "TestSupport.h"

#include "screen/ScreenOpener.h"

#include <QFileInfo>
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
        m_phantom = m_dir.filePath(QStringLiteral("phantom"));
        QString out, err;
        QCOMPARE(test::runCli({QStringLiteral("phantom"), QStringLiteral("--out"), m_phantom, QStringLiteral("--plates"), QStringLiteral("1"),
                               QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--size"), QStringLiteral("256"),
                               QStringLiteral("--seed"), QStringLiteral("6"), QStringLiteral("--quiet")},
                              &out, &err),
                 0);
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
};

QTEST_MAIN(TestRuns)
#include "tst_runs.moc"
