// cprecon-cli tiles: one site through the image pipeline (read -> illumination -> uint8 -> crop -> tiles),
// one 8-bit PNG per tile and stain: <plate>_<well>_s<site>_r<tileRow>c<tileCol>_<Stain>.png.
#include "CliRegistry.h"
#include "CliScreen.h"

#include "image/SitePipeline.h"
#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>

#include <opencv2/imgcodecs.hpp>

#include <iostream>

namespace cprecon::cli {

namespace {

std::string u8(const QString &s) { return s.toStdString(); }

int runTiles(const Args &a)
{
    if (a.positionals().size() != 1)
        throw Error("tiles takes exactly one screen PATH", "", "cprecon-cli tiles PATH --plate P --well W --site S --out DIR");
    const QString path = a.positionals().front();
    const QString plateName = a.require(QStringLiteral("plate"));
    const QString wellArg = a.require(QStringLiteral("well"));
    const int siteNumber = a.intValue(QStringLiteral("site"), 1);
    const QString outDir = a.require(QStringLiteral("out"));

    PipelineOptions opt = pipelineOptions(a);
    opt.keepIntermediates = false;

    const Screen screen = openScreen(path, screenOpenOptions(a));
    const Site &site = findSite(screen, plateName, wellArg, siteNumber);
    const QString well = canonicalWell(wellArg);
    const QString label = plateName + QLatin1Char('/') + well + QLatin1Char('/') + QString::number(siteNumber);
    const SiteStack stack = loadSiteStack(site, opt, label);

    if (!QDir().mkpath(outDir)) throw Error("cannot create the output folder", u8(outDir), "check permissions");
    int written = 0;
    for (int tr = 0; tr < stack.grid.rows; ++tr)
        for (int tc = 0; tc < stack.grid.cols; ++tc)
            for (const auto &s : stack.stains) {
                const QString name = QStringLiteral("%1_%2_s%3_r%4c%5_%6.png")
                                         .arg(plateName, well).arg(siteNumber).arg(tr).arg(tc).arg(s.stain);
                const QString file = QDir(outDir).filePath(name);
                const cv::Mat tile = extractTile(s.cropped, stack.grid, tr, tc);
                if (!cv::imwrite(QFile::encodeName(file).toStdString(), tile))
                    throw Error("cannot write PNG", u8(file), "check free disk space and permissions");
                ++written;
            }

    if (screen.synthetic) std::cout << "PHANTOM screen: synthetic images, not biology\n";
    std::cout << "site " << u8(label) << ": " << stack.imageSize.width << "x" << stack.imageSize.height << " -> crop "
              << stack.cropRect.width << "x" << stack.cropRect.height << " at (" << stack.cropRect.x << ","
              << stack.cropRect.y << ") -> " << stack.grid.rows << "x" << stack.grid.cols << " tiles of "
              << stack.grid.tileSize << " px (" << u8(partialTilePolicyName(opt.partialTiles)) << ")\n";
    for (const auto &s : stack.stains)
        std::cout << "  " << u8(s.stain) << ": " << u8(s.path)
                  << (s.illuminated ? "  / " + u8(s.illumPath) : std::string("  (no illumination correction)")) << "\n";
    std::cout << "conversion " << u8(conversionModeName(opt.conversion.mode)) << "; illumination "
              << u8(illuminationModeName(opt.illumination)) << "\n";
    for (const QString &n : stack.notes) std::cout << "note: " << u8(n) << "\n";
    std::cout << "wrote " << written << " PNG tiles to " << u8(outDir) << "\n";
    return 0;
}

} // namespace

static Registrar reg({"tiles", "cut one site into 8-bit PNG tiles per stain (the paper's image pipeline)",
                      QStringLiteral("PATH --plate P --well W --site S --out DIR"),
                      QStringLiteral("PATH: screen root folder, load_data CSV, nf-core sheet or image folder (as `screen info`).\n"
                                     "Writes <plate>_<well>_s<site>_r<tileRow>c<tileCol>_<Stain>.png (rows/cols from 0) for\n"
                                     "DNA, ER, RNA, AGP, Mito. Defaults = paper: illumination when available, v/256 clipped,\n"
                                     "centre crop 1024, 4x4 tiles of 256. --crop 0 = no crop. See docs/user/pipeline.md."),
                      options({value(QStringLiteral("plate"), QStringLiteral("P"), QStringLiteral("plate barcode")),
                               value(QStringLiteral("well"), QStringLiteral("W"), QStringLiteral("well, e.g. A01")),
                               integer(QStringLiteral("site"), QStringLiteral("S"), QStringLiteral("site number"), {}, 0),
                               value(QStringLiteral("out"), QStringLiteral("DIR"), QStringLiteral("output folder"))},
                              pipelineOptions(), screenOptions()),
                      runTiles});

} // namespace cprecon::cli
