#include "nets/VaeConfig.h"

#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <type_traits>
#include <vector>
#include <fstream>
#include <sstream>

namespace cprecon {

namespace {
// A JSON number as an int: integral and in range. nlohmann's get<int>() of 2.5e167 is undefined behaviour in C++
// (found by fuzzing VAE configs).
int checkedInt(const nlohmann::json &v, const char *key, const std::string &source)
{
    const bool integral = v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    const double x = v.is_number() ? v.get<double>() : 0.0;
    if (!integral || !(x >= -2147483648.0 && x <= 2147483647.0))
        throw Error(std::string("config key '") + key + "' must be a whole number in range, not " + v.dump(), source,
                    "use a diffusers AutoencoderKL config.json");
    return static_cast<int>(x);
}

template <typename T> void readIf(const nlohmann::json &j, const char *key, T &out, const std::string &source)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if constexpr (std::is_same_v<T, int>) {
        out = checkedInt(*it, key, source);
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
        if (!it->is_array())
            throw Error(std::string("config key '") + key + "' must be a list of whole numbers", source, "use a diffusers AutoencoderKL config.json");
        out.clear();
        for (const auto &v : *it) out.push_back(checkedInt(v, key, source));
    } else {
        try {
            out = it->get<T>();
        } catch (const std::exception &e) {
            throw Error(std::string("config key '") + key + "' has the wrong type: " + e.what(), source,
                        "use a diffusers AutoencoderKL config.json");
        }
    }
}
} // namespace

VaeConfig VaeConfig::fromJsonText(const std::string &text, const std::string &source)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception &e) {
        throw Error(std::string("config is not valid JSON: ") + e.what(), source, "use the model's config.json");
    }
    if (!j.is_object()) throw Error("config is not a JSON object", source, "use the model's config.json");
    std::string cls = "AutoencoderKL";
    readIf(j, "_class_name", cls, source); // a wrong type is an Error naming the key, not nlohmann's type_error
    if (cls != "AutoencoderKL")
        throw Error("config describes a '" + cls + "', not an AutoencoderKL", source,
                    "point --config/--weights at the VAE (the 'vae' subfolder of a pipeline)");
    VaeConfig c;
    readIf(j, "in_channels", c.inChannels, source);
    readIf(j, "out_channels", c.outChannels, source);
    readIf(j, "block_out_channels", c.blockOutChannels, source);
    readIf(j, "layers_per_block", c.layersPerBlock, source);
    readIf(j, "latent_channels", c.latentChannels, source);
    readIf(j, "norm_num_groups", c.normNumGroups, source);
    readIf(j, "sample_size", c.sampleSize, source);
    readIf(j, "scaling_factor", c.scalingFactor, source);
    if (j.contains("shift_factor") && !j["shift_factor"].is_null()) {
        double shift = 0;
        readIf(j, "shift_factor", shift, source);
        c.shiftFactor = shift;
    }
    readIf(j, "use_quant_conv", c.useQuantConv, source);
    readIf(j, "use_post_quant_conv", c.usePostQuantConv, source);
    readIf(j, "mid_block_add_attention", c.midBlockAddAttention, source);
    readIf(j, "force_upcast", c.forceUpcast, source);

    std::string act = "silu";
    readIf(j, "act_fn", act, source);
    if (act != "silu" && act != "swish")
        throw Error("unsupported act_fn '" + act + "'", source, "only SiLU AutoencoderKL models are supported");
    std::vector<std::string> down(c.blockOutChannels.size(), "DownEncoderBlock2D");
    std::vector<std::string> up(c.blockOutChannels.size(), "UpDecoderBlock2D");
    readIf(j, "down_block_types", down, source);
    readIf(j, "up_block_types", up, source);
    for (const auto &t : down)
        if (t != "DownEncoderBlock2D")
            throw Error("unsupported down block type '" + t + "'", source, "only DownEncoderBlock2D is supported");
    for (const auto &t : up)
        if (t != "UpDecoderBlock2D")
            throw Error("unsupported up block type '" + t + "'", source, "only UpDecoderBlock2D is supported");
    if (down.size() != c.blockOutChannels.size() || up.size() != c.blockOutChannels.size())
        throw Error("down/up_block_types and block_out_channels differ in length", source, "fix the config");
    if (c.blockOutChannels.empty()) throw Error("block_out_channels is empty", source, "fix the config");
    for (int ch : c.blockOutChannels)
        if (ch <= 0 || c.normNumGroups <= 0 || ch % c.normNumGroups != 0)
            throw Error("block_out_channels must be positive multiples of norm_num_groups", source, "fix the config");
    if (c.latentChannels <= 0 || c.inChannels <= 0 || c.outChannels <= 0 || c.layersPerBlock <= 0)
        throw Error("channel counts and layers_per_block must be positive", source, "fix the config");
    return c;
}

VaeConfig VaeConfig::fromFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open VAE config", path, "check the path");
    std::stringstream ss;
    ss << in.rdbuf();
    return fromJsonText(ss.str(), path);
}

VaeConfig VaeConfig::preset(const std::string &name)
{
    VaeConfig c;
    c.blockOutChannels = {128, 256, 512, 512};
    c.layersPerBlock = 2;
    c.normNumGroups = 32;
    c.sampleSize = 512;
    if (name == "sd14" || name == "sd" || name == "sd15" || name == "sd2") return c;
    if (name == "sdxl") {
        c.sampleSize = 1024;
        c.scalingFactor = 0.13025;
        return c;
    }
    if (name == "flux" || name == "sd3") {
        c.sampleSize = 1024;
        c.latentChannels = 16;
        c.useQuantConv = false;
        c.usePostQuantConv = false;
        c.scalingFactor = name == "flux" ? 0.3611 : 1.5305;
        c.shiftFactor = name == "flux" ? 0.1159 : 0.0609;
        return c;
    }
    throw Error("unknown VAE preset '" + name + "'", "", "use sd14, sdxl, sd3 or flux");
}

std::string VaeConfig::describe() const
{
    std::ostringstream s;
    s << "AutoencoderKL channels [";
    for (size_t i = 0; i < blockOutChannels.size(); ++i) s << (i ? "," : "") << blockOutChannels[i];
    s << "], " << layersPerBlock << " layers/block, " << latentChannels << " latent ch, /" << downsampleFactor()
      << ", scaling " << scalingFactor;
    if (shiftFactor) s << ", shift " << *shiftFactor;
    return s.str();
}

} // namespace cprecon
