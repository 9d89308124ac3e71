// cprecon: the CellPaint Recon desktop application.
#include "InspectorView.h"
#include "MainWindow.h"
#include "RunResultsView.h"
#include "TileGallery.h"

#include <QTabWidget>

#include <cstdio>

#include "jobs/ComputeBudget.h"
#include "nets/TorchRuntime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("cprecon"));
    QApplication::setApplicationDisplayName(QStringLiteral("CellPaint Recon"));
    QApplication::setApplicationVersion(QStringLiteral(CPRECON_VERSION));
    QApplication::setOrganizationName(QStringLiteral("CellPaintRecon"));

    // One compute budget for the process (all cores), set once here for the project's pool, OpenCV, OpenBLAS and
    // LibTorch (Debian's LibTorch starts with one intra-op thread).
    cprecon::compute::configure(0);
    cprecon::torchrt::followComputeBudget();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("CellPaint Recon: does an autoencoder keep the biology?"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("screen"), QStringLiteral("screen to open (folder, load_data CSV, sample sheet)"));
    QCommandLineOption shot(QStringLiteral("screenshot"),
                            QStringLiteral("save a PNG of the window once the screen and first site are shown, then quit "
                                           "(documentation and smoke tests)"),
                            QStringLiteral("file"));
    parser.addOption(shot);
    QCommandLineOption inspect(QStringLiteral("inspect"), QStringLiteral("open the reconstruction inspector with this model"),
                               QStringLiteral("model"));
    QCommandLineOption compare(QStringLiteral("compare"), QStringLiteral("second model for the inspector"),
                               QStringLiteral("model"));
    parser.addOption(inspect);
    parser.addOption(compare);
    QCommandLineOption plate(QStringLiteral("plate"), QStringLiteral("plate to show first"), QStringLiteral("barcode"));
    QCommandLineOption well(QStringLiteral("well"), QStringLiteral("well to show first"), QStringLiteral("well"));
    parser.addOption(plate);
    parser.addOption(well);
    QCommandLineOption runDir(QStringLiteral("run"), QStringLiteral("open a benchmark run's results (the folder cprecon-cli run --out or "
                                                                     "Benchmark ▸ New run… wrote)"),
                              QStringLiteral("folder"));
    QCommandLineOption view(QStringLiteral("results-view"),
                            QStringLiteral("with --run: the results view to show (pixel, fid, fr, activity, heatmap, scatter, tiles)"),
                            QStringLiteral("name"));
    parser.addOption(runDir);
    parser.addOption(view);
    parser.process(app);
    const QStringList views{QStringLiteral("pixel"), QStringLiteral("fid"), QStringLiteral("fr"), QStringLiteral("activity"),
                            QStringLiteral("heatmap"), QStringLiteral("scatter"), QStringLiteral("tiles")};
    if (parser.isSet(view) && !views.contains(parser.value(view))) {
        std::fprintf(stderr, "cprecon: unknown --results-view '%s': use one of %s\n", qPrintable(parser.value(view)),
                     qPrintable(views.join(QStringLiteral(", "))));
        return 2;
    }

    cprecon::ui::MainWindow w;
    w.show();
    if (parser.isSet(shot)) {
        const QString file = parser.value(shot);
        auto grab = [&w, file] {
            w.grab().save(file);
            QApplication::quit();
        };
        if (parser.isSet(runDir)) {
            w.resize(1600, 1000);
            // The results shown (the worst tiles once their thumbnails are computed).
            const bool tiles = parser.value(view) == QLatin1String("tiles");
            QObject::connect(w.resultsView(), &cprecon::ui::RunResultsView::loaded, &w, [grab, tiles] {
                if (!tiles) QTimer::singleShot(800, grab);
            });
            if (tiles) QObject::connect(w.resultsView()->gallery(), &cprecon::ui::TileGallery::ready, &w, [grab] { QTimer::singleShot(500, grab); });
            QObject::connect(w.resultsView(), &cprecon::ui::RunResultsView::loadFailed, &w, [grab] { QTimer::singleShot(200, grab); });
        } else if (parser.isSet(inspect))
            QObject::connect(w.inspector(), &cprecon::ui::InspectorView::reconstructionShown, &w, [grab, &w] {
                if (!w.inspector()->isRunning()) QTimer::singleShot(800, grab);
            });
        else
            QObject::connect(&w, &cprecon::ui::MainWindow::siteShown, &w, [grab] { QTimer::singleShot(800, grab); });
        QObject::connect(&w, &cprecon::ui::MainWindow::loadFailed, &w, [grab] { QTimer::singleShot(200, grab); });
        QTimer::singleShot(120000, &app, grab); // never hang a script
    }
    if (parser.isSet(inspect)) {
        w.inspector()->setModel(parser.value(inspect));
        if (parser.isSet(compare)) w.inspector()->setCompareModel(parser.value(compare));
        w.showInspector(true);
    }
    if (parser.isSet(plate) || parser.isSet(well)) {
        const QString p = parser.value(plate), wl = parser.value(well);
        QObject::connect(&w, &cprecon::ui::MainWindow::screenLoaded, &w, [&w, p, wl] {
            if (!p.isEmpty()) w.selectPlate(p);
            if (!wl.isEmpty()) w.selectWell(wl);
        });
    }
    if (!parser.positionalArguments().isEmpty()) w.openScreen(parser.positionalArguments().first());
    if (parser.isSet(runDir)) {
        w.openRun(parser.value(runDir));
        if (parser.isSet(view)) {
            const int tab = int(views.indexOf(parser.value(view)));
            // After the run's saved layout is restored (on load), the command line wins.
            QObject::connect(w.resultsView(), &cprecon::ui::RunResultsView::loaded, &w, [&w, tab] { w.resultsView()->tabs()->setCurrentIndex(tab); },
                             Qt::SingleShotConnection);
        }
    }
    return app.exec();
}
