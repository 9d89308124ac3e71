#include "render/ImageRendering.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace cprecon {

namespace {
// Value at fraction q of the sorted pixels, from an exact histogram for integer images.
template <typename T> double quantileFromHistogram(const cv::Mat &img, double qLow, double qHigh, double *high)
{
    const size_t bins = std::numeric_limits<T>::max() + size_t(1);
    std::vector<uint32_t> hist(bins, 0);
    for (int y = 0; y < img.rows; ++y) {
        const T *row = img.ptr<T>(y);
        for (int x = 0; x < img.cols; ++x) ++hist[row[x]];
    }
    const double n = double(img.total());
    const double targetLow = qLow * n, targetHigh = qHigh * n;
    double cum = 0, low = 0;
    bool lowSet = false;
    *high = double(bins - 1);
    for (size_t v = 0; v < bins; ++v) {
        cum += hist[v];
        if (!lowSet && cum > targetLow) {
            low = double(v);
            lowSet = true;
        }
        if (cum >= targetHigh) {
            *high = double(v);
            break;
        }
    }
    return low;
}
} // namespace

ContrastLimits autoContrast(const cv::Mat &image, double saturationPercent)
{
    ContrastLimits c;
    if (image.empty()) return c;
    const double s = std::clamp(saturationPercent, 0.0, 50.0) / 100.0;
    const double qLow = s / 2, qHigh = 1.0 - s / 2;
    cv::Mat gray = image.channels() == 1 ? image : cv::Mat();
    if (gray.empty()) cv::extractChannel(image, gray, 0);
    if (gray.depth() == CV_8U) {
        c.low = quantileFromHistogram<uint8_t>(gray, qLow, qHigh, &c.high);
    } else if (gray.depth() == CV_16U) {
        c.low = quantileFromHistogram<uint16_t>(gray, qLow, qHigh, &c.high);
    } else {
        cv::Mat f;
        gray.convertTo(f, CV_64F);
        std::vector<double> v(f.begin<double>(), f.end<double>());
        const size_t lo = size_t(qLow * double(v.size() - 1)), hi = size_t(qHigh * double(v.size() - 1));
        std::nth_element(v.begin(), v.begin() + lo, v.end());
        c.low = v[lo];
        std::nth_element(v.begin(), v.begin() + hi, v.end());
        c.high = v[hi];
    }
    if (c.high <= c.low) c.high = c.low + 1; // flat image: avoid a zero range
    return c;
}

void linkContrastLimits(QVector<ContrastLimits> &limits)
{
    if (limits.isEmpty()) return;
    ContrastLimits shared = limits.first();
    for (const auto &l : limits) {
        shared.low = std::min(shared.low, l.low);
        shared.high = std::max(shared.high, l.high);
    }
    for (auto &l : limits) l = shared;
}

QColor stainColor(const QString &stain)
{
    const QString s = stain.toLower();
    if (s == QLatin1String("dna")) return QColor(40, 110, 255);
    if (s == QLatin1String("er")) return QColor(0, 220, 0);
    if (s == QLatin1String("rna")) return QColor(255, 210, 0);
    if (s == QLatin1String("agp")) return QColor(255, 40, 40);
    if (s == QLatin1String("mito")) return QColor(230, 0, 230);
    if (s == QLatin1String("r")) return Qt::red;
    if (s == QLatin1String("g")) return Qt::green;
    if (s == QLatin1String("b")) return Qt::blue;
    return Qt::white;
}

static cv::Mat normalised(const cv::Mat &image, const ContrastLimits &l)
{
    cv::Mat f;
    const double range = std::max(1e-12, l.high - l.low);
    image.convertTo(f, CV_32F, 1.0 / range, -l.low / range);
    cv::min(cv::max(f, 0.0), 1.0, f);
    return f;
}

QImage renderChannel(const cv::Mat &image, const ContrastLimits &limits, const QColor &color)
{
    return renderComposite({image}, {limits}, {color});
}

QImage renderComposite(const QVector<cv::Mat> &images, const QVector<ContrastLimits> &limits,
                       const QVector<QColor> &colors)
{
    if (images.isEmpty() || images.first().empty()) return {};
    const int w = images.first().cols, h = images.first().rows;
    cv::Mat acc(h, w, CV_32FC3, cv::Scalar(0, 0, 0));
    for (int i = 0; i < images.size(); ++i) {
        if (images[i].empty() || images[i].cols != w || images[i].rows != h) continue;
        const cv::Mat n = normalised(images[i], limits.value(i));
        const QColor c = colors.value(i, Qt::white);
        const float r = float(c.redF()), g = float(c.greenF()), b = float(c.blueF());
        for (int y = 0; y < h; ++y) {
            const float *src = n.ptr<float>(y);
            cv::Vec3f *dst = acc.ptr<cv::Vec3f>(y);
            for (int x = 0; x < w; ++x) dst[x] += cv::Vec3f(r * src[x], g * src[x], b * src[x]);
        }
    }
    QImage out(w, h, QImage::Format_RGB32);
    for (int y = 0; y < h; ++y) {
        const cv::Vec3f *src = acc.ptr<cv::Vec3f>(y);
        auto *dst = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < w; ++x) {
            auto q = [](float v) { return int(std::lround(std::min(1.0f, v) * 255.0f)); };
            dst[x] = qRgb(q(src[x][0]), q(src[x][1]), q(src[x][2]));
        }
    }
    return out;
}

} // namespace cprecon
