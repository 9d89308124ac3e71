#include "features/HandcraftedFeatures.h"

#include "jobs/ParallelFor.h"

#include "util/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

namespace cprecon::features {

namespace {

constexpr int kLevels = 32; // GLCM grey levels: v >> 3
constexpr int kLevelShift = 3;
const char *kIntensityNames[] = {"Mean", "SD", "Q05", "Q25", "Median", "Q75", "Q95", "Skewness", "Kurtosis"};
const char *kTextureNames[] = {"Contrast", "Correlation", "Energy", "Homogeneity", "Entropy"};
constexpr int kMinSide = 16;

// numpy 'linear' quantile of the values described by an 8-bit histogram.
double histogramQuantile(const std::array<uint32_t, 256> &hist, uint64_t n, double q)
{
    const double pos = q * double(n - 1);
    const uint64_t lo = uint64_t(std::floor(pos)), hi = std::min<uint64_t>(lo + 1, n - 1);
    auto valueAt = [&](uint64_t k) { // k-th smallest value (0-based)
        uint64_t cum = 0;
        for (int v = 0; v < 256; ++v) {
            cum += hist[v];
            if (cum > k) return double(v);
        }
        return 255.0;
    };
    const double a = valueAt(lo), b = valueAt(hi);
    return a + (b - a) * (pos - double(lo));
}

void intensityFeatures(const std::array<uint32_t, 256> &hist, uint64_t n, float *out)
{
    double sum = 0;
    for (int v = 0; v < 256; ++v) sum += double(v) * hist[v];
    const double mean = sum / double(n);
    double m2 = 0, m3 = 0, m4 = 0;
    for (int v = 0; v < 256; ++v) {
        if (!hist[v]) continue;
        const double d = double(v) - mean, d2 = d * d;
        m2 += d2 * hist[v];
        m3 += d2 * d * hist[v];
        m4 += d2 * d2 * hist[v];
    }
    m2 /= double(n);
    m3 /= double(n);
    m4 /= double(n);
    const bool flat = m2 <= 0;
    out[0] = float(mean / 255.0);
    out[1] = float(std::sqrt(m2) / 255.0);
    const double qs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int i = 0; i < 5; ++i) out[2 + i] = float(histogramQuantile(hist, n, qs[i]) / 255.0);
    out[7] = flat ? 0.f : float(m3 / std::pow(m2, 1.5));
    out[8] = flat ? 0.f : float(m4 / (m2 * m2) - 3.0);
}

// Counts of (q[y][x], q[y+dy][x+dx]) pairs added to `counts` (levels x levels); four interleaved tables keep
// repeated bins from serialising on one memory location.
void countPairs(const uint8_t *q, int w, int h, int stride, int dy, int dx, uint32_t *counts)
{
    std::array<std::array<uint32_t, kLevels * kLevels>, 4> t{};
    const int x0 = std::max(0, -dx), x1 = std::min(w, w - dx);
    for (int y = 0; y + dy < h; ++y) {
        const uint8_t *a = q + size_t(y) * stride, *b = q + size_t(y + dy) * stride + dx;
        int x = x0;
        for (; x + 4 <= x1; x += 4) {
            ++t[0][a[x] * kLevels + b[x]];
            ++t[1][a[x + 1] * kLevels + b[x + 1]];
            ++t[2][a[x + 2] * kLevels + b[x + 2]];
            ++t[3][a[x + 3] * kLevels + b[x + 3]];
        }
        for (; x < x1; ++x) ++t[0][a[x] * kLevels + b[x]];
    }
    for (int i = 0; i < kLevels * kLevels; ++i) counts[i] += t[0][i] + t[1][i] + t[2][i] + t[3][i];
}

std::vector<double> normaliseSymmetric(const uint32_t *counts, int levels)
{
    std::vector<double> p(size_t(levels) * levels);
    double total = 0;
    for (int i = 0; i < levels; ++i)
        for (int j = 0; j < levels; ++j) {
            const double v = double(counts[i * levels + j]) + double(counts[j * levels + i]);
            p[size_t(i) * levels + j] = v;
            total += v;
        }
    if (total > 0)
        for (double &v : p) v /= total;
    return p;
}

void granularityFeatures(const uint8_t *img, int w, int h, int stride, int scales, float *out)
{
    const cv::Mat src(h, w, CV_8UC1, const_cast<uint8_t *>(img), size_t(stride));
    cv::Mat f;
    src.convertTo(f, CV_32F, 1.0 / 255.0);
    cv::Mat small;
    cv::resize(f, small, cv::Size(std::max(1, w / 2), std::max(1, h / 2)), 0, 0, cv::INTER_AREA);
    const double startMean = cv::mean(small)[0];
    const cv::Mat cross = cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3));
    cv::Mat eroded = small, opened;
    double previous = startMean;
    for (int k = 1; k <= scales; ++k) {
        cv::erode(eroded, eroded, cross);
        cv::dilate(eroded, opened, cross, cv::Point(-1, -1), k);
        const double m = cv::mean(opened)[0];
        out[k - 1] = startMean > 0 ? float(100.0 * (previous - m) / startMean) : 0.f;
        previous = m;
    }
}

} // namespace

std::vector<double> symmetricGlcm(const uint8_t *quantised, int w, int h, int stride, int levels, int dy, int dx)
{
    if (levels != kLevels) {
        // generic (slow) path for other level counts, used by tests only
        std::vector<uint32_t> counts(size_t(levels) * levels, 0);
        for (int y = 0; y + dy < h; ++y)
            for (int x = std::max(0, -dx); x < std::min(w, w - dx); ++x) {
                const int a = quantised[size_t(y) * stride + x], b = quantised[size_t(y + dy) * stride + x + dx];
                if (a >= levels || b >= levels) throw Error("GLCM: grey level out of range");
                ++counts[size_t(a) * levels + b];
            }
        return normaliseSymmetric(counts.data(), levels);
    }
    std::vector<uint32_t> counts(kLevels * kLevels, 0);
    countPairs(quantised, w, h, stride, dy, dx, counts.data());
    return normaliseSymmetric(counts.data(), kLevels);
}

GlcmProperties glcmProperties(const std::vector<double> &p, int levels)
{
    GlcmProperties r;
    double mean = 0, asm2 = 0;
    for (int i = 0; i < levels; ++i)
        for (int j = 0; j < levels; ++j) {
            const double v = p[size_t(i) * levels + j];
            if (v == 0) continue;
            const double d = double(i - j);
            r.contrast += v * d * d;
            r.homogeneity += v / (1.0 + d * d);
            asm2 += v * v;
            r.entropy -= v * std::log2(v);
            mean += v * i;
        }
    double var = 0, cov = 0;
    for (int i = 0; i < levels; ++i)
        for (int j = 0; j < levels; ++j) {
            const double v = p[size_t(i) * levels + j];
            if (v == 0) continue;
            var += v * (i - mean) * (i - mean);
            cov += v * (i - mean) * (j - mean);
        }
    r.energy = std::sqrt(asm2);
    r.correlation = std::sqrt(var) < 1e-15 ? 1.0 : cov / var; // symmetric GLCM: sigma_i = sigma_j
    return r;
}

HandcraftedExtractor::HandcraftedExtractor(HandcraftedOptions options) : m_options(std::move(options))
{
    if (m_options.channelNames.empty()) throw Error("handcrafted features: no channel names", "", "name every channel");
    for (int d : m_options.textureDistances)
        if (d < 1 || d > 64) throw Error("handcrafted features: texture distance " + std::to_string(d) + " out of range 1..64");
    if (m_options.granularityScales < 0 || m_options.granularityScales > 32)
        throw Error("handcrafted features: granularity scales must be in 0..32");
    for (const auto &ch : m_options.channelNames) {
        for (const char *n : kIntensityNames) m_names.push_back(ch + "_Intensity_" + n);
        for (int d : m_options.textureDistances)
            for (const char *n : kTextureNames) m_names.push_back(ch + "_Texture_" + n + "_d" + std::to_string(d));
        for (int k = 1; k <= m_options.granularityScales; ++k) m_names.push_back(ch + "_Granularity_" + std::to_string(k));
    }
    const auto &ch = m_options.channelNames;
    for (size_t a = 0; a < ch.size(); ++a)
        for (size_t b = a + 1; b < ch.size(); ++b) m_names.push_back("Corr_" + ch[a] + "_" + ch[b]);
}

std::vector<float> HandcraftedExtractor::extract(const std::vector<const uint8_t *> &channels, int w, int h,
                                                 int stride) const
{
    const size_t nc = m_options.channelNames.size();
    if (channels.size() != nc)
        throw Error("handcrafted features: got " + std::to_string(channels.size()) + " channels, expected " +
                        std::to_string(nc),
                    "", "pass one plane per configured channel name");
    if (w < kMinSide || h < kMinSide || stride < w)
        throw Error("handcrafted features: tile " + std::to_string(w) + "x" + std::to_string(h) +
                    " is too small (minimum 16x16) or has a bad stride");
    std::vector<float> out(m_names.size());
    float *o = out.data();
    const uint64_t n = uint64_t(w) * h;
    std::vector<uint8_t> q(size_t(w) * h);
    std::vector<uint64_t> sums(nc), sumsSq(nc);
    for (size_t c = 0; c < nc; ++c) {
        const uint8_t *img = channels[c];
        std::array<uint32_t, 256> hist{};
        for (int y = 0; y < h; ++y) {
            const uint8_t *row = img + size_t(y) * stride;
            uint8_t *qr = q.data() + size_t(y) * w;
            for (int x = 0; x < w; ++x) {
                ++hist[row[x]];
                qr[x] = uint8_t(row[x] >> kLevelShift);
            }
        }
        for (int v = 0; v < 256; ++v) {
            sums[c] += uint64_t(v) * hist[v];
            sumsSq[c] += uint64_t(v) * v * hist[v];
        }
        intensityFeatures(hist, n, o);
        o += 9;
        for (int d : m_options.textureDistances) {
            const int offsets[4][2] = {{0, d}, {d, d}, {d, 0}, {d, -d}}; // 0, 45, 90, 135 degrees (symmetric)
            GlcmProperties mean;
            for (const auto &off : offsets) {
                std::vector<uint32_t> counts(kLevels * kLevels, 0);
                countPairs(q.data(), w, h, w, off[0], off[1], counts.data());
                const GlcmProperties p = glcmProperties(normaliseSymmetric(counts.data(), kLevels), kLevels);
                mean.contrast += p.contrast / 4;
                mean.correlation += p.correlation / 4;
                mean.energy += p.energy / 4;
                mean.homogeneity += p.homogeneity / 4;
                mean.entropy += p.entropy / 4;
            }
            *o++ = float(mean.contrast);
            *o++ = float(mean.correlation);
            *o++ = float(mean.energy);
            *o++ = float(mean.homogeneity);
            *o++ = float(mean.entropy);
        }
        granularityFeatures(img, w, h, stride, m_options.granularityScales, o);
        o += m_options.granularityScales;
    }
    for (size_t a = 0; a < nc; ++a)
        for (size_t b = a + 1; b < nc; ++b) {
            uint64_t sxy = 0;
            for (int y = 0; y < h; ++y) {
                const uint8_t *ra = channels[a] + size_t(y) * stride, *rb = channels[b] + size_t(y) * stride;
                uint32_t rowSum = 0; // <= 65536 * 255 * 255 for rows up to 65536 pixels
                for (int x = 0; x < w; ++x) rowSum += uint32_t(ra[x]) * rb[x];
                sxy += rowSum;
            }
            const double nn = double(n);
            const double cov = nn * double(sxy) - double(sums[a]) * double(sums[b]);
            const double va = nn * double(sumsSq[a]) - double(sums[a]) * double(sums[a]);
            const double vb = nn * double(sumsSq[b]) - double(sums[b]) * double(sums[b]);
            *o++ = (va > 0 && vb > 0) ? float(cov / std::sqrt(va * vb)) : 0.f;
        }
    return out;
}

std::vector<float> HandcraftedExtractor::extract(const std::vector<cv::Mat> &channels) const
{
    std::vector<const uint8_t *> ptrs;
    for (size_t c = 0; c < channels.size(); ++c) {
        const cv::Mat &m = channels[c];
        const std::string name = c < m_options.channelNames.size() ? m_options.channelNames[c] : std::to_string(c);
        if (m.type() != CV_8UC1)
            throw Error("handcrafted features: channel " + name + " is not an 8-bit single-channel image", "",
                        "convert the tile to uint8 first (image pipeline)");
        if (m.size() != channels[0].size() || m.step[0] != channels[0].step[0])
            throw Error("handcrafted features: channel " + name + " differs in size from the first channel");
        ptrs.push_back(m.ptr<uint8_t>(0));
    }
    if (channels.empty()) return extract(ptrs, 0, 0, 0);
    return extract(ptrs, channels[0].cols, channels[0].rows, int(channels[0].step[0]));
}

std::vector<float> HandcraftedExtractor::extractBatch(const uint8_t *tiles, int n, int h, int w) const
{
    const size_t nc = m_options.channelNames.size(), plane = size_t(h) * w, nf = m_names.size();
    std::vector<float> out(size_t(std::max(0, n)) * nf);
    parallelFor(size_t(std::max(0, n)), [&](size_t t) {
        std::vector<const uint8_t *> ch(nc);
        for (size_t c = 0; c < nc; ++c) ch[c] = tiles + (t * nc + c) * plane;
        const std::vector<float> f = extract(ch, w, h, w);
        std::copy(f.begin(), f.end(), out.begin() + t * nf);
    });
    return out;
}

} // namespace cprecon::features
