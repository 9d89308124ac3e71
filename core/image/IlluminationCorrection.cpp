#include "image/IlluminationCorrection.h"

#include "util/Error.h"

#include <cmath>
#include <string>

namespace cprecon {

static std::string sizeText(const cv::Mat &m)
{
    return std::to_string(m.cols) + "x" + std::to_string(m.rows);
}

IllumResult applyIllumination(const cv::Mat &raw, const cv::Mat &illum, const QString &imagePath,
                              const QString &illumPath, IllumInvalid policy)
{
    const std::string img = imagePath.toStdString(), ill = illumPath.toStdString();
    if (raw.empty() || raw.channels() != 1)
        throw Error("illumination correction needs a single-channel image", img, "read the channel as grayscale");
    if (illum.empty() || illum.channels() != 1)
        throw Error("illumination function is empty or not single-channel", ill,
                    "give one 2-D float array per channel");
    if (raw.rows != illum.rows || raw.cols != illum.cols)
        throw Error("illumination function " + ill + " is " + sizeText(illum) + " (WxH) but image " + img + " is "
                        + sizeText(raw),
                    ill, "use the illumination functions computed for this plate and microscope (same image size)");

    cv::Mat r, f;
    raw.convertTo(r, CV_64F);
    illum.convertTo(f, CV_64F);
    IllumResult out;
    out.corrected.create(r.rows, r.cols, CV_64FC1);
    long long invalid = 0;
    int firstRow = -1, firstCol = -1;
    double firstValue = 0;
    for (int y = 0; y < r.rows; ++y) {
        const double *rp = r.ptr<double>(y);
        const double *fp = f.ptr<double>(y);
        double *op = out.corrected.ptr<double>(y);
        for (int x = 0; x < r.cols; ++x) {
            const double v = fp[x];
            if (!(v > 0) || !std::isfinite(v)) {
                if (invalid++ == 0) { firstRow = y; firstCol = x; firstValue = v; }
                op[x] = rp[x];
            } else {
                op[x] = rp[x] / v;
            }
        }
    }
    if (invalid > 0 && policy == IllumInvalid::Error)
        throw Error(std::to_string(invalid) + " illumination value(s) are zero, negative or not finite (first at row "
                        + std::to_string(firstRow) + ", col " + std::to_string(firstCol) + ": "
                        + std::to_string(firstValue) + "); dividing image " + img + " by them is undefined",
                    ill, "recompute the illumination function (CellProfiler CorrectIlluminationCalculate), or run "
                         "with illumination 'none'");
    out.invalidPixels = invalid;
    return out;
}

} // namespace cprecon
