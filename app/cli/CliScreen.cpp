#include "CliScreen.h"

#include "util/Error.h"

namespace cprecon::cli {

namespace {
std::string u8(const QString &s) { return s.toStdString(); }
} // namespace

std::vector<Option> screenOptions()
{
    return {value(QStringLiteral("data-root"), QStringLiteral("DIR"),
                  QStringLiteral("local mirror root for s3://cellpainting-gallery/ URLs and re-rooted absolute paths")),
            list(QStringLiteral("channel-map"), QStringLiteral("K=S"),
                 QStringLiteral("channel -> stain override; K = channel number (1) or load_data name (OrigMito); repeat or comma-separate")),
            list(QStringLiteral("metadata"), QStringLiteral("DIR"),
                 QStringLiteral("extra folder with barcode_platemap.csv / platemaps / compound metadata"))};
}

std::vector<Option> pipelineOptions()
{
    return {value(QStringLiteral("illum"), QStringLiteral("auto|none"),
                  QStringLiteral("illumination correction (auto: when the screen has .npy functions)"), QStringLiteral("auto")),
            value(QStringLiteral("convert"), QStringLiteral("paper|percentile"), QStringLiteral("uint8 conversion (paper: /256, clip)"),
                  QStringLiteral("paper")),
            number(QStringLiteral("low"), QStringLiteral("P"), QStringLiteral("percentile conversion: low percentile"), QStringLiteral("0.1"), 0, 100),
            number(QStringLiteral("high"), QStringLiteral("P"), QStringLiteral("percentile conversion: high percentile"), QStringLiteral("99.9"), 0, 100),
            integer(QStringLiteral("crop"), QStringLiteral("PX"), QStringLiteral("centre crop (0 = no crop)"), QStringLiteral("1024"), 0, 1 << 16),
            integer(QStringLiteral("tile-size"), QStringLiteral("PX"), QStringLiteral("tile edge"), QStringLiteral("256"), 8, 1 << 16),
            value(QStringLiteral("partial"), QStringLiteral("drop|pad-reflect|error"), QStringLiteral("tiles that do not fit the crop"),
                  QStringLiteral("drop")),
            value(QStringLiteral("small-image"), QStringLiteral("clamp|error"), QStringLiteral("images smaller than the crop"),
                  QStringLiteral("clamp"))};
}

OpenOptions screenOpenOptions(const Args &a)
{
    OpenOptions o;
    o.dataRoot = a.value(QStringLiteral("data-root"));
    for (const QString &pair : a.values(QStringLiteral("channel-map"))) {
        const int eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == pair.size() - 1)
            throw Error("--channel-map expects CHANNEL=STAIN pairs like 1=Mito,2=AGP or OrigMito=Mito, got '" + u8(pair) + "'", "",
                        "e.g. --channel-map 1=Mito,2=AGP,3=RNA,4=ER,5=DNA");
        o.stainOverride.insert(pair.left(eq).trimmed(), pair.mid(eq + 1).trimmed());
    }
    o.metadataDirs = a.values(QStringLiteral("metadata"));
    return o;
}

PipelineOptions pipelineOptions(const Args &a)
{
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
    return opt;
}

QString listOf(const QStringList &items, int max)
{
    QString s = items.mid(0, max).join(QStringLiteral(", "));
    if (items.size() > max) s += QStringLiteral(", ... (%1 in all)").arg(items.size());
    return s;
}

QString canonicalWell(const QString &well)
{
    int row = 0, col = 0;
    if (!parseWellName(well, row, col)) throw Error("'" + u8(well) + "' is not a well name", "", "write wells like A01 or P24");
    return wellName(row, col);
}

const Site &findSite(const Screen &screen, const QString &plateName, const QString &wellArg, int siteNumber)
{
    const Plate *plate = screen.plate(plateName);
    if (!plate) {
        QStringList names;
        for (const auto &p : screen.plates) names << p.barcode;
        throw Error("plate '" + u8(plateName) + "' is not in the screen", u8(screen.source), "use one of: " + u8(listOf(names)));
    }
    const QString well = canonicalWell(wellArg);
    int row = 0, col = 0;
    parseWellName(well, row, col);
    if (row >= plateRows(plate->format) || col >= plateColumns(plate->format))
        throw Error("well " + u8(well) + " is outside the " + std::to_string(int(plate->format)) + "-well plate " + u8(plateName),
                    u8(screen.source),
                    "rows A.." + std::string(1, char('A' + plateRows(plate->format) - 1)) + ", columns 01.." +
                        std::to_string(plateColumns(plate->format)));
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

} // namespace cprecon::cli
