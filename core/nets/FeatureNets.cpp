#include "nets/FeatureNets.h"

#include "nets/private/FeatureNetTorch.h"
#include "util/Error.h"
#include "weights/StateDict.h"

#include <algorithm>

namespace cprecon {

std::vector<std::string> featureExtractorNames() { return {"inception-torchvision", "inception-fid", "openphenom"}; }

static std::unique_ptr<FeatureExtractor> make(const std::string &name, const StateDict *sd, const FeatureOptions &o)
{
    if (name == "inception-torchvision") return featnet::makeInceptionExtractor(sd, false, o);
    if (name == "inception-fid") return featnet::makeInceptionExtractor(sd, true, o);
    if (name == "openphenom") return featnet::makeOpenPhenomExtractor(sd, o);
    throw Error("unknown feature network '" + name + "'", "",
                "use inception-torchvision, inception-fid or openphenom");
}

std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string &name, const StateDict &weights,
                                                         const FeatureOptions &options)
{
    return make(name, &weights, options);
}

std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string &name, const std::string &weightsPath,
                                                         const FeatureOptions &options)
{
    const auto names = featureExtractorNames(); // unknown names fail before a large file is read
    if (std::find(names.begin(), names.end(), name) == names.end()) return make(name, nullptr, options);
    // The full OpenPhenom MAE checkpoint is 178 M values, 155 M of them the decoder: read the encoder only.
    const StateDict sd = name == "openphenom"
                             ? loadStateDict(weightsPath,
                                             [](const std::string &k) { return k.find("vit_backbone.") != std::string::npos; })
                             : loadStateDict(weightsPath);
    return make(name, &sd, options);
}

std::unique_ptr<FeatureExtractor> createRandomFeatureExtractor(const std::string &name, const FeatureOptions &options,
                                                               uint64_t seed)
{
    torch::manual_seed(seed);
    return make(name, nullptr, options);
}

FloatArray maeSincosPositionTable(int64_t grid, int64_t dim, int64_t channels)
{
    return featnet::toFloatArray(featnet::sincosPosEmbed(grid, dim, channels).squeeze(0));
}

} // namespace cprecon
