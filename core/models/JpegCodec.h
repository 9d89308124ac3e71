#pragma once
// Weight-free baseline: JPEG encode + decode of each tile with OpenCV's libjpeg (baseline JPEG, YCbCr with
// OpenCV's default 4:2:0 chroma subsampling, standard IJG quantisation tables scaled by `quality`).
// The compressed size is the actual JPEG byte count (reported per tile, averaged over the batch).
#include "models/Reconstructor.h"

namespace cprecon {

class JpegReconstructor : public Reconstructor {
public:
    explicit JpegReconstructor(int quality = 75); // 1..100, throws cprecon::Error otherwise
    std::string name() const override { return "jpeg:" + std::to_string(m_quality); }
    std::string description() const override;
    double latentValues(int h, int w) const override; // unknown in advance: 3*h*w / 10 (nominal)
    Reconstruction reconstruct(const HostTensor &rgb01, const ReconstructOptions &o = {}) override;

private:
    int m_quality;
};

} // namespace cprecon
