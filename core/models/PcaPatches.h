#pragma once
// Weight-free LINEAR baseline with exactly the SD-VAE latent's shape: every tile is cut into non-overlapping
// p x p x 3 patches (p = 8 -> 192 values), a PCA basis is fitted on all patches of the batch (mean removed,
// OpenCV cv::PCA, data as rows), each patch is kept as its first k coefficients (k = 4 -> 4 x 32 x 32 numbers
// per 256 x 256 tile, the size of the SD-VAE latent, 48x) and reconstructed from them, clamped to [0, 1].
// The basis (192 x k + mean) is side information shared by the batch and not counted per tile.
// Model name: "pca:<p>:<k>" ("pca8" = "pca:8:4").
#include "models/Reconstructor.h"

namespace cprecon {

class PcaPatchReconstructor : public Reconstructor {
public:
    PcaPatchReconstructor(int patch = 8, int components = 4);
    std::string name() const override;
    std::string description() const override;
    double latentValues(int h, int w) const override;
    Reconstruction reconstruct(const HostTensor &rgb01, const ReconstructOptions &o = {}) override;

private:
    int m_patch, m_components;
};

} // namespace cprecon
