#pragma once
// Per tile x channel MAE, EMD and SSIM of a batch (N x C x H x W, contiguous), tile-channels in parallel on the CPU pool.
// Values are reported on the paper's [0,1] intensity scale (8-bit inputs: value / 255, SSIM data range 255).
#include "metrics/Ssim.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cprecon::metrics {

struct TileMetricsOptions {
    SsimVariant ssimVariant = SsimVariant::SkimageValid;
    bool computeMae = true, computeEmd = true, computeSsim = true;
};

struct TileMetricTable {
    int tiles = 0, channels = 0;
    std::vector<double> mae, emd, ssim; // tiles x channels (row-major); empty when not requested
    double maeAt(int t, int c) const { return mae[size_t(t) * channels + c]; }
    double emdAt(int t, int c) const { return emd[size_t(t) * channels + c]; }
    double ssimAt(int t, int c) const { return ssim[size_t(t) * channels + c]; }
};

// 8-bit batch: MAE/EMD divided by 255, SSIM with data range 255 (identical to SSIM of x/255 with range 1).
TileMetricTable computeTileMetrics(const uint8_t *orig, const uint8_t *recon, int tiles, int channels, int h, int w,
                                   const TileMetricsOptions &options = {});
// Float batch already on the [0,1] scale (dataRange 1 unless told otherwise).
TileMetricTable computeTileMetrics(const float *orig, const float *recon, int tiles, int channels, int h, int w,
                                   const TileMetricsOptions &options = {}, double dataRange = 1.0);

} // namespace cprecon::metrics
