// SSIM in one streaming pass: each (padded) source row is converted to double once, its five products are
// filtered horizontally into a ring of 11 rows, and every output row is filtered vertically from that ring and
// reduced immediately. Memory is O(11 x width); all inner loops run over x and vectorise.
#include "metrics/Ssim.h"

#include "util/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "util/HotPath.h"

namespace cprecon::metrics {

namespace {

constexpr int kRadius = 5;
constexpr int kTaps = 2 * kRadius + 1;

struct Taps {
    double w[kTaps];
    Taps()
    {
        const double sigma = 1.5;
        double sum = 0;
        for (int i = 0; i < kTaps; ++i) {
            const double d = i - kRadius;
            w[i] = std::exp(-(d * d) / (2 * sigma * sigma));
            sum += w[i];
        }
        for (double &v : w) v /= sum;
    }
};
const Taps &taps()
{
    static const Taps t;
    return t;
}

// Horizontal 11-tap filter of the five maps of one row; in* have wo + 10 elements, out* have wo.
CPRECON_HOT void filterRow(const double *__restrict a, const double *__restrict b, const double *__restrict aa,
                           const double *__restrict bb, const double *__restrict ab, int wo, const double *w,
                           double *__restrict oa, double *__restrict ob, double *__restrict oaa,
                           double *__restrict obb, double *__restrict oab)
{
    const double w0 = w[5], w1 = w[4], w2 = w[3], w3 = w[2], w4 = w[1], w5 = w[0];
#define CPRECON_SYM(p, x)                                                                                  \
    (w0 * p[x + 5] + w1 * (p[x + 4] + p[x + 6]) + w2 * (p[x + 3] + p[x + 7]) + w3 * (p[x + 2] + p[x + 8]) + \
     w4 * (p[x + 1] + p[x + 9]) + w5 * (p[x] + p[x + 10]))
    for (int x = 0; x < wo; ++x) {
        oa[x] = CPRECON_SYM(a, x);
        ob[x] = CPRECON_SYM(b, x);
        oaa[x] = CPRECON_SYM(aa, x);
        obb[x] = CPRECON_SYM(bb, x);
        oab[x] = CPRECON_SYM(ab, x);
    }
#undef CPRECON_SYM
}

// Vertical 11-tap filter of one map: rows[k] + offset = horizontal results of source row y + k.
CPRECON_HOT void filterColumn(const double *const *rows, int offset, int wo, const double *w, double *__restrict out)
{
    const double w0 = w[5], w1 = w[4], w2 = w[3], w3 = w[2], w4 = w[1], w5 = w[0];
    const double *__restrict r0 = rows[0] + offset, *__restrict r1 = rows[1] + offset,
                             *__restrict r2 = rows[2] + offset, *__restrict r3 = rows[3] + offset,
                             *__restrict r4 = rows[4] + offset, *__restrict r5 = rows[5] + offset,
                             *__restrict r6 = rows[6] + offset, *__restrict r7 = rows[7] + offset,
                             *__restrict r8 = rows[8] + offset, *__restrict r9 = rows[9] + offset,
                             *__restrict r10 = rows[10] + offset;
    for (int x = 0; x < wo; ++x)
        out[x] = w0 * r5[x] + w1 * (r4[x] + r6[x]) + w2 * (r3[x] + r7[x]) + w3 * (r2[x] + r8[x]) +
                 w4 * (r1[x] + r9[x]) + w5 * (r0[x] + r10[x]);
}

// SSIM map of one output row from the five locally averaged maps, written to `out`.
CPRECON_HOT void ssimRow(const double *__restrict mx_, const double *__restrict my_, const double *__restrict exx_,
                         const double *__restrict eyy_, const double *__restrict exy_, int wo, double c1, double c2,
                         bool clampVariance, double *__restrict out)
{
    for (int x = 0; x < wo; ++x) {
        const double mx = mx_[x], my = my_[x];
        const double mx2 = mx * mx, my2 = my * my, mxy = mx * my;
        double vx = exx_[x] - mx2, vy = eyy_[x] - my2;
        // torchmetrics clamps the variances at 0 (select, keeps the loop branch-free)
        vx = clampVariance ? std::max(vx, 0.0) : vx;
        vy = clampVariance ? std::max(vy, 0.0) : vy;
        const double cxy = exy_[x] - mxy;
        out[x] = ((2 * mxy + c1) * (2 * cxy + c2)) / ((mx2 + my2 + c1) * (vx + vy + c2));
    }
}

// Sum with four partial sums (vectorises without reassociation flags).
CPRECON_HOT double rowSum(const double *v, int n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int x = 0;
    for (; x + 4 <= n; x += 4) {
        s0 += v[x];
        s1 += v[x + 1];
        s2 += v[x + 2];
        s3 += v[x + 3];
    }
    for (; x < n; ++x) s0 += v[x];
    return (s0 + s1) + (s2 + s3);
}

// Reflect (edge not repeated, = numpy/torch "reflect") index into [0, n).
int reflectIndex(int i, int n)
{
    while (i < 0 || i >= n) {
        if (i < 0) i = -i;
        if (i >= n) i = 2 * (n - 1) - i;
    }
    return i;
}

template <typename T>
double ssimImpl(const T *a, const T *b, int w, int h, int stride, double dataRange, SsimVariant variant)
{
    const bool reflect = variant == SsimVariant::TorchmetricsFull;
    const int minSide = reflect ? kRadius + 1 : kTaps;
    if (w < minSide || h < minSide)
        throw Error("SSIM needs images of at least " + std::to_string(minSide) + "x" + std::to_string(minSide) +
                        " pixels (got " + std::to_string(w) + "x" + std::to_string(h) + ")",
                    "", "use tiles of at least 11x11 pixels");
    if (stride < w) throw Error("SSIM: row stride " + std::to_string(stride) + " is smaller than the width " + std::to_string(w));
    if (!(dataRange > 0) || !std::isfinite(dataRange))
        throw Error("SSIM: data range must be positive and finite", "", "use 255 for 8-bit data, 1 for [0,1] floats");

    // Padded geometry: the valid variant uses the image as is; the reflect variant pads 5 on every side.
    const int pad = reflect ? kRadius : 0;
    const int win = w + 2 * pad, hin = h + 2 * pad;
    const int wo = win - 2 * kRadius, ho = hin - 2 * kRadius;
    std::vector<int> colIndex(win);
    for (int x = 0; x < win; ++x) colIndex[x] = reflectIndex(x - pad, w);

    const double *wt = taps().w;
    const double c1 = (0.01 * dataRange) * (0.01 * dataRange), c2 = (0.03 * dataRange) * (0.03 * dataRange);

    // Scratch: the five product rows (input width) and the ring of horizontally filtered rows (5 maps each).
    std::vector<double> in(5 * size_t(win));
    double *ia = in.data(), *ib = ia + win, *iaa = ib + win, *ibb = iaa + win, *iab = ibb + win;
    const int mapStride = wo;
    std::vector<double> ring(size_t(kTaps) * 5 * size_t(mapStride));
    auto ringRow = [&](int r) { return ring.data() + size_t(r % kTaps) * 5 * mapStride; };

    auto loadRow = [&](int paddedRow) {
        const int sy = reflectIndex(paddedRow - pad, h);
        const T *ra = a + size_t(sy) * stride, *rb = b + size_t(sy) * stride;
        for (int x = 0; x < win; ++x) {
            const int sx = colIndex[x];
            const double va = double(ra[sx]), vb = double(rb[sx]);
            ia[x] = va;
            ib[x] = vb;
            iaa[x] = va * va;
            ibb[x] = vb * vb;
            iab[x] = va * vb;
        }
        double *o = ringRow(paddedRow);
        filterRow(ia, ib, iaa, ibb, iab, wo, wt, o, o + mapStride, o + 2 * mapStride, o + 3 * mapStride,
                  o + 4 * mapStride);
    };

    for (int r = 0; r < kTaps - 1; ++r) loadRow(r);
    double total = 0;
    std::vector<double> ssimMapRow(wo), local(5 * size_t(wo));
    const double *rows[kTaps];
    for (int oy = 0; oy < ho; ++oy) {
        loadRow(oy + kTaps - 1);
        for (int k = 0; k < kTaps; ++k) rows[k] = ringRow(oy + k);
        for (int m = 0; m < 5; ++m) filterColumn(rows, m * mapStride, wo, wt, local.data() + size_t(m) * wo);
        const double *l = local.data();
        ssimRow(l, l + wo, l + 2 * wo, l + 3 * wo, l + 4 * wo, wo, c1, c2, reflect, ssimMapRow.data());
        total += rowSum(ssimMapRow.data(), wo);
    }
    const double mean = total / (double(wo) * double(ho));
    if (!std::isfinite(mean))
        throw Error("SSIM: the image contains NaN or infinite pixel values", "", "clean or clip the input first");
    return mean;
}

} // namespace

const char *ssimVariantName(SsimVariant v)
{
    return v == SsimVariant::SkimageValid ? "skimage-valid" : "torchmetrics-1.5-full";
}

const double *ssimGaussianTaps() { return taps().w; }

double ssim(const uint8_t *a, const uint8_t *b, int w, int h, int stride, double dataRange, SsimVariant v)
{
    return ssimImpl(a, b, w, h, stride, dataRange, v);
}
double ssim(const float *a, const float *b, int w, int h, int stride, double dataRange, SsimVariant v)
{
    return ssimImpl(a, b, w, h, stride, dataRange, v);
}
double ssim(const double *a, const double *b, int w, int h, int stride, double dataRange, SsimVariant v)
{
    return ssimImpl(a, b, w, h, stride, dataRange, v);
}

} // namespace cprecon::metrics
