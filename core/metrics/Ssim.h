#pragma once
// Structural similarity (Wang et al. 2004) with an 11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03 and
// population (co)variances, computed in double with a separable one-pass filter of the five maps
// (x, y, x^2, y^2, xy). Two reductions of the SSIM map are offered because published numbers use both:
//  - SkimageValid: skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
//    use_sample_covariance=False) = mean of the map over the valid region [5:-5, 5:-5] (never touches padding).
//    Also equal to torchmetrics <= 1.4.0. This is the project default.
//  - TorchmetricsFull: torchmetrics 1.5.0 structural_similarity_index_measure: reflect-pad by 5 (edge sample not
//    repeated), clamp sigma_x^2, sigma_y^2 at >= 0, mean over the whole image including the border.
// The paper reported MONAI's SSIMLoss = 1 - SSIM under the label "SSIM": see ssimLoss() / docs/user/metrics.md.
#include <cstdint>

namespace cprecon::metrics {

enum class SsimVariant { SkimageValid, TorchmetricsFull };

const char *ssimVariantName(SsimVariant v); // "skimage-valid", "torchmetrics-1.5-full"

// One 2-D channel. stride = elements between rows (>= w). dataRange: 255 for 8-bit data, 1 for [0,1] floats.
// Throws cprecon::Error for images smaller than 11x11 (or 6x6 for the reflect variant), bad stride,
// dataRange <= 0, or non-finite float input.
double ssim(const uint8_t *a, const uint8_t *b, int w, int h, int stride, double dataRange,
            SsimVariant variant = SsimVariant::SkimageValid);
double ssim(const float *a, const float *b, int w, int h, int stride, double dataRange,
            SsimVariant variant = SsimVariant::SkimageValid);
double ssim(const double *a, const double *b, int w, int h, int stride, double dataRange,
            SsimVariant variant = SsimVariant::SkimageValid);

// The quantity the paper plotted as "SSIM" (MONAI SSIMLoss): 1 - SSIM. Labelled "1 - SSIM (paper's 'SSIM')".
inline double ssimLoss(double ssimValue) { return 1.0 - ssimValue; }

// The 11 normalised taps exp(-d^2 / (2 sigma^2)), d = -5..5, shared by both variants.
const double *ssimGaussianTaps();

} // namespace cprecon::metrics
