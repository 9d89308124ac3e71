#pragma once
// Illumination correction with CellProfiler's CorrectIlluminationApply "Divide" semantics:
//     corrected(y, x) = raw(y, x) / illum(y, x)        (float64, no rescaling, no clipping)
// The illumination function must have exactly the image's shape (rows, cols); otherwise an Error names both
// files and both sizes. CellProfiler's illumination functions are strictly positive (its smoothing and robust
// minimum make them so); a value that is zero, negative, NaN or infinite would turn pixels into inf/NaN or flip
// their sign, so by default it is an Error (count and first position, both files named). The alternative policy
// `IllumInvalid::KeepRaw` leaves those pixels uncorrected (divides by 1) and reports how many there were.
#include <QString>

#include <opencv2/core.hpp>

namespace cprecon {

enum class IllumInvalid { Error, KeepRaw };

struct IllumResult {
    cv::Mat corrected;        // CV_64FC1, same size as the raw image
    long long invalidPixels = 0; // illum values <= 0 or not finite (only non-zero with IllumInvalid::KeepRaw)
};

// raw: CV_8UC1 or CV_16UC1 (or any single-channel numeric Mat); illum: CV_32F/CV_64F single channel.
// imagePath / illumPath only name the files in error messages.
IllumResult applyIllumination(const cv::Mat &raw, const cv::Mat &illum, const QString &imagePath,
                              const QString &illumPath, IllumInvalid policy = IllumInvalid::Error);

} // namespace cprecon
