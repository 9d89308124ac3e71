#pragma once
// diffusers' AutoencoderKL (the Stable Diffusion VAE family) in LibTorch, behind a torch-free interface.
// The module tree mirrors diffusers exactly (encoder.down_blocks.N.resnets.M.norm1, ...mid_block.attentions.0.to_q,
// ...), so a diffusers state dict maps 1:1; LDM / legacy checkpoints are renamed on load (weights/VaeKeys.h).
// encode/decode do NOT apply scaling_factor (as diffusers); the Reconstructor applies the protocol.
#include "nets/TorchRuntime.h"
#include "nets/VaeConfig.h"
#include "weights/KeyCheck.h"
#include "weights/StateDict.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>

namespace cprecon {

struct VaePosterior {
    HostTensor mean;   // N x latent x H/f x W/f
    HostTensor logvar; // clamped to [-30, 20] as diffusers' DiagonalGaussianDistribution
};

// Forward-hook style captures, keyed like the fixture's `inter.<module>` without the prefix
// ("encoder.conv_in", "encoder.down_blocks.0", ..., "decoder.conv_out").
using VaeIntermediates = std::map<std::string, HostTensor>;

// What a full round trip should do (see Reconstructor.h for the protocols).
struct VaeRoundTripOptions {
    bool samplePosterior = false; // paper: z = sample(seed); corrected: z = mean
    uint64_t seed = 0;
    bool applyScaling = true;     // latent = (z - shift) * scaling, decode(latent / scaling + shift)
    bool wantLatent = false;
};

struct VaeRoundTrip {
    HostTensor decoded; // decoder output, model range ([-1, 1] nominal, unclamped)
    VaePosterior posterior;
    HostTensor latent;  // scaled latent (only when wantLatent)
};

class AutoencoderKl {
public:
    // Randomly initialised network (benchmarks, structure checks). Weights: loadWeights().
    explicit AutoencoderKl(const VaeConfig &config, const RuntimeOptions &runtime = {});
    ~AutoencoderKl();
    AutoencoderKl(const AutoencoderKl &) = delete;
    AutoencoderKl &operator=(const AutoencoderKl &) = delete;

    // Loads any supported layout (diffusers folder, HF-cache snapshot/repo folder, single .safetensors /
    // .bin / .pth / .ckpt with diffusers, legacy or LDM key names). `configPath` overrides the config found
    // next to the weights; without either, the sd14 preset (or flux for 16-ch weights) is used.
    // cancel (may be null) is checked between the steps and between tensors: cprecon::Canceled when raised.
    static std::unique_ptr<AutoencoderKl> fromCheckpoint(const std::string &weightsPath,
                                                         const std::string &configPath = {},
                                                         const RuntimeOptions &runtime = {},
                                                         const std::atomic<bool> *cancel = nullptr);

    // Strict: renames LDM/legacy keys, then refuses missing/unexpected keys or shape mismatches by name.
    void loadWeights(const StateDict &sd, const std::atomic<bool> *cancel = nullptr);

    const VaeConfig &config() const;
    const RuntimeOptions &runtime() const;
    void setPrecision(Precision p); // autocast for later calls (Fp16 needs CUDA)
    std::string source() const; // where the weights came from ("random init" otherwise)
    ShapeList parameterShapes() const; // state_dict order, diffusers names
    int64_t parameterCount() const;

    VaePosterior encode(const HostTensor &x, VaeIntermediates *capture = nullptr) const; // x in [-1, 1]
    HostTensor decode(const HostTensor &z, VaeIntermediates *capture = nullptr) const;   // unscaled latent
    HostTensor moments(const HostTensor &x) const; // quant_conv(encoder(x)), 2*latent channels
    // mean + exp(0.5 logvar) * eps, eps ~ N(0,1) from a CPU generator seeded with `seed` (= Python
    // torch.manual_seed(seed); torch.randn(mean.shape)).
    HostTensor samplePosterior(const VaePosterior &p, uint64_t seed) const;
    // The same with one generator per sample: sample i draws its noise from tileSeeds[i] alone, so a sample never
    // depends on which other samples share its batch (size must equal the batch size).
    HostTensor samplePosterior(const VaePosterior &p, const std::vector<uint64_t> &tileSeeds) const;
    // x in [-1, 1] -> decoded, all on the device, with autocast as configured.
    VaeRoundTrip roundTrip(const HostTensor &x, const VaeRoundTripOptions &o) const;

    struct Impl;

private:
    std::unique_ptr<Impl> d;
};

} // namespace cprecon
