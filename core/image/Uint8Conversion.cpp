#include "image/Uint8Conversion.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cprecon {

ConversionMode parseConversionMode(const QString &text)
{
    if (text == QLatin1String("paper")) return ConversionMode::Paper;
    if (text == QLatin1String("percentile")) return ConversionMode::Percentile;
    throw Error("unknown conversion mode '" + text.toStdString() + "'", "", "use 'paper' or 'percentile'");
}

QString conversionModeName(ConversionMode mode)
{
    return mode == ConversionMode::Paper ? QStringLiteral("paper") : QStringLiteral("percentile");
}

static void requireSingleChannel(const cv::Mat &img)
{
    if (img.empty() || img.channels() != 1)
        throw Error("uint8 conversion expects a non-empty single-channel image", "", "convert one channel at a time");
}

// floor(clip(v * scale, 0, 255)); NaN -> 0.
static cv::Mat clipTruncate(const cv::Mat &img, double scale)
{
    cv::Mat d;
    img.convertTo(d, CV_64F);
    cv::Mat out(img.rows, img.cols, CV_8UC1);
    for (int y = 0; y < d.rows; ++y) {
        const double *p = d.ptr<double>(y);
        uchar *o = out.ptr<uchar>(y);
        for (int x = 0; x < d.cols; ++x) {
            const double v = p[x] * scale;
            o[x] = v >= 255.0 ? uchar(255) : v > 0.0 ? static_cast<uchar>(v) : uchar(0); // NaN fails both tests
        }
    }
    return out;
}

cv::Mat toUint8Paper(const cv::Mat &img)
{
    requireSingleChannel(img);
    if (img.depth() == CV_16U) {
        // Exact integer shortcut of floor(v / 256) for raw 16-bit data.
        cv::Mat out(img.rows, img.cols, CV_8UC1);
        for (int y = 0; y < img.rows; ++y) {
            const ushort *p = img.ptr<ushort>(y);
            uchar *o = out.ptr<uchar>(y);
            for (int x = 0; x < img.cols; ++x) o[x] = static_cast<uchar>(p[x] >> 8);
        }
        return out;
    }
    return clipTruncate(img, 1.0 / 256.0);
}

double percentile(const cv::Mat &img, double p)
{
    requireSingleChannel(img);
    if (!(p >= 0.0 && p <= 100.0))
        throw Error("percentile " + std::to_string(p) + " outside [0, 100]", "", "give percentiles in percent, e.g. 0.1 and 99.9");
    const size_t n = img.total();
    const double index = p / 100.0 * static_cast<double>(n - 1);
    const size_t k0 = static_cast<size_t>(std::floor(index));
    const size_t k1 = std::min(k0 + 1, n - 1);
    const double frac = index - static_cast<double>(k0);
    double v0 = 0, v1 = 0;
    if (img.depth() == CV_16U || img.depth() == CV_8U) {
        // Integer data: order statistics from a histogram (no sort of a million pixels).
        std::vector<size_t> hist(img.depth() == CV_16U ? 65536 : 256, 0);
        for (int y = 0; y < img.rows; ++y) {
            if (img.depth() == CV_16U) {
                const ushort *q = img.ptr<ushort>(y);
                for (int x = 0; x < img.cols; ++x) ++hist[q[x]];
            } else {
                const uchar *q = img.ptr<uchar>(y);
                for (int x = 0; x < img.cols; ++x) ++hist[q[x]];
            }
        }
        size_t seen = 0;
        bool have0 = false;
        for (size_t v = 0; v < hist.size(); ++v) {
            seen += hist[v];
            if (!have0 && seen > k0) { v0 = double(v); have0 = true; }
            if (seen > k1) { v1 = double(v); break; }
        }
    } else {
        cv::Mat d;
        img.convertTo(d, CV_64F);
        std::vector<double> values;
        values.reserve(n);
        for (int y = 0; y < d.rows; ++y) {
            const double *q = d.ptr<double>(y);
            values.insert(values.end(), q, q + d.cols);
        }
        if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
            throw Error("cannot compute a percentile of an image containing NaN", "", "check the illumination correction");
        std::nth_element(values.begin(), values.begin() + static_cast<long>(k0), values.end());
        v0 = values[k0];
        v1 = k1 == k0 ? v0 : *std::min_element(values.begin() + static_cast<long>(k0) + 1, values.end());
    }
    return v0 + (v1 - v0) * frac;
}

cv::Mat toUint8Percentile(const cv::Mat &img, double lowPercent, double highPercent)
{
    requireSingleChannel(img);
    if (!(lowPercent < highPercent))
        throw Error("percentile stretch needs low < high (got " + std::to_string(lowPercent) + " and "
                        + std::to_string(highPercent) + ")",
                    "", "e.g. --low 0.1 --high 99.9");
    const double lo = percentile(img, lowPercent);
    const double hi = percentile(img, highPercent);
    cv::Mat out(img.rows, img.cols, CV_8UC1, cv::Scalar(0));
    if (!(hi > lo)) return out; // constant image
    cv::Mat d;
    img.convertTo(d, CV_64F);
    const double range = hi - lo;
    for (int y = 0; y < d.rows; ++y) {
        const double *p = d.ptr<double>(y);
        uchar *o = out.ptr<uchar>(y);
        for (int x = 0; x < d.cols; ++x) {
            double t = (p[x] - lo) / range; // divide (not multiply by 1/range): same rounding as numpy
            t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
            o[x] = static_cast<uchar>(std::nearbyint(t * 255.0));
        }
    }
    return out;
}

cv::Mat toUint8(const cv::Mat &img, int sourceDepth, const ConversionOptions &options)
{
    requireSingleChannel(img);
    if (sourceDepth == CV_8U) {
        if (img.depth() == CV_8U) return img.clone();
        return clipTruncate(img, 1.0);
    }
    if (sourceDepth != CV_16U)
        throw Error("uint8 conversion: source images must be 8- or 16-bit", "", "read images with readImageFile");
    if (options.mode == ConversionMode::Paper) return toUint8Paper(img);
    return toUint8Percentile(img, options.lowPercentile, options.highPercentile);
}

} // namespace cprecon
