#pragma once
// Colour maps for signed and unsigned difference images, chosen to be colour-blind safe:
// ColorBrewer RdBu (diverging: blue = reconstruction darker than the original, red = brighter, white = equal) and
// viridis (sequential, for |difference|). Plus a colour bar image with tick labels for figures.
#include <QColor>
#include <QImage>
#include <QString>

#include <opencv2/core.hpp>

namespace cprecon {

enum class Colormap { DivergingRdBu, SequentialViridis };

// Colour at t in [0, 1] (clamped).
QColor colormapColor(Colormap map, double t);

// Signed image (any depth; e.g. CV_16S / CV_32F reconstruction − original) mapped symmetrically: −range → blue,
// 0 → white, +range → red. With `absolute`, |value| in [0, range] is mapped through viridis instead.
QImage renderDifference(const cv::Mat &signedDiff, double range, bool absolute);

// Vertical colour bar (width x height) with the value range written beside it; `label` e.g. "recon − orig".
QImage renderColorBar(Colormap map, double minValue, double maxValue, const QString &label, int width, int height);

} // namespace cprecon
