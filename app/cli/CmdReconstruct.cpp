// cprecon-cli reconstruct: the inspector's twin. One site through the model, writing per stain the original,
// reconstruction and difference images, the same figure the GUI exports, and metrics.csv.
#include "CliScreen.h"

#include "recon/ReconstructionReport.h"
#include "render/FigureExport.h"
#include "util/Error.h"

#include <QDir>

#include <iostream>

namespace cprecon::cli {

namespace {
int runReconstruct(const Args &a)
{
    if (a.positionals().size() != 1)
        throw Error("reconstruct takes exactly one screen PATH", "", "see cprecon-cli reconstruct --help");
    const QString plateName = a.require(QStringLiteral("plate"));
    const QString well = canonicalWell(a.require(QStringLiteral("well")));
    const int siteNumber = a.intValue(QStringLiteral("site"), 1);
    const QString outDir = a.require(QStringLiteral("out"));

    ReconstructionRequest req;
    req.model = a.require(QStringLiteral("model"));
    req.protocol = parseProtocol(a.value(QStringLiteral("protocol"), QStringLiteral("corrected")).toStdString());
    req.seed = quint64(a.intValue(QStringLiteral("seed"), 0));
    req.pipeline = pipelineOptions(a);
    req.batchSize = a.intValue(QStringLiteral("batch"), 8);
    req.device = a.value(QStringLiteral("device"), QStringLiteral("auto"));
    const int dpi = a.intValue(QStringLiteral("dpi"), 200);

    const Screen screen = openScreen(a.positionals().front(), screenOpenOptions(a));
    const Site &site = findSite(screen, plateName, well, siteNumber);
    const QString label = QStringLiteral("%1/%2/%3/%4").arg(screen.name, plateName, well).arg(siteNumber);
    ModelPool models; // this command's models, released before the process exits
    const SiteReconstruction r = reconstructSite(models, site, req, label, nullptr, [](int done, int total) {
        std::cerr << "\rreconstructing: " << done << "/" << total << " tile batches" << std::flush;
    });
    std::cerr << "\n";

    if (!QDir().mkpath(outDir)) throw Error("cannot create the output folder", outDir.toStdString(), "check permissions");
    InspectorFigureOptions fo;
    fo.caption = {screen.name, plateName, well, siteNumber};
    const QStringList images = writeStainImages(outDir, r, fo);
    const QString csv = QDir(outDir).filePath(QStringLiteral("metrics.csv"));
    writeMetricsCsv(csv, {&r});
    const QSizeF size = inspectorFigureSize(r, nullptr, fo);
    QStringList figures;
    for (const char *ext : {"png", "pdf", "svg"}) {
        const QString f = QDir(outDir).filePath(QStringLiteral("figure.") + QLatin1String(ext));
        exportFigure(f, size, dpi, [&](QPainter &p, const QSizeF &s) { paintInspectorFigure(p, s, r, nullptr, fo); });
        figures << f;
    }

    if (screen.synthetic) std::cout << "PHANTOM screen: synthetic images, not biology\n";
    std::cout << "site " << label.toStdString() << " · model " << r.model.toStdString() << " · protocol "
              << protocolName(r.protocol)
              << (r.protocol == Protocol::Paper ? " (seed " + std::to_string(r.seed) + ")" : std::string(" (posterior mean)"))
              << " · " << r.grid.rows << "x" << r.grid.cols << " tiles · " << r.seconds << " s\n";
    std::cout << "stain   MAE      " << ssimLabel(r.protocol) << "   EMD\n";
    for (const auto &s : r.stains)
        std::cout << s.stain.toStdString() << "\t" << s.mae << "\t" << ssimReported(r.protocol, s.ssim) << "\t" << s.emd << "\n";
    for (const auto &t : r.triplets)
        if (!t.kld.empty()) std::cout << "KLD triplet " << t.name.toStdString() << " (" << t.stains.join(QLatin1Char('/')).toStdString() << "): " << t.kldMean << "\n";
    for (const QString &n : r.notes) std::cout << "note: " << n.toStdString() << "\n";
    std::cout << "wrote " << images.size() << " images, " << csv.toStdString() << ", " << figures.join(QStringLiteral(", ")).toStdString() << "\n";
    return 0;
}
} // namespace

static Registrar reg({"reconstruct", "one site through a model: images, figure and metrics.csv (inspector twin)",
                      QStringLiteral("SCREEN --plate P --well W --site S --model M --out DIR"),
                      QStringLiteral("--model: bicubic8, bicubic:<f>, jpeg:<quality>, pca8, sd-vae:<weights path>[|<config.json>].\n"
                                     "Writes <Stain>_original.png, <Stain>_reconstruction.png, <Stain>_difference.tif (float32,\n"
                                     "signed) and .png (colour map), figure.png/.pdf/.svg and metrics.csv."),
                      options({value(QStringLiteral("plate"), QStringLiteral("P"), QStringLiteral("plate barcode")),
                               value(QStringLiteral("well"), QStringLiteral("W"), QStringLiteral("well, e.g. A01")),
                               integer(QStringLiteral("site"), QStringLiteral("S"), QStringLiteral("site number"), QStringLiteral("1"), 0),
                               value(QStringLiteral("model"), QStringLiteral("M"), QStringLiteral("reconstruction model")),
                               value(QStringLiteral("out"), QStringLiteral("DIR"), QStringLiteral("output folder")),
                               value(QStringLiteral("protocol"), QStringLiteral("paper|corrected"), QStringLiteral("reconstruction protocol"), QStringLiteral("corrected")),
                               integer(QStringLiteral("seed"), QStringLiteral("K"), QStringLiteral("paper protocol: latent sampling seed"), QStringLiteral("0"), 0),
                               integer(QStringLiteral("batch"), QStringLiteral("B"), QStringLiteral("tiles per model call"), QStringLiteral("8"), 1, 4096),
                               value(QStringLiteral("device"), QStringLiteral("auto|cpu|cuda"), QStringLiteral("where the model runs"), QStringLiteral("auto")),
                               integer(QStringLiteral("dpi"), QStringLiteral("DPI"), QStringLiteral("figure resolution"), QStringLiteral("200"), 36, 2400)},
                              screenOptions(), pipelineOptions()),
                      runReconstruct, /*needsGui=*/true});

} // namespace cprecon::cli
