#pragma once
// Weight-free baseline: bicubic downsampling by a factor (default 8) and bicubic upsampling back.
// Kernel: Keys cubic with a = -0.5, ANTIALIASED (support stretched by the scale when shrinking, weights
// normalised to sum 1, taps outside the image dropped) = PIL's BICUBIC resize and torch
// F.interpolate(mode="bicubic", antialias=True, align_corners=False). Pixel centres at (i + 0.5).
// The low-resolution image is clamped to [0, 1] and quantised to 8 bits (a real thumbnail), the output clamped.
// Compression in numbers kept: bicubic8 keeps 3 x H/8 x W/8 = 64x fewer values than 3 x H x W; the SD-VAE's
// 4 x H/8 x W/8 latent is 48x (bicubic:6.93 ~ 48x).
#include "models/Reconstructor.h"

namespace cprecon {

// N x C x H x W float -> N x C x outH x outW with the antialiased cubic kernel above (no clamping).
HostTensor resizeBicubicAntialiased(const HostTensor &in, int outH, int outW);

class BicubicReconstructor : public Reconstructor {
public:
    explicit BicubicReconstructor(double factor = 8.0);
    std::string name() const override;
    std::string description() const override;
    double latentValues(int h, int w) const override;
    Reconstruction reconstruct(const HostTensor &rgb01, const ReconstructOptions &o = {}) override;
    int lowResSize(int n) const; // round(n / factor), at least 1

private:
    double m_factor;
};

} // namespace cprecon
