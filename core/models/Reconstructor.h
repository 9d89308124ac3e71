#pragma once
// One interface for everything that compresses and reconstructs image tiles: the SD-VAE family and the
// weight-free baselines (bicubic down/up, JPEG), so the app and the benchmark can compare them on equal terms.
// Torch-free: batches are plain float32 N x 3 x H x W arrays in [0, 1] (uint8 input via fromU8()).
#include "nets/TorchRuntime.h"
#include "util/Protocol.h"
#include "weights/StateDict.h" // HostTensor

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cprecon {

// PROTOCOL.md: "paper" = the authors' pipeline (latent = scaling * SAMPLE of the posterior with a seed,
// decode(latent / scaling), fp16 autocast on GPU); "corrected" = decode the posterior MEAN (deterministic),
// fp32 (or bf16 when asked).

// Paper-protocol noise of one tile: from (run seed, site identity, triplet, tile index) only, so a sampled
// reconstruction never depends on the batch size, the thread count or how a run is split into shards, and two
// sites (or the two triplets of a site) never share noise.
uint64_t tileNoiseSeed(uint64_t runSeed, const std::string &siteKey, int triplet, int tileIndex);

struct ReconstructOptions {
    Protocol protocol = Protocol::Corrected;
    // Paper protocol: one posterior-noise seed per image of the batch (tileNoiseSeed). Empty: image i uses
    // tileNoiseSeed(seed, "", 0, i) — for callers without a site, e.g. a bare batch of images.
    std::vector<uint64_t> noiseSeeds;
    uint64_t seed = 0;
    bool wantLatents = false; // fill Reconstruction::latentMean/latentLogvar/latent (VAE only)
};

struct Reconstruction {
    HostTensor images;                   // N x 3 x H x W in [0, 1] (clamped, like y/2 + 0.5 in the paper)
    std::optional<HostTensor> latentMean;   // N x C x h x w, for the KLD (VAE only)
    std::optional<HostTensor> latentLogvar;
    std::optional<HostTensor> latent;       // what the decoder saw, scaled (VAE) - for the latent view
    double compressedValuesPerTile = 0;  // numbers kept per tile (latent elements / low-res pixels)
    double compressedBytesPerTile = 0;   // bytes a file would need (JPEG: actual; VAE/bicubic: at 1 byte/value)
};

class Reconstructor {
public:
    virtual ~Reconstructor() = default;
    virtual std::string name() const = 0;        // e.g. "sd-vae:/path", "bicubic8", "jpeg:75"
    virtual std::string description() const = 0; // one line for tables / UI
    virtual bool stochastic(Protocol) const { return false; }
    // Values kept per tile of 3 x h x w (compression factor = 3*h*w / this).
    virtual double latentValues(int h, int w) const = 0;
    // Throws cprecon::Error on bad shapes/sizes.
    virtual Reconstruction reconstruct(const HostTensor &rgb01, const ReconstructOptions &o = {}) = 0;
};

// uint8 N x 3 x H x W -> float [0, 1]
HostTensor fromU8(const std::vector<uint8_t> &values, const std::vector<int64_t> &shape);
// float [0, 1] -> uint8 (round half up, clamp)
std::vector<uint8_t> toU8(const HostTensor &rgb01);

// Model names: "bicubic8" (= "bicubic:8"), "bicubic:<factor>", "jpeg:<quality 1-100>", "pca8" (= "pca:8:4"),
// "pca:<patch>:<components>",
// "sd-vae:<weights path>[|<config.json>]" (any layout weights/CheckpointLocator.h accepts),
// "sd-vae-random" (the sd14 architecture with random weights: for timing the full-size network, `bench pipeline`).
// cancel (may be null) is checked while an SD-VAE loads: cprecon::Canceled when raised.
std::unique_ptr<Reconstructor> makeReconstructor(const std::string &modelName, const RuntimeOptions &runtime = {},
                                                 const std::atomic<bool> *cancel = nullptr);
// "sd-vae:<path>[|<config.json>]" -> path and config (empty when not given); false for other model names.
bool parseSdVaeSpec(const std::string &modelName, std::string *path, std::string *config);
// Names the factory accepts without files (for pickers): {"bicubic8", "jpeg:75", "jpeg:90", "pca8"}.
std::vector<std::string> builtinReconstructors();

} // namespace cprecon
