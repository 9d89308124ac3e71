#pragma once
// Turning microscope channel images (8/16-bit or float cv::Mat) into coloured QImages for display:
// contrast limits (auto percentile with a saturation %, or manual), a LUT colour per stain, composites.
// No widgets here (core/render), so the CLI renders the same figures and it is unit-tested headless.
#include <QColor>
#include <QImage>
#include <QString>
#include <QVector>

#include <opencv2/core.hpp>

namespace cprecon {

struct ContrastLimits {
    double low = 0;
    double high = 1;
    bool operator==(const ContrastLimits &o) const { return low == o.low && high == o.high; }
};

// Limits that saturate `saturationPercent` of the pixels, half at each end (ImageJ's "auto" with saturation).
ContrastLimits autoContrast(const cv::Mat &image, double saturationPercent);

// Linked contrast: every channel gets the union of all channels' limits (lowest low, highest high).
void linkContrastLimits(QVector<ContrastLimits> &limits);

// Default display colour of a stain (DNA blue, ER green, RNA yellow, AGP red, Mito magenta; photos R/G/B).
QColor stainColor(const QString &stain);

// Grayscale image mapped through [low, high] to 0..1 and tinted with `color` (black -> color).
QImage renderChannel(const cv::Mat &image, const ContrastLimits &limits, const QColor &color);

// Additive blend of several tinted channels (all images of the same size), clipped at white.
QImage renderComposite(const QVector<cv::Mat> &images, const QVector<ContrastLimits> &limits,
                       const QVector<QColor> &colors);

} // namespace cprecon
