#include "render/Colormaps.h"

#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace cprecon {

namespace {
// ColorBrewer RdBu (11 classes), reversed so that low = blue, high = red.
constexpr std::array<QRgb, 11> kRdBu = {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
                                        0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f};
// viridis at t = 0, 1/8, ..., 1.
constexpr std::array<QRgb, 9> kViridis = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
                                          0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};

template <size_t N> QRgb interpolate(const std::array<QRgb, N> &stops, double t)
{
    t = std::clamp(t, 0.0, 1.0) * double(N - 1);
    const size_t i = std::min(N - 2, size_t(t));
    const double f = t - double(i);
    auto mix = [f](int a, int b) { return int(std::lround(a + (b - a) * f)); };
    const QRgb a = stops[i], b = stops[i + 1];
    return qRgb(mix(qRed(a), qRed(b)), mix(qGreen(a), qGreen(b)), mix(qBlue(a), qBlue(b)));
}
} // namespace

QColor colormapColor(Colormap map, double t)
{
    return QColor(map == Colormap::DivergingRdBu ? interpolate(kRdBu, t) : interpolate(kViridis, t));
}

QImage renderDifference(const cv::Mat &signedDiff, double range, bool absolute)
{
    if (signedDiff.empty()) return {};
    cv::Mat d;
    signedDiff.convertTo(d, CV_32F);
    range = std::max(range, 1e-12);
    // Precomputed 1024-entry palettes keep the per-pixel work to one lookup.
    std::array<QRgb, 1024> lut{};
    for (size_t i = 0; i < lut.size(); ++i)
        lut[i] = absolute ? interpolate(kViridis, double(i) / 1023.0) : interpolate(kRdBu, double(i) / 1023.0);
    QImage out(d.cols, d.rows, QImage::Format_RGB32);
    for (int y = 0; y < d.rows; ++y) {
        const float *src = d.ptr<float>(y);
        auto *dst = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < d.cols; ++x) {
            const double t = absolute ? std::fabs(src[x]) / range : 0.5 + 0.5 * src[x] / range;
            dst[x] = lut[size_t(std::lround(std::clamp(t, 0.0, 1.0) * 1023.0))];
        }
    }
    return out;
}

QImage renderColorBar(Colormap map, double minValue, double maxValue, const QString &label, int width, int height)
{
    QImage img(width, height, QImage::Format_ARGB32);
    img.fill(Qt::transparent);
    QPainter p(&img);
    const int barW = std::max(8, width / 4), top = 14, bottom = height - 14;
    for (int y = top; y < bottom; ++y) {
        const double t = 1.0 - double(y - top) / std::max(1, bottom - top - 1);
        p.setPen(colormapColor(map, t));
        p.drawLine(0, y, barW, y);
    }
    p.setPen(Qt::black);
    p.drawRect(0, top, barW, bottom - top);
    QFont f = p.font();
    f.setPixelSize(std::max(8, std::min(width / 8, height / 10)));
    p.setFont(f);
    auto tick = [&](double v, int y) {
        p.drawLine(barW, y, barW + 3, y);
        p.drawText(QRect(barW + 5, y - 8, width - barW - 5, 16), Qt::AlignVCenter | Qt::AlignLeft,
                   QString::number(v, 'g', 3));
    };
    tick(maxValue, top);
    tick((minValue + maxValue) / 2, (top + bottom) / 2);
    tick(minValue, bottom - 1);
    p.drawText(QRect(0, 0, width, top), Qt::AlignLeft | Qt::AlignVCenter, label);
    return img;
}

} // namespace cprecon
