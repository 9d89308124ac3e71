#include "models/PcaPatches.h"

#include "util/Error.h"

#include <opencv2/core.hpp>

#include <algorithm>

namespace cprecon {

PcaPatchReconstructor::PcaPatchReconstructor(int patch, int components) : m_patch(patch), m_components(components)
{
    if (patch < 1 || patch > 64 || components < 1 || components > 3 * patch * patch)
        throw Error("PCA patch baseline needs 1 <= patch <= 64 and 1 <= components <= 3*patch^2", "", "use e.g. pca:8:4");
}

std::string PcaPatchReconstructor::name() const
{
    if (m_patch == 8 && m_components == 4) return "pca8";
    return "pca:" + std::to_string(m_patch) + ":" + std::to_string(m_components);
}

std::string PcaPatchReconstructor::description() const
{
    return "PCA on " + std::to_string(m_patch) + "x" + std::to_string(m_patch) + "x3 patches, " +
           std::to_string(m_components) + " components per patch (basis fitted per batch), no weights";
}

double PcaPatchReconstructor::latentValues(int h, int w) const
{
    return static_cast<double>(m_components) * (h / m_patch) * (w / m_patch);
}

Reconstruction PcaPatchReconstructor::reconstruct(const HostTensor &x, const ReconstructOptions &)
{
    if (x.shape.size() != 4 || x.shape[1] != 3)
        throw Error("reconstructor input must be N x 3 x H x W", "", "pass RGB tiles");
    const int n = static_cast<int>(x.shape[0]), h = static_cast<int>(x.shape[2]), w = static_cast<int>(x.shape[3]);
    const int p = m_patch;
    if (h % p || w % p)
        throw Error("tile size " + std::to_string(h) + "x" + std::to_string(w) + " is not a multiple of the patch size " +
                        std::to_string(p), "", "use tiles whose sides are multiples of " + std::to_string(p));
    const int ph = h / p, pw = w / p, dim = 3 * p * p;
    const int rows = n * ph * pw;
    if (rows < 2) throw Error("PCA baseline needs at least two patches", "", "use larger or more tiles");
    const size_t plane = static_cast<size_t>(h) * w;
    auto at = [&](int img, int c, int y, int xx) -> size_t {
        return (static_cast<size_t>(img) * 3 + c) * plane + static_cast<size_t>(y) * w + xx;
    };
    cv::Mat data(rows, dim, CV_32F);
    int r = 0;
    for (int img = 0; img < n; ++img)
        for (int by = 0; by < ph; ++by)
            for (int bx = 0; bx < pw; ++bx, ++r) {
                float *row = data.ptr<float>(r);
                int k = 0;
                for (int c = 0; c < 3; ++c)
                    for (int y = 0; y < p; ++y)
                        for (int xx = 0; xx < p; ++xx) row[k++] = x.values[at(img, c, by * p + y, bx * p + xx)];
            }
    const int keep = std::min(m_components, std::min(rows, dim));
    cv::PCA pca(data, cv::noArray(), cv::PCA::DATA_AS_ROW, keep);
    const cv::Mat coeffs = pca.project(data);
    const cv::Mat back = pca.backProject(coeffs);
    Reconstruction out;
    out.images.shape = x.shape;
    out.images.values.resize(x.values.size());
    r = 0;
    for (int img = 0; img < n; ++img)
        for (int by = 0; by < ph; ++by)
            for (int bx = 0; bx < pw; ++bx, ++r) {
                const float *row = back.ptr<float>(r);
                int k = 0;
                for (int c = 0; c < 3; ++c)
                    for (int y = 0; y < p; ++y)
                        for (int xx = 0; xx < p; ++xx)
                            out.images.values[at(img, c, by * p + y, bx * p + xx)] = std::clamp(row[k++], 0.f, 1.f);
            }
    out.compressedValuesPerTile = latentValues(h, w);
    out.compressedBytesPerTile = out.compressedValuesPerTile; // nominal 1 byte/value, as the other models
    return out;
}

} // namespace cprecon
