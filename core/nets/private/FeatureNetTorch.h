#pragma once
// Internal LibTorch helpers shared by the feature networks (InceptionV3, OpenPhenom). Included only from
// core/models/*.cpp — the public, torch-free API is FeatureExtractor.h.
#include "models/FeatureExtractor.h"
#include "nets/private/TorchInternal.h"
#include "weights/StateDict.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace cprecon::featnet {

// The LibTorch runtime settings of a feature network (device, autocast precision, threads).
inline RuntimeOptions runtimeOf(const FeatureOptions &o)
{
    RuntimeOptions r;
    r.device = o.device;
    r.precision = o.precision;
    r.channelsLast = o.channelsLast;
    return r;
}


// float32 copy of a checkpoint tensor.
torch::Tensor toTensor(const HostTensor &h);
// Contiguous float32 CPU copy of a tensor as a FloatArray.
FloatArray toFloatArray(const torch::Tensor &t);
// Images [begin, end) of a batch as an owned float32 tensor in [0, 1]: uint8 / 255, or the float pixels as they are.
torch::Tensor unitSlice(const ImageBatchU8 &images, int64_t begin, int64_t end);
torch::Tensor unitSlice(const ImageBatchF32 &images, int64_t begin, int64_t end);
// The shape of a batch, whatever its pixel type, and its images [begin, end) in [0, 1].
struct BatchView {
    int64_t n = 0, c = 0, h = 0, w = 0;
    bool empty = true;
    std::function<torch::Tensor(int64_t, int64_t)> slice;
};
BatchView batchView(const ImageBatchU8 &images);
BatchView batchView(const ImageBatchF32 &images);

// The prefix under which a checkpoint stores a network: the part before `anchorSuffix` of the key that ends with
// it and for which all `alsoRequired` suffixes exist too ("" for plain torchvision keys, "encoder.vit_backbone."
// for OpenPhenom, possibly under "state_dict." or "model."). Returns false when no key fits.
bool findPrefix(const StateDict &sd, const std::string &anchorSuffix, const std::vector<std::string> &alsoRequired,
                std::string *prefix);

// Copies every defined parameter and buffer of `module` from sd[prefix + name] (float32), except names for which
// `skipParam` is true. Keys under `prefix` that the module does not use and `ignoreKey` does not excuse are
// "unexpected". Any missing / unexpected key or shape mismatch throws a cprecon::Error naming them, with `what`
// (e.g. "InceptionV3") in the message.
void loadModule(torch::nn::Module &module, const StateDict &sd, const std::string &prefix, const std::string &what,
                const std::function<bool(const std::string &relKey)> &ignoreKey,
                const std::function<bool(const std::string &paramName)> &skipParam = {});

// Error for a checkpoint that has none of a network's anchor keys: names the keys it lacks and a sample of what
// it has, so a VAE given as OpenPhenom (or the reverse) is told apart clearly.
[[noreturn]] void throwNotThisNetwork(const StateDict &sd, const std::string &what,
                                      const std::vector<std::string> &expectedKeys, const std::string &fix);


// Fixed 2-D sin-cos position table of MAE / OpenPhenom for a grid×grid patch grid, dim d, repeated for
// `channels` channels, with a leading all-zero CLS row: (1 + channels·grid²) × d.
torch::Tensor sincosPosEmbed(int64_t grid, int64_t dim, int64_t channels);

} // namespace cprecon::featnet

namespace cprecon::featnet {
// Network factories behind createFeatureExtractor (InceptionRecipe.cpp, OpenPhenom.cpp). `weights` == nullptr
// builds a randomly initialised network (benchmarks).
std::unique_ptr<FeatureExtractor> makeInceptionExtractor(const StateDict *weights, bool fidRecipe,
                                                         const FeatureOptions &options);
std::unique_ptr<FeatureExtractor> makeOpenPhenomExtractor(const StateDict *weights, const FeatureOptions &options);
} // namespace cprecon::featnet
