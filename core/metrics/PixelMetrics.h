#pragma once
// Per-channel pixel metrics of the paper (docs/user/metrics.md):
//   MAE = mean |x - y|;  EMD = mean |sort(x) - sort(y)| (1-D Wasserstein-1 between the intensity distributions).
// Results are on the scale of the input (0..255 for uint8); divide by 255 for the paper's [0,1] scale.
// 8-bit inputs are exact: MAE is an integer sum, EMD the O(N + 256) histogram form
//   EMD = (1/N) * sum_{v=0}^{254} |CDF_x(v) - CDF_y(v)|  (counts), identical to the sorted form.
// Float inputs accumulate in double; EMD sorts copies of both inputs.
#include <cstddef>
#include <cstdint>

namespace cprecon::metrics {

// n = number of values of each input (both the same length). Throw cprecon::Error when n == 0, and for floats
// when a value is NaN or infinite.
double mae(const uint8_t *x, const uint8_t *y, size_t n);
double mae(const float *x, const float *y, size_t n);
double mae(const double *x, const double *y, size_t n);

double emd(const uint8_t *x, const uint8_t *y, size_t n);
double emd(const float *x, const float *y, size_t n);
double emd(const double *x, const double *y, size_t n);

// 2-D strided variants for channels inside larger buffers (stride = elements between rows).
double mae(const uint8_t *x, const uint8_t *y, int w, int h, int stride);
double emd(const uint8_t *x, const uint8_t *y, int w, int h, int stride);

} // namespace cprecon::metrics
