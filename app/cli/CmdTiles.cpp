// cprecon-cli tiles: one site through the image pipeline (read -> illumination -> uint8 -> crop -> tiles),
// one 8-bit PNG per tile and stain: <plate>_<well>_s<site>_r<tileRow>c<tileCol>_<Stain>.png.
#include "CliRegistry.h"

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

OpenOptions openOptions(const Args &a)
{
    OpenOptions o;
    o.dataRoot = a.value(QStringLiteral("data-root"));
    for (const QString &pair : a.values(QStringLiteral("channel-map"))) {
        const int eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == pair.size() - 1)
            throw Error("--channel-map expects CHANNEL=STAIN pairs like 1=Mito,2=AGP, got '" + u8(pair) + "'");
        o.stainOverride.insert(pair.left(eq).trimmed(), pair.mid(eq + 1).trimmed());
    }
    o.metadataDirs = a.values(QStringLiteral("metadata"));
    return o;
}

QString listOf(const QStringList &items, int max = 12)
{
    QStringList shown = items.mid(0, max);
    QString s = shown.join(QStringLiteral(", "));
    if (items.size() > max) s += QStringLiteral(", ... (%1 in all)").arg(items.size());
    return s;
}

const Site &findSite(const Screen &screen, const QString &plateName, const QString &wellArg, int siteNumber)
{
    const Plate *plate = screen.plate(plateName);
    if (!plate) {
        QStringList names;
        for (const auto &p : screen.plates) names << p.barcode;
        throw Error("plate '" + u8(plateName) + "' is not in the screen", u8(screen.source),
                    "use one of: " + u8(listOf(names)));
    }
    int row = 0, col = 0;
    if (!parseWellName(wellArg, row, col))
        throw Error("'" + u8(wellArg) + "' is not a well name", "", "write wells like A01 or P24");
    const QString well = wellName(row, col);
    if (row >= plateRows(plate->format) || col >= plateColumns(plate->format))
        throw Error("well " + u8(well) + " is outside the " + std::to_string(int(plate->format)) + "-well plate "
                        + u8(plateName), u8(screen.source), "rows A.." + std::string(1, char('A' + plateRows(plate->format) - 1))
                        + ", columns 01.." + std::to_string(plateColumns(plate->format)));
    const Well *w = plate->well(well);
    if (!w || w->sites.isEmpty()) {
        QStringList names;
        for (const auto &x : plate->wells)
            if (!x.sites.isEmpty()) names << x.name;
        throw Error("well " + u8(well) + " has no images on plate " + u8(plateName), u8(screen.source),
                    "use one of: " + u8(listOf(names)));
    }
    for (const auto &s : w->sites)
        if (s.number == siteNumber) return s;
    QStringList numbers;
    for (const auto &s : w->sites) numbers << QString::number(s.number);
    throw Error("site " + std::to_string(siteNumber) + " does not exist in " + u8(plateName) + " " + u8(well),
                u8(screen.source), "use one of sites: " + u8(numbers.join(QStringLiteral(", "))));
}

int runTiles(const QStringList &argv)
{
    const Args a(argv);
    if (a.positionals().size() != 1)
        throw Error("tiles takes exactly one screen PATH", "", "cprecon-cli tiles PATH --plate P --well W --site S --out DIR");
    const QString path = a.positionals().front();
    const QString plateName = a.require(QStringLiteral("plate"));
    const QString wellArg = a.require(QStringLiteral("well"));
    const int siteNumber = a.intValue(QStringLiteral("site"), 1);
    const QString outDir = a.require(QStringLiteral("out"));

    PipelineOptions opt;
    opt.illumination = parseIlluminationMode(a.value(QStringLiteral("illum"), QStringLiteral("auto")));
    opt.conversion.mode = parseConversionMode(a.value(QStringLiteral("convert"), QStringLiteral("paper")));
    opt.conversion.lowPercentile = a.doubleValue(QStringLiteral("low"), opt.conversion.lowPercentile);
    opt.conversion.highPercentile = a.doubleValue(QStringLiteral("high"), opt.conversion.highPercentile);
    opt.tileSize = a.intValue(QStringLiteral("tile-size"), 256);
    opt.cropSize = a.intValue(QStringLiteral("crop"), 1024);
    opt.partialTiles = parsePartialTilePolicy(a.value(QStringLiteral("partial"), QStringLiteral("drop")));
    const QString small = a.value(QStringLiteral("small-image"), QStringLiteral("clamp"));
    if (small != QLatin1String("clamp") && small != QLatin1String("error"))
        throw Error("unknown --small-image policy '" + u8(small) + "'", "", "use clamp or error");
    opt.smallImage = small == QLatin1String("clamp") ? SmallImagePolicy::Clamp : SmallImagePolicy::Error;
    opt.keepIntermediates = false;

    const Screen screen = openScreen(path, openOptions(a));
    const Site &site = findSite(screen, plateName, wellArg, siteNumber);
    int r = 0, c = 0;
    parseWellName(wellArg, r, c);
    const QString well = wellName(r, c);
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
                      "cprecon-cli tiles PATH --plate P --well W --site S --out DIR [--illum auto|none]\n"
                      "    [--convert paper|percentile] [--low 0.1] [--high 99.9] [--tile-size 256] [--crop 1024]\n"
                      "    [--partial drop|pad-reflect|error] [--small-image clamp|error]\n"
                      "    [--data-root DIR] [--channel-map CH=STAIN,...] [--metadata DIR]\n"
                      "  PATH: screen root folder, load_data CSV, nf-core sheet or image folder (as `screen info`).\n"
                      "  Writes <plate>_<well>_s<site>_r<tileRow>c<tileCol>_<Stain>.png (rows/cols from 0) for\n"
                      "  DNA, ER, RNA, AGP, Mito. Defaults = paper: illumination when available, v/256 clipped,\n"
                      "  centre crop 1024, 4x4 tiles of 256. --crop 0 = no crop. See docs/user/pipeline.md.",
                      runTiles});

} // namespace cprecon::cli
