// `cprecon-cli model run --kind inception-torchvision|inception-fid|openphenom`: images_u8 in, the golden
// fixtures' output keys out (see ModelRun.h).
#include "nets/FeatureNets.h"
#include "nets/ModelRun.h"

#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace cprecon {

namespace {

struct InputImages {
    std::vector<uint8_t> pixels;
    ImageBatchU8 view;
};

InputImages readImages(const std::string &path)
{
    SafetensorsFile f(path);
    if (!f.contains("images_u8"))
        throw Error("no tensor 'images_u8' in the input", path, "store the images as uint8 N×C×H×W under 'images_u8'");
    const auto &info = f.info("images_u8");
    if (info.dtype != DType::U8 || info.shape.size() != 4)
        throw Error(std::string("'images_u8' must be U8 with 4 dimensions (N×C×H×W), got ") + dtypeName(info.dtype) +
                        " with " + std::to_string(info.shape.size()),
                    path, "convert the images to uint8 NCHW");
    InputImages in;
    in.pixels = f.toU8("images_u8");
    in.view = {in.pixels.data(), info.shape[0], info.shape[1], info.shape[2], info.shape[3]};
    return in;
}

FeatureOptions optionsFrom(const ModelRunRequest &r)
{
    FeatureOptions o;
    o.device = parseComputeDevice(r.device);
    torchrt::resolveDevice(o.device); // a named error now when CUDA is asked for but not there
    o.paperDoubleNormalisation = r.paperDoubleNormalisation;
    o.transformInput = r.transformInput;
    if (!r.config.empty()) {
        // Optional JSON for the feature networks: {"transform_input": bool, "channels_last": bool, "batch_size": n}
        std::ifstream in(r.config);
        if (!in) throw Error("cannot open the config file", r.config, "check the --config path");
        nlohmann::json j;
        try {
            in >> j;
            o.transformInput = j.value("transform_input", o.transformInput);
            o.channelsLast = j.value("channels_last", o.channelsLast);
            o.batchSize = j.value("batch_size", o.batchSize);
        } catch (const nlohmann::json::exception &e) {
            throw Error(std::string("invalid feature-network config: ") + e.what(), r.config,
                        "e.g. {\"transform_input\": true}");
        }
    }
    return o;
}

void runFeatureNet(const ModelRunRequest &r, const std::string &name)
{
    const auto images = readImages(r.input);
    auto net = createFeatureExtractor(name, r.weights, optionsFrom(r));
    const NamedArrays outputs = net->extractAll(images.view);
    SafetensorsWriter w;
    for (const auto &kv : outputs) w.addFloat(kv.first, kv.second.shape, kv.second.values);
    w.setMetadata("cprecon_kind", name);
    w.setMetadata("cprecon_weights", r.weights);
    if (name == "openphenom")
        w.setMetadata("cprecon_protocol", r.paperDoubleNormalisation ? "paper (/255 twice)" : "corrected");
    w.write(r.output);
}

} // namespace

void runInceptionModel(const ModelRunRequest &r, bool fidRecipe)
{
    runFeatureNet(r, fidRecipe ? "inception-fid" : "inception-torchvision");
}

void runOpenPhenomModel(const ModelRunRequest &r) { runFeatureNet(r, "openphenom"); }

} // namespace cprecon
