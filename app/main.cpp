// cprecon: the CellPaint Recon desktop application.
#include "InspectorView.h"
#include "MainWindow.h"
#include "ManPage.h"
#include "RunResultsView.h"
#include "TileGallery.h"

#include <QTabWidget>

#include <cstdio>
#include <cstring>

#include "jobs/ComputeBudget.h"
#include "jobs/HeapPolicy.h"
#include "nets/TorchRuntime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>

namespace {

// The command line, in one table: --help, the parser and the man page (--man) are generated from it.
struct GuiOptions {
    QCommandLineOption shot{QStringLiteral("screenshot"),
                            QStringLiteral("save a PNG of the window once the screen and first site (or the run's results) are shown, "
                                           "then quit (documentation and smoke tests)"),
                            QStringLiteral("file")};
    QCommandLineOption inspect{QStringLiteral("inspect"), QStringLiteral("open the reconstruction inspector with this model"), QStringLiteral("model")};
    QCommandLineOption compare{QStringLiteral("compare"), QStringLiteral("second model for the inspector"), QStringLiteral("model")};
    QCommandLineOption plate{QStringLiteral("plate"), QStringLiteral("plate to show first"), QStringLiteral("barcode")};
    QCommandLineOption well{QStringLiteral("well"), QStringLiteral("well to show first"), QStringLiteral("well")};
    QCommandLineOption runDir{QStringLiteral("run"),
                              QStringLiteral("open a benchmark run's results (the folder cprecon-cli run --out or Benchmark > New run... wrote)"),
                              QStringLiteral("folder")};
    QCommandLineOption view{QStringLiteral("results-view"),
                            QStringLiteral("with --run: the results view to show (pixel, fid, fr, activity, heatmap, scatter, tiles)"),
                            QStringLiteral("name")};
    QList<QCommandLineOption> all() const { return {shot, inspect, compare, plate, well, runDir, view}; }
};

const char *kSummary = "CellPaint Recon: does an autoencoder keep the biology in Cell Painting images?";
const char *kScreenHelp = "screen to open (folder, load_data CSV, sample sheet); without one, the bundled sample";

std::string manPage(const GuiOptions &o)
{
    namespace m = cprecon::man;
    std::string out = m::header("cprecon", CPRECON_VERSION, "CellPaint Recon, the desktop application");
    out += m::section("SYNOPSIS") + "\\fBcprecon\\fR [\\fIoptions\\fR] [\\fIscreen\\fR]\n";
    out += m::section("DESCRIPTION") +
           m::paragraph(QString::fromUtf8(kSummary) +
                        QStringLiteral(" Browse Cell Painting screens (plates, wells, sites, the five stains), inspect original | "
                                       "reconstruction | difference per stain, run the benchmark of Compressing Biology (arXiv "
                                       "2510.19887) from the Benchmark menu and explore and export its results. Headless "
                                       "counterpart: cprecon-cli(1)."));
    out += m::section("OPTIONS");
    for (const QCommandLineOption &opt : o.all()) out += m::option(opt.names(), opt.valueName(), opt.description());
    out += m::option({QStringLiteral("man")}, {}, QStringLiteral("print this man page"));
    out += m::option({QStringLiteral("h"), QStringLiteral("help")}, {}, QStringLiteral("the options"));
    out += m::option({QStringLiteral("v"), QStringLiteral("version")}, {}, QStringLiteral("the version"));
    out += m::section("ARGUMENTS") + m::option({}, QStringLiteral("screen"), QString::fromUtf8(kScreenHelp));
    out += m::section("FILES") + "/usr/share/cprecon/sample \\- the bundled sample screen (real Cell Painting sites, CC0).\n";
    out += m::section("SEE ALSO") + "\\fBcprecon\\-cli\\fR(1)\n";
    return out;
}

// The bundled sample: installed beside the program (<prefix>/share/cprecon/sample) or in the source tree.
QString bundledSample()
{
    const QDir bin(QCoreApplication::applicationDirPath());
    for (const QString &rel : {QStringLiteral("../share/cprecon/sample"), QStringLiteral("../../../resources/sample")})
        if (QFileInfo(bin.filePath(rel) + QStringLiteral("/README.md")).exists()) return QDir::cleanPath(bin.filePath(rel));
    return {};
}

} // namespace

int main(int argc, char **argv)
{
    cprecon::heap::keepFreedBlocksForReuse(); // before any thread exists (one arena)
    const GuiOptions options;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--man") == 0) { // before any window system is needed (the package build runs it)
            std::fputs(manPage(options).c_str(), stdout);
            return 0;
        }
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
    parser.setApplicationDescription(QString::fromUtf8(kSummary));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("screen"), QString::fromUtf8(kScreenHelp));
    parser.addOptions(options.all());
    parser.process(app);
    const QCommandLineOption &shot = options.shot, &inspect = options.inspect, &compare = options.compare, &plate = options.plate,
                             &well = options.well, &runDir = options.runDir, &view = options.view;
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
            // What was shown, for scripts (the package test checks that the installed app found its sample).
            std::printf("screenshot: %s (screen: %s)\n", qPrintable(file), w.screen() ? qPrintable(w.screen()->name) : "none");
            std::fflush(stdout);
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
    else if (!parser.isSet(runDir) && !bundledSample().isEmpty()) w.openScreen(bundledSample()); // the menu entry's start
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
