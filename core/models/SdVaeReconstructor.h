#pragma once
// The SD-VAE family as a Reconstructor, with the two protocols of PROTOCOL.md:
//   paper:     x -> 2x-1 -> encode -> z = mean + std * eps (eps = randn with a CPU generator seeded `seed`, for
//              the whole batch in tile order) -> latent = (z - shift) * scaling -> decode(latent / scaling + shift)
//              -> y/2 + 0.5 clamped to [0, 1]; fp16 autocast when running on CUDA (as the paper), fp32 on CPU.
//   corrected: z = posterior mean (deterministic), the model's configured precision (fp32 default, bf16 option).
// Tiles are processed in chunks of maxBatch (memory) without changing results.
#include "nets/AutoencoderKl.h"
#include "models/Reconstructor.h"

namespace cprecon {

class SdVaeReconstructor : public Reconstructor {
public:
    SdVaeReconstructor(std::unique_ptr<AutoencoderKl> vae, std::string name);
    std::string name() const override { return m_name; }
    std::string description() const override;
    bool stochastic(Protocol p) const override { return p == Protocol::Paper; }
    double latentValues(int h, int w) const override;
    Reconstruction reconstruct(const HostTensor &rgb01, const ReconstructOptions &o = {}) override;
    AutoencoderKl &vae() { return *m_vae; }
    void setMaxBatch(int n) { m_maxBatch = std::max(1, n); }

private:
    std::unique_ptr<AutoencoderKl> m_vae;
    std::string m_name;
    Precision m_correctedPrecision;
    int m_maxBatch = 4;
};

} // namespace cprecon
