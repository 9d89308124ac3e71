#include "metrics/PixelMetrics.h"

#include "util/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "util/HotPath.h"

namespace cprecon::metrics {

namespace {

// Sum of |x - y| over n <= 2^24 bytes: a 32-bit accumulator cannot overflow (255 * 2^24 < 2^32) and the
// loop vectorises (sum of absolute differences).
CPRECON_HOT uint32_t absDiffSum(const uint8_t *__restrict x, const uint8_t *__restrict y, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; ++i) s += uint32_t(x[i] > y[i] ? x[i] - y[i] : y[i] - x[i]);
    return s;
}
constexpr size_t kAbsDiffBlock = size_t(1) << 24;

void requireValues(size_t n, const char *what)
{
    if (n == 0) throw Error(std::string(what) + ": empty input", "", "pass at least one pixel");
}

template <typename T>
double maeFloat(const T *x, const T *y, size_t n)
{
    requireValues(n, "MAE");
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += std::abs(double(x[i]) - double(y[i]));
    if (!std::isfinite(sum))
        throw Error("MAE: input contains NaN or infinite values", "", "clean or clip the input first");
    return sum / double(n);
}

template <typename T>
double emdFloat(const T *x, const T *y, size_t n)
{
    requireValues(n, "EMD");
    std::vector<double> a(x, x + n), b(y, y + n);
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
            throw Error("EMD: input contains NaN or infinite values", "", "clean or clip the input first");
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += std::abs(a[i] - b[i]);
    return sum / double(n);
}

// Exact EMD of two 8-bit histograms with equal totals: area between the two CDFs (unit bin width).
double emdFromHistograms(const std::array<uint64_t, 256> &hx, const std::array<uint64_t, 256> &hy, uint64_t n)
{
    int64_t cx = 0, cy = 0;
    uint64_t area = 0;
    for (int v = 0; v < 255; ++v) {
        cx += int64_t(hx[v]);
        cy += int64_t(hy[v]);
        area += uint64_t(std::llabs(cx - cy));
    }
    return double(area) / double(n);
}

} // namespace

double mae(const uint8_t *x, const uint8_t *y, size_t n)
{
    requireValues(n, "MAE");
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i += kAbsDiffBlock) sum += absDiffSum(x + i, y + i, std::min(kAbsDiffBlock, n - i));
    return double(sum) / double(n);
}
double mae(const float *x, const float *y, size_t n) { return maeFloat(x, y, n); }
double mae(const double *x, const double *y, size_t n) { return maeFloat(x, y, n); }

double emd(const uint8_t *x, const uint8_t *y, size_t n)
{
    requireValues(n, "EMD");
    std::array<uint64_t, 256> hx{}, hy{};
    for (size_t i = 0; i < n; ++i) {
        ++hx[x[i]];
        ++hy[y[i]];
    }
    return emdFromHistograms(hx, hy, n);
}
double emd(const float *x, const float *y, size_t n) { return emdFloat(x, y, n); }
double emd(const double *x, const double *y, size_t n) { return emdFloat(x, y, n); }

double mae(const uint8_t *x, const uint8_t *y, int w, int h, int stride)
{
    if (w <= 0 || h <= 0 || stride < w) throw Error("MAE: bad image geometry " + std::to_string(w) + "x" + std::to_string(h));
    uint64_t sum = 0;
    for (int r = 0; r < h; ++r) {
        const uint8_t *px = x + size_t(r) * stride, *py = y + size_t(r) * stride;
        for (size_t c = 0; c < size_t(w); c += kAbsDiffBlock)
            sum += absDiffSum(px + c, py + c, std::min(kAbsDiffBlock, size_t(w) - c));
    }
    return double(sum) / (double(w) * double(h));
}

double emd(const uint8_t *x, const uint8_t *y, int w, int h, int stride)
{
    if (w <= 0 || h <= 0 || stride < w) throw Error("EMD: bad image geometry " + std::to_string(w) + "x" + std::to_string(h));
    std::array<uint64_t, 256> hx{}, hy{};
    for (int r = 0; r < h; ++r) {
        const uint8_t *px = x + size_t(r) * stride, *py = y + size_t(r) * stride;
        for (int c = 0; c < w; ++c) {
            ++hx[px[c]];
            ++hy[py[c]];
        }
    }
    return emdFromHistograms(hx, hy, uint64_t(w) * uint64_t(h));
}

} // namespace cprecon::metrics
