// The model-free parts of SiteReconstruction: protocol labels, per-tile metrics, cache keys.
#include "recon/SiteReconstruction.h"

#include "metrics/PixelMetrics.h"
#include "metrics/Ssim.h"
#include "util/Error.h"

namespace cprecon {

QString protocolName(Protocol p) { return p == Protocol::Paper ? QStringLiteral("paper") : QStringLiteral("corrected"); }

Protocol parseProtocol(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("paper")) return Protocol::Paper;
    if (t == QLatin1String("corrected")) return Protocol::Corrected;
    throw Error("unknown protocol '" + text.toStdString() + "'", "", "use paper or corrected");
}

QString protocolSsimLabel(Protocol p)
{
    return p == Protocol::Paper ? QStringLiteral("1 − SSIM (paper's 'SSIM')") : QStringLiteral("SSIM");
}

double protocolSsimValue(Protocol p, double ssim) { return p == Protocol::Paper ? metrics::ssimLoss(ssim) : ssim; }

const StainReconstruction *SiteReconstruction::stain(const QString &name) const
{
    for (const auto &s : stains)
        if (s.stain == name) return &s;
    return nullptr;
}

std::vector<TileMetrics> tileMetrics(const cv::Mat &original, const cv::Mat &reconstruction, const TileGrid &grid)
{
    if (original.type() != CV_8UC1 || reconstruction.type() != CV_8UC1 || original.size() != reconstruction.size())
        throw Error("tile metrics need two uint8 single-channel images of one size", "",
                    "internal error: the reconstruction does not match its original");
    std::vector<TileMetrics> out;
    out.reserve(size_t(grid.count()));
    for (int r = 0; r < grid.rows; ++r) {
        for (int c = 0; c < grid.cols; ++c) {
            // Continuous copies: the two tiles may be views into images of different row strides.
            const cv::Mat a = extractTile(original, grid, r, c).clone();
            const cv::Mat b = extractTile(reconstruction, grid, r, c).clone();
            TileMetrics m;
            m.row = r;
            m.col = c;
            const int stride = int(a.step1());
            // uint8 on the 0..255 scale divided by 255 == the metrics of the [0, 1] images (exact for MAE/EMD;
            // SSIM with data range 255 equals SSIM of x/255 with data range 1).
            m.mae = metrics::mae(a.data, b.data, a.cols, a.rows, stride) / 255.0;
            m.emd = metrics::emd(a.data, b.data, a.cols, a.rows, stride) / 255.0;
            m.ssim = metrics::ssim(a.data, b.data, a.cols, a.rows, stride, 255.0);
            out.push_back(m);
        }
    }
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
