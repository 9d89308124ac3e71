#include "models/JpegCodec.h"

#include "util/Error.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>

namespace cprecon {

JpegReconstructor::JpegReconstructor(int quality) : m_quality(quality)
{
    if (quality < 1 || quality > 100) throw Error("JPEG quality must be 1-100", "", "use e.g. jpeg:75");
}

std::string JpegReconstructor::description() const
{
    return "JPEG quality " + std::to_string(m_quality) + " (OpenCV libjpeg, 4:2:0), no weights";
}

double JpegReconstructor::latentValues(int h, int w) const { return 3.0 * h * w / 10.0; }

Reconstruction JpegReconstructor::reconstruct(const HostTensor &x, const ReconstructOptions &)
{
    if (x.shape.size() != 4 || x.shape[1] != 3)
        throw Error("reconstructor input must be N x 3 x H x W", "", "pass RGB tiles");
    const int n = static_cast<int>(x.shape[0]), h = static_cast<int>(x.shape[2]), w = static_cast<int>(x.shape[3]);
    const size_t plane = static_cast<size_t>(h) * w;
    Reconstruction r;
    r.images.shape = x.shape;
    r.images.values.resize(x.values.size());
    const std::vector<int> params{cv::IMWRITE_JPEG_QUALITY, m_quality};
    double totalBytes = 0;
    for (int i = 0; i < n; ++i) {
        const float *src = x.values.data() + static_cast<size_t>(i) * 3 * plane;
        cv::Mat bgr(h, w, CV_8UC3);
        for (int y = 0; y < h; ++y) {
            auto *row = bgr.ptr<cv::Vec3b>(y);
            for (int xx = 0; xx < w; ++xx)
                for (int c = 0; c < 3; ++c) { // RGB planes -> BGR pixels
                    const float v = src[static_cast<size_t>(c) * plane + static_cast<size_t>(y) * w + xx];
                    row[xx][2 - c] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f));
                }
        }
        std::vector<uchar> bytes;
        if (!cv::imencode(".jpg", bgr, bytes, params)) throw Error("JPEG encoding failed", "", "check OpenCV's JPEG support");
        totalBytes += static_cast<double>(bytes.size());
        const cv::Mat dec = cv::imdecode(bytes, cv::IMREAD_COLOR);
        if (dec.rows != h || dec.cols != w) throw Error("JPEG decoding failed", "", "check OpenCV's JPEG support");
        float *dst = r.images.values.data() + static_cast<size_t>(i) * 3 * plane;
        for (int y = 0; y < h; ++y) {
            const auto *row = dec.ptr<cv::Vec3b>(y);
            for (int xx = 0; xx < w; ++xx)
                for (int c = 0; c < 3; ++c)
                    dst[static_cast<size_t>(c) * plane + static_cast<size_t>(y) * w + xx] = row[xx][2 - c] / 255.f;
        }
    }
    r.compressedBytesPerTile = n > 0 ? totalBytes / n : 0;
    r.compressedValuesPerTile = r.compressedBytesPerTile; // bytes are the stored values
    return r;
}

} // namespace cprecon
