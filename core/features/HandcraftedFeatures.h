#pragma once
// Weight-free handcrafted features of one multi-channel 8-bit tile (docs/user/metrics.md, "Feature extractor"),
// so phenotypic activity can be computed before any network weights are present. Deterministic, no RNG.
// Per channel (values on the [0,1] scale, x = pixel / 255):
//   <Ch>_Intensity_{Mean, SD, Q05, Q25, Median, Q75, Q95, Skewness, Kurtosis}
//       population SD; numpy-linear quantiles; skewness m3/m2^1.5, excess kurtosis m4/m2^2 - 3 (0 when SD = 0)
//   <Ch>_Texture_{Contrast, Correlation, Energy, Homogeneity, Entropy}_d{1,2,4}
//       symmetric grey-level co-occurrence matrix of the image quantised to 32 levels (v >> 3), pixel distance d,
//       4 directions (0, 45, 90, 135 degrees) averaged. Contrast, Correlation, Energy (= sqrt of the angular
//       second moment), Homogeneity as skimage.feature.graycoprops (Correlation = 1 for constant images, as skimage);
//       Entropy = -sum p log2 p (mahotas / CellProfiler).
//   <Ch>_Granularity_{1..6}
//       CellProfiler-style granularity spectrum on the tile downsampled 2x (area average): grey-scale openings
//       with a diamond structuring element of radius k = 1..6 (k iterations of a 3x3 cross), GS_k =
//       100 * (mean(open_{k-1}) - mean(open_k)) / mean(image), open_0 = image (0 for a black image).
// Across channels: Corr_<A>_<B> = Pearson correlation of the pixel values of channels A and B (0 when one is
// constant), for every pair in channel order.
#include <cstdint>
#include <string>
#include <vector>

namespace cv { class Mat; }

namespace cprecon::features {

struct HandcraftedOptions {
    std::vector<std::string> channelNames{"DNA", "ER", "RNA", "AGP", "Mito"};
    std::vector<int> textureDistances{1, 2, 4};
    int granularityScales = 6;
};

class HandcraftedExtractor {
public:
    explicit HandcraftedExtractor(HandcraftedOptions options = {}); // throws cprecon::Error on bad options
    const HandcraftedOptions &options() const { return m_options; }
    const std::vector<std::string> &featureNames() const { return m_names; }
    int featureCount() const { return int(m_names.size()); }

    // One tile: channels[c] points to an h x w 8-bit plane with `stride` bytes per row; one pointer per
    // channel name. Throws cprecon::Error on a channel-count mismatch or tiles smaller than 16 x 16.
    std::vector<float> extract(const std::vector<const uint8_t *> &channels, int w, int h, int stride) const;
    // Same from CV_8UC1 matrices of equal size (other types: cprecon::Error naming the channel).
    std::vector<float> extract(const std::vector<cv::Mat> &channels) const;
    // Batch of N contiguous tiles (N x C x H x W), tiles in parallel on the CPU pool. Returns N x featureCount() row-major.
    std::vector<float> extractBatch(const uint8_t *tiles, int n, int h, int w) const;

private:
    HandcraftedOptions m_options;
    std::vector<std::string> m_names;
};

// Building blocks, public for tests.
// Symmetric GLCM (levels x levels, normalised to sum 1) of a quantised image for offset (dy, dx), summed
// over the given offsets before normalising when several are given.
std::vector<double> symmetricGlcm(const uint8_t *quantised, int w, int h, int stride, int levels, int dy, int dx);
struct GlcmProperties {
    double contrast = 0, correlation = 0, energy = 0, homogeneity = 0, entropy = 0;
};
GlcmProperties glcmProperties(const std::vector<double> &p, int levels);

} // namespace cprecon::features
