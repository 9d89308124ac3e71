#include "metrics/TileMetrics.h"

#include "jobs/ParallelFor.h"

#include "metrics/PixelMetrics.h"
#include "util/Error.h"

#include <algorithm>

namespace cprecon::metrics {

namespace {

template <typename T, typename Fn>
TileMetricTable runBatch(int tiles, int channels, int h, int w, const TileMetricsOptions &o, Fn perChannel)
{
    if (tiles < 0 || channels <= 0 || h <= 0 || w <= 0)
        throw Error("tile metrics: bad batch shape " + std::to_string(tiles) + "x" + std::to_string(channels) + "x" +
                    std::to_string(h) + "x" + std::to_string(w));
    TileMetricTable t;
    t.tiles = tiles;
    t.channels = channels;
    const size_t jobs = size_t(tiles) * channels;
    if (o.computeMae) t.mae.resize(jobs);
    if (o.computeEmd) t.emd.resize(jobs);
    if (o.computeSsim) t.ssim.resize(jobs);
    parallelFor(jobs, [&](size_t j) { perChannel(j, t); });
    return t;
}

} // namespace

TileMetricTable computeTileMetrics(const uint8_t *orig, const uint8_t *recon, int tiles, int channels, int h, int w,
                                   const TileMetricsOptions &o)
{
    const size_t plane = size_t(h) * w;
    return runBatch<uint8_t>(tiles, channels, h, w, o, [&](size_t j, TileMetricTable &t) {
        const uint8_t *a = orig + j * plane, *b = recon + j * plane;
        if (o.computeMae) t.mae[j] = mae(a, b, plane) / 255.0;
        if (o.computeEmd) t.emd[j] = emd(a, b, plane) / 255.0;
        if (o.computeSsim) t.ssim[j] = ssim(a, b, w, h, w, 255.0, o.ssimVariant);
    });
}

TileMetricTable computeTileMetrics(const float *orig, const float *recon, int tiles, int channels, int h, int w,
                                   const TileMetricsOptions &o, double dataRange)
{
    const size_t plane = size_t(h) * w;
    return runBatch<float>(tiles, channels, h, w, o, [&](size_t j, TileMetricTable &t) {
        const float *a = orig + j * plane, *b = recon + j * plane;
        if (o.computeMae) t.mae[j] = mae(a, b, plane);
        if (o.computeEmd) t.emd[j] = emd(a, b, plane);
        if (o.computeSsim) t.ssim[j] = ssim(a, b, w, h, w, dataRange, o.ssimVariant);
    });
}

} // namespace cprecon::metrics
