#pragma once
// Conversion of (corrected) microscope intensities to the uint8 images the models see.
//
// Paper mode (default, PROTOCOL.md "divided by 256 and stored as uint8, values above 255 clip"):
//     u8 = floor(clip(v / 256, 0, 255))
// i.e. exactly what numpy's `np.clip(img / 256, 0, 255).astype(np.uint8)` gives (astype truncates toward zero,
// which equals floor after clipping at 0). For a raw uint16 image this is v >> 8. v is the float64 corrected value
// when illumination correction ran, the raw value otherwise. NaN cannot reach this step (illumination correction
// refuses invalid functions); it is nevertheless mapped to 0, never left undefined.
//
// Percentile mode (for data whose 16-bit range is far from the paper's, optional):
//     lo = P_low(v), hi = P_high(v)   (NumPy's default 'linear' percentile over all pixels of the image)
//     u8 = rint(clip((v - lo) / (hi - lo), 0, 1) * 255)   (rint = round half to even, like np.rint)
// When hi <= lo (constant image) the result is all zeros.
//
// 8-bit sources (e.g. BBBC022 PNGs already stretched to 0..255 by their publisher) pass through unchanged in both
// modes: their values are already display-ready and dividing them by 256 would erase them. When an 8-bit source
// was illumination-corrected, its corrected values are clipped to [0, 255] and truncated (no division).
#include <QString>

#include <opencv2/core.hpp>

namespace cprecon {

enum class ConversionMode { Paper, Percentile };

struct ConversionOptions {
    ConversionMode mode = ConversionMode::Paper;
    double lowPercentile = 0.1;  // percent, used by Percentile mode
    double highPercentile = 99.9;
};

// "paper" / "percentile" (throws Error on anything else).
ConversionMode parseConversionMode(const QString &text);
QString conversionModeName(ConversionMode mode);

// img: CV_8UC1 / CV_16UC1 raw, or CV_32F/CV_64F corrected values of a source with `sourceDepth` (CV_8U or CV_16U).
cv::Mat toUint8(const cv::Mat &img, int sourceDepth, const ConversionOptions &options = {});

// The paper's rule alone (v / 256, clip, truncate) on any single-channel numeric image.
cv::Mat toUint8Paper(const cv::Mat &img);

// The percentile stretch alone.
cv::Mat toUint8Percentile(const cv::Mat &img, double lowPercent, double highPercent);

// NumPy np.percentile(img, p) with the default 'linear' method (p in percent, 0..100), over all pixels.
double percentile(const cv::Mat &img, double p);

} // namespace cprecon
