#pragma once
// Torch-free interface of the feature networks (InceptionV3 in two recipes, OpenPhenom): a batch of uint8 images
// in, float features out. The LibTorch code lives in InceptionV3.cpp / OpenPhenom.cpp; callers (CLI, app, tests)
// only see this header.
#include "nets/TorchRuntime.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cprecon {

struct StateDict;

// Row-major float array with its shape (N×2048, N×C×384, or an intermediate activation).
struct FloatArray {
    std::vector<int64_t> shape;
    std::vector<float> values;
    int64_t numel() const
    {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};
using NamedArrays = std::map<std::string, FloatArray>;

// A view of N×C×H×W uint8 pixels (row-major, NCHW). Not owning.
struct ImageBatchU8 {
    const uint8_t *data = nullptr;
    int64_t n = 0, c = 0, h = 0, w = 0;
    int64_t numel() const { return n * c * h * w; }
};

// A view of N×C×H×W float pixels in [0, 1] (row-major, NCHW): a model's reconstruction as it came, which the
// paper's inference script feeds to both feature networks without rounding to uint8. Not owning.
struct ImageBatchF32 {
    const float *data = nullptr;
    int64_t n = 0, c = 0, h = 0, w = 0;
    int64_t numel() const { return n * c * h * w; }
};

struct FeatureOptions {
    int batchSize = 16;         // images per forward pass (memory vs. speed)
    // NHWC memory format for InceptionV3's convolutions (oneDNN): ~25 % faster on AVX2 CPUs, same results within
    // the fixture tolerances (both layouts are tested). No effect on OpenPhenom (a transformer).
    bool channelsLast = true;
    // inception-torchvision: torchvision's `transform_input`. torchvision sets it to True for the pretrained
    // IMAGENET1K_V1 weights (what the paper used); the golden fixture's main reference uses False.
    bool transformInput = false;
    // openphenom: the paper fed [0,1] floats to a model that divides by 255 itself, i.e. pixels /255 twice
    // (PROTOCOL.md). false = corrected protocol (0–255 values as the model card intends).
    bool paperDoubleNormalisation = false;
    // Where to run: auto = CUDA when this LibTorch has it and a GPU is present, else CPU; fp16/bf16 = autocast.
    ComputeDevice device = ComputeDevice::Auto;
    Precision precision = Precision::Fp32;
};

class FeatureExtractor {
public:
    virtual ~FeatureExtractor() = default;
    // "inception-torchvision", "inception-fid" or "openphenom".
    virtual std::string name() const = 0;
    // Shape of the main features of one image with `channels` input channels ({2048} or {C, 384}).
    virtual std::vector<int64_t> featureShape(int64_t channels) const = 0;
    // Main features: N×2048 pool features (Inception) or N×C×384 channel-wise embeddings (OpenPhenom).
    virtual FloatArray extract(const ImageBatchU8 &images) = 0;
    // The same from float [0, 1] pixels (u8 / 255 gives exactly extract(u8)'s numbers).
    virtual FloatArray extract(const ImageBatchF32 &images) = 0;
    // All outputs under the golden fixtures' key names (pool_features + logits | pool3_features |
    // channelwise_embeddings + embedding), plus the requested intermediate activations of `taps()`.
    virtual NamedArrays extractAll(const ImageBatchU8 &images, const std::vector<std::string> &taps = {}) = 0;
    // Names of intermediate activations extractAll can return (for parity checks against the reference).
    virtual std::vector<std::string> taps() const = 0;
};

} // namespace cprecon
