// SSIM in one streaming pass: each (padded) source row is converted to double once, its five products are
// filtered horizontally into a ring of 11 rows, and every output row is filtered vertically from that ring and
// reduced immediately. Memory is O(11 x width); all inner loops run over x and vectorise.
#include "metrics/Ssim.h"

#include "util/Error.h"

#include <array>
#include <cmath>
#include <string>
#include <vector>

// Runtime dispatch to an AVX2+FMA clone of the hot loops where the CPU has it (portable binary otherwise).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CPRECON_HOT __attribute__((target_clones("arch=haswell", "default")))
#else
#define CPRECON_HOT
#endif

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
CPRECON_HOT void filterRow(const double *a, const double *b, const double *aa, const double *bb, const double *ab,
                           int wo, const double *w, double *oa, double *ob, double *oaa, double *obb, double *oab)
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

// Vertical 11-tap filter of the ring rows (rows[k] = horizontal results of source row y+k, 5 maps each) and
// the SSIM map reduction of one output row. Returns the row sum of SSIM values.
CPRECON_HOT double ssimRow(const double *const *rows, int wo, int mapStride, const double *w, double c1, double c2,
                           bool clampVariance)
{
    const double w0 = w[5], w1 = w[4], w2 = w[3], w3 = w[2], w4 = w[1], w5 = w[0];
    double sum = 0;
    const double *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3], *r4 = rows[4], *r5 = rows[5],
                 *r6 = rows[6], *r7 = rows[7], *r8 = rows[8], *r9 = rows[9], *r10 = rows[10];
#define CPRECON_VSYM(o, x)                                                                                    \
    (w0 * r5[o + x] + w1 * (r4[o + x] + r6[o + x]) + w2 * (r3[o + x] + r7[o + x]) +                         \
     w3 * (r2[o + x] + r8[o + x]) + w4 * (r1[o + x] + r9[o + x]) + w5 * (r0[o + x] + r10[o + x]))
    const int s1 = mapStride, s2 = 2 * mapStride, s3 = 3 * mapStride, s4 = 4 * mapStride;
    for (int x = 0; x < wo; ++x) {
        const double mx = CPRECON_VSYM(0, x);
        const double my = CPRECON_VSYM(s1, x);
        const double exx = CPRECON_VSYM(s2, x);
        const double eyy = CPRECON_VSYM(s3, x);
        const double exy = CPRECON_VSYM(s4, x);
        const double mx2 = mx * mx, my2 = my * my, mxy = mx * my;
        double vx = exx - mx2, vy = eyy - my2;
        if (clampVariance) {
            vx = vx < 0 ? 0 : vx;
            vy = vy < 0 ? 0 : vy;
        }
        const double cxy = exy - mxy;
        sum += ((2 * mxy + c1) * (2 * cxy + c2)) / ((mx2 + my2 + c1) * (vx + vy + c2));
    }
#undef CPRECON_VSYM
    return sum;
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
    const double *rows[kTaps];
    for (int oy = 0; oy < ho; ++oy) {
        loadRow(oy + kTaps - 1);
        for (int k = 0; k < kTaps; ++k) rows[k] = ringRow(oy + k);
        total += ssimRow(rows, wo, mapStride, wt, c1, c2, reflect);
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
