#include "models/Bicubic8.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace cprecon {

namespace {
double cubic(double x)
{
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
}

struct Taps {
    std::vector<int> first;
    std::vector<std::vector<double>> weights;
};

// PIL / torch antialias weight computation for one axis.
Taps taps(int in, int out)
{
    const double scale = static_cast<double>(in) / out;
    const double support = 2.0 * std::max(scale, 1.0);
    const double invScale = 1.0 / std::max(scale, 1.0);
    Taps t;
    t.first.resize(static_cast<size_t>(out));
    t.weights.resize(static_cast<size_t>(out));
    for (int i = 0; i < out; ++i) {
        const double centre = (i + 0.5) * scale;
        const int lo = std::max(static_cast<int>(centre - support + 0.5), 0);
        const int hi = std::min(static_cast<int>(centre + support + 0.5), in);
        std::vector<double> w;
        double sum = 0;
        for (int j = lo; j < hi; ++j) {
            const double v = cubic((j - centre + 0.5) * invScale);
            w.push_back(v);
            sum += v;
        }
        for (auto &v : w) v = sum != 0 ? v / sum : 0;
        t.first[static_cast<size_t>(i)] = lo;
        t.weights[static_cast<size_t>(i)] = std::move(w);
    }
    return t;
}
} // namespace

HostTensor resizeBicubicAntialiased(const HostTensor &in, int outH, int outW)
{
    if (in.shape.size() != 4) throw Error("resize expects N x C x H x W", "", "internal");
    const int64_t nc = in.shape[0] * in.shape[1];
    const int h = static_cast<int>(in.shape[2]), w = static_cast<int>(in.shape[3]);
    const Taps tx = taps(w, outW), ty = taps(h, outH);
    HostTensor out;
    out.shape = {in.shape[0], in.shape[1], outH, outW};
    out.values.resize(static_cast<size_t>(nc) * outH * outW);
    std::vector<double> tmp(static_cast<size_t>(h) * outW); // horizontal pass first (as PIL), then vertical
    for (int64_t p = 0; p < nc; ++p) {
        const float *src = in.values.data() + p * h * w;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < outW; ++x) {
                double acc = 0;
                const auto &wt = tx.weights[static_cast<size_t>(x)];
                const float *row = src + static_cast<size_t>(y) * w + tx.first[static_cast<size_t>(x)];
                for (size_t k = 0; k < wt.size(); ++k) acc += wt[k] * row[k];
                tmp[static_cast<size_t>(y) * outW + x] = acc;
            }
        float *dst = out.values.data() + p * outH * outW;
        for (int y = 0; y < outH; ++y) {
            const auto &wt = ty.weights[static_cast<size_t>(y)];
            const int y0 = ty.first[static_cast<size_t>(y)];
            for (int x = 0; x < outW; ++x) {
                double acc = 0;
                for (size_t k = 0; k < wt.size(); ++k) acc += wt[k] * tmp[(static_cast<size_t>(y0) + k) * outW + x];
                dst[static_cast<size_t>(y) * outW + x] = static_cast<float>(acc);
            }
        }
    }
    return out;
}

BicubicReconstructor::BicubicReconstructor(double factor) : m_factor(factor)
{
    if (!(factor >= 1.0) || factor > 256)
        throw Error("bicubic factor must be between 1 and 256", "", "use e.g. bicubic8 or bicubic:6.93");
}

std::string BicubicReconstructor::name() const
{
    if (m_factor == 8.0) return "bicubic8";
    std::ostringstream s;
    s << "bicubic:" << m_factor;
    return s.str();
}

std::string BicubicReconstructor::description() const
{
    std::ostringstream s;
    s << "bicubic /" << m_factor << " then x" << m_factor << " (antialiased Keys a=-0.5, as PIL), no weights";
    return s.str();
}

int BicubicReconstructor::lowResSize(int n) const { return std::max(1, static_cast<int>(std::lround(n / m_factor))); }

double BicubicReconstructor::latentValues(int h, int w) const { return 3.0 * lowResSize(h) * lowResSize(w); }

Reconstruction BicubicReconstructor::reconstruct(const HostTensor &x, const ReconstructOptions &)
{
    if (x.shape.size() != 4 || x.shape[1] != 3)
        throw Error("reconstructor input must be N x 3 x H x W", "", "pass RGB tiles");
    const int h = static_cast<int>(x.shape[2]), w = static_cast<int>(x.shape[3]);
    HostTensor low = resizeBicubicAntialiased(x, lowResSize(h), lowResSize(w));
    // The thumbnail is stored as an 8-bit image (so compressedBytesPerTile is real): quantise it.
    for (auto &v : low.values) v = std::round(std::clamp(v, 0.f, 1.f) * 255.f) / 255.f;
    Reconstruction r;
    r.images = resizeBicubicAntialiased(low, h, w);
    for (auto &v : r.images.values) v = std::clamp(v, 0.f, 1.f);
    r.compressedValuesPerTile = latentValues(h, w);
    r.compressedBytesPerTile = r.compressedValuesPerTile; // 8-bit low-res image
    return r;
}

} // namespace cprecon
