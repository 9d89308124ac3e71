// The model-free parts of SiteReconstruction: per-tile metrics, cache keys.
#include "recon/SiteReconstruction.h"

#include "metrics/TileMetrics.h"
#include "util/Error.h"

namespace cprecon {

const StainReconstruction *SiteReconstruction::stain(const QString &name) const
{
    for (const auto &s : stains)
        if (s.stain == name) return &s;
    return nullptr;
}

std::vector<TileMetrics> tileMetrics(const cv::Mat &original, const cv::Mat &reconstruction, const TileGrid &grid)
{
    const bool floatRecon = reconstruction.type() == CV_32FC1;
    if (original.type() != CV_8UC1 || (!floatRecon && reconstruction.type() != CV_8UC1) || original.size() != reconstruction.size())
        throw Error("tile metrics need a uint8 original and a uint8 or float reconstruction of one size", "",
                    "internal error: the reconstruction does not match its original");
    // The tiles as one contiguous N x 1 x t x t batch each, measured by the metrics engine (tiles in parallel).
    const int t = grid.tileSize, n = grid.count();
    const size_t plane = size_t(t) * t;
    metrics::TileMetricTable table;
    if (floatRecon) {
        std::vector<float> a(plane * size_t(n)), b(plane * size_t(n));
        for (int r = 0, i = 0; r < grid.rows; ++r)
            for (int c = 0; c < grid.cols; ++c, ++i) {
                extractTile(original, grid, r, c).convertTo(cv::Mat(t, t, CV_32FC1, a.data() + plane * size_t(i)), CV_32F, 1.0 / 255.0);
                extractTile(reconstruction, grid, r, c).copyTo(cv::Mat(t, t, CV_32FC1, b.data() + plane * size_t(i)));
            }
        table = metrics::computeTileMetrics(a.data(), b.data(), n, 1, t, t);
    } else {
        std::vector<uint8_t> a(plane * size_t(n)), b(plane * size_t(n));
        for (int r = 0, i = 0; r < grid.rows; ++r)
            for (int c = 0; c < grid.cols; ++c, ++i) {
                extractTile(original, grid, r, c).copyTo(cv::Mat(t, t, CV_8UC1, a.data() + plane * size_t(i)));
                extractTile(reconstruction, grid, r, c).copyTo(cv::Mat(t, t, CV_8UC1, b.data() + plane * size_t(i)));
            }
        table = metrics::computeTileMetrics(a.data(), b.data(), n, 1, t, t);
    }
    std::vector<TileMetrics> out;
    out.reserve(size_t(n));
    for (int r = 0, i = 0; r < grid.rows; ++r)
        for (int c = 0; c < grid.cols; ++c, ++i) out.push_back({r, c, table.maeAt(i, 0), table.ssimAt(i, 0), table.emdAt(i, 0)});
    return out;
}

QString reconstructionCacheKey(const QString &siteLabel, const ReconstructionRequest &r)
{
    const auto &p = r.pipeline;
    return QStringList{siteLabel,
                       r.model,
                       protocolName(r.protocol),
                       r.protocol == Protocol::Paper ? QString::number(r.seed) : QStringLiteral("-"),
                       illuminationModeName(p.illumination),
                       conversionModeName(p.conversion.mode),
                       QString::number(p.conversion.lowPercentile),
                       QString::number(p.conversion.highPercentile),
                       QString::number(p.cropSize),
                       QString::number(p.tileSize),
                       partialTilePolicyName(p.partialTiles),
                       p.smallImage == SmallImagePolicy::Clamp ? QStringLiteral("clamp") : QStringLiteral("error"),
                       p.invalidIllum == IllumInvalid::Error ? QStringLiteral("illum-error") : QStringLiteral("illum-keep-raw"),
                       p.stains.join(QLatin1Char(',')),
                       p.triplets.toString(),
                       // batch size and device change the numbers too: batched kernels and fp16 autocast on CUDA
                       QStringLiteral("batch %1").arg(r.batchSize),
                       r.device}
        .join(QLatin1Char('|'));
}

} // namespace cprecon
