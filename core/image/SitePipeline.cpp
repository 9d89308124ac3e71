#include "image/SitePipeline.h"

#include "image/ImageReader.h"
#include "image/NpyReader.h"
#include "util/Error.h"

namespace cprecon {

IlluminationMode parseIlluminationMode(const QString &text)
{
    if (text == QLatin1String("auto")) return IlluminationMode::Auto;
    if (text == QLatin1String("none")) return IlluminationMode::None;
    throw Error("unknown illumination mode '" + text.toStdString() + "'", "", "use 'auto' or 'none'");
}

QString illuminationModeName(IlluminationMode mode)
{
    return mode == IlluminationMode::Auto ? QStringLiteral("auto") : QStringLiteral("none");
}

static std::string siteName(const QString &label, int number)
{
    return label.isEmpty() ? "site " + std::to_string(number) : "site " + label.toStdString();
}

const StainImage &SiteStack::stain(const QString &name) const
{
    for (const auto &s : stains)
        if (s.stain == name) return s;
    throw Error("stain '" + name.toStdString() + "' was not loaded for " + siteName(label, siteNumber), "",
                "add it to PipelineOptions::stains");
}

cv::Mat SiteStack::tile(const QString &name, int row, int col) const
{
    return extractTile(stain(name).cropped, grid, row, col);
}

std::vector<Tile> SiteStack::tiles(const QString &name) const
{
    return cutTiles(stain(name).cropped, grid);
}

QMap<QString, cv::Mat> SiteStack::tileStains(int row, int col) const
{
    QMap<QString, cv::Mat> out;
    for (const auto &s : stains) out.insert(s.stain, extractTile(s.cropped, grid, row, col));
    return out;
}

std::pair<cv::Mat, cv::Mat> SiteStack::tripletTiles(int row, int col) const
{
    return splitTriplets(tileStains(row, col), options.triplets);
}

SiteStack loadSiteStack(const Site &site, const PipelineOptions &opt, const QString &siteLabel)
{
    opt.triplets.validate();
    SiteStack stack;
    stack.label = siteLabel;
    stack.siteNumber = site.number;
    stack.options = opt;
    const std::string where = siteName(siteLabel, site.number);
    if (opt.stains.isEmpty()) throw Error("no stains requested for " + where, "", "request at least one stain");

    QStringList withoutIllum;
    QString firstPath;
    for (const QString &name : opt.stains) {
        const ChannelImage *ch = site.channel(name);
        if (!ch) {
            QStringList have;
            for (const auto &c : site.channels) have << c.stain;
            throw Error(where + " has no " + name.toStdString() + " channel (channels: "
                            + (have.isEmpty() ? std::string("none") : have.join(QStringLiteral(", ")).toStdString()) + ")",
                        "", "check the channel -> stain mapping of the screen (load_data columns or a stain override)");
        }
        StainImage s;
        s.stain = name;
        s.path = ch->path;
        try {
            s.raw = readChannelImage(*ch);
        } catch (const Error &e) {
            throw Error(where + ", stain " + name.toStdString() + ": " + e.message(), e.file(), e.fix());
        }
        s.sourceDepth = s.raw.depth();
        if (stack.stains.empty()) {
            stack.imageSize = s.raw.size();
            firstPath = ch->path;
        } else if (s.raw.size() != stack.imageSize) {
            throw Error(where + ": stain " + name.toStdString() + " is " + std::to_string(s.raw.cols) + "x"
                            + std::to_string(s.raw.rows) + " but " + stack.stains.front().stain.toStdString() + " ("
                            + firstPath.toStdString() + ") is " + std::to_string(stack.imageSize.width) + "x"
                            + std::to_string(stack.imageSize.height),
                        ch->path.toStdString(), "all channels of a site must come from the same acquisition");
        }

        cv::Mat values = s.raw;
        if (opt.illumination == IlluminationMode::Auto && !ch->illumPath.isEmpty()) {
            IllumResult r;
            try {
                const cv::Mat illum = readNpyAsDouble(ch->illumPath);
                r = applyIllumination(s.raw, illum, ch->path, ch->illumPath, opt.invalidIllum);
            } catch (const Error &e) {
                throw Error(where + ", stain " + name.toStdString() + ": " + e.message(), e.file(), e.fix());
            }
            s.corrected = r.corrected;
            s.invalidIllumPixels = r.invalidPixels;
            s.illuminated = true;
            s.illumPath = ch->illumPath;
            values = s.corrected;
            if (r.invalidPixels > 0)
                stack.notes << QStringLiteral("%1: %2 pixel(s) left uncorrected (invalid illumination values in %3)")
                                   .arg(name).arg(r.invalidPixels).arg(ch->illumPath);
        } else if (opt.illumination == IlluminationMode::Auto) {
            withoutIllum << name;
        }
        s.u8 = toUint8(values, s.sourceDepth, opt.conversion);
        if (!opt.keepIntermediates) {
            s.raw.release();
            s.corrected.release();
        }
        stack.stains.push_back(std::move(s));
    }
    if (!withoutIllum.isEmpty() && withoutIllum.size() < opt.stains.size())
        stack.notes << QStringLiteral("no illumination function for %1 (left uncorrected)")
                           .arg(withoutIllum.join(QStringLiteral(", ")));

    stack.cropRect = centreCropRect(stack.imageSize, opt.cropSize, opt.smallImage, firstPath);
    if (opt.cropSize > 0 && (stack.cropRect.width < opt.cropSize || stack.cropRect.height < opt.cropSize))
        stack.notes << QStringLiteral("image %1x%2 is smaller than the %3 crop: kept %4x%5")
                           .arg(stack.imageSize.width).arg(stack.imageSize.height).arg(opt.cropSize)
                           .arg(stack.cropRect.width).arg(stack.cropRect.height);
    for (auto &s : stack.stains) s.cropped = s.u8(stack.cropRect);
    stack.grid = makeTileGrid(stack.cropRect.size(), opt.tileSize, opt.partialTiles, firstPath);
    return stack;
}

} // namespace cprecon
