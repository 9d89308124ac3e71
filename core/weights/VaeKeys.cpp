#include "weights/VaeKeys.h"

#include "util/Error.h"

#include <regex>

namespace cprecon {

namespace {
const char *const kPrefixes[] = {"first_stage_model.", "vae."};

std::string stripPrefix(const std::string &key, std::string *prefix = nullptr)
{
    for (const char *p : kPrefixes) {
        const std::string s(p);
        if (key.compare(0, s.size(), s) == 0) {
            if (prefix) *prefix = s;
            return key.substr(s.size());
        }
    }
    return key;
}

std::string resnetTail(std::string rest)
{
    if (rest.compare(0, 13, "nin_shortcut.") == 0) rest = "conv_shortcut." + rest.substr(13);
    return rest;
}

std::string attentionPart(const std::string &p)
{
    if (p == "norm") return "group_norm";
    if (p == "q" || p == "query") return "to_q";
    if (p == "k" || p == "key") return "to_k";
    if (p == "v" || p == "value") return "to_v";
    if (p == "proj_out" || p == "proj_attn") return "to_out.0";
    return {};
}
} // namespace

bool isVaeCheckpointKey(const std::string &key)
{
    const std::string k = stripPrefix(key);
    for (const char *root : {"encoder.", "decoder.", "quant_conv.", "post_quant_conv."})
        if (k.compare(0, std::char_traits<char>::length(root), root) == 0) return true;
    return false;
}

std::string diffusersVaeKey(const std::string &keyIn, int levels)
{
    static const std::regex down(R"(^encoder\.down\.(\d+)\.block\.(\d+)\.(.+)$)");
    static const std::regex downsample(R"(^encoder\.down\.(\d+)\.downsample\.conv\.(.+)$)");
    static const std::regex up(R"(^decoder\.up\.(\d+)\.block\.(\d+)\.(.+)$)");
    static const std::regex upsample(R"(^decoder\.up\.(\d+)\.upsample\.conv\.(.+)$)");
    static const std::regex midBlock(R"(^(encoder|decoder)\.mid\.block_([12])\.(.+)$)");
    static const std::regex midAttn(R"(^(encoder|decoder)\.mid\.attn_1\.(norm|q|k|v|proj_out)\.(.+)$)");
    static const std::regex legacyAttn(R"(^(encoder|decoder)\.mid_block\.attentions\.0\.(query|key|value|proj_attn)\.(.+)$)");
    static const std::regex normOut(R"(^(encoder|decoder)\.norm_out\.(.+)$)");

    const std::string key = stripPrefix(keyIn);
    std::smatch m;
    auto reversed = [&](const std::string &n) { return std::to_string(levels - 1 - std::stoi(n)); };
    if (std::regex_match(key, m, down))
        return "encoder.down_blocks." + m[1].str() + ".resnets." + m[2].str() + "." + resnetTail(m[3].str());
    if (std::regex_match(key, m, downsample))
        return "encoder.down_blocks." + m[1].str() + ".downsamplers.0.conv." + m[2].str();
    if (std::regex_match(key, m, up))
        return "decoder.up_blocks." + reversed(m[1].str()) + ".resnets." + m[2].str() + "." + resnetTail(m[3].str());
    if (std::regex_match(key, m, upsample))
        return "decoder.up_blocks." + reversed(m[1].str()) + ".upsamplers.0.conv." + m[2].str();
    if (std::regex_match(key, m, midBlock))
        return m[1].str() + ".mid_block.resnets." + (m[2].str() == "1" ? "0" : "1") + "." + resnetTail(m[3].str());
    if (std::regex_match(key, m, midAttn) || std::regex_match(key, m, legacyAttn))
        return m[1].str() + ".mid_block.attentions.0." + attentionPart(m[2].str()) + "." + m[3].str();
    if (std::regex_match(key, m, normOut)) return m[1].str() + ".conv_norm_out." + m[2].str();
    return key;
}

StateDict toDiffusersVaeKeys(const StateDict &sd, int levels, std::string *layout)
{
    StateDict out;
    out.source = sd.source;
    out.skippedKeys = sd.skippedKeys;
    bool ldm = false, legacy = false;
    std::string prefix;
    static const std::regex ldmHint(R"((^|\.)(encoder\.down\.|decoder\.up\.|encoder\.mid\.|decoder\.mid\.))");
    static const std::regex legacyHint(R"(\.attentions\.0\.(query|key|value|proj_attn)\.)");
    for (const auto &[key, t] : sd.tensors) {
        std::string p;
        const std::string bare = stripPrefix(key, &p);
        if (!p.empty()) prefix = p;
        if (std::regex_search(bare, ldmHint)) ldm = true;
        if (std::regex_search(bare, legacyHint)) legacy = true;
        const std::string name = diffusersVaeKey(key, levels);
        HostTensor h = t;
        // LDM attention projections are 1x1 convs: [C, C, 1, 1] -> Linear [C, C].
        if (name.find(".mid_block.attentions.0.to_") != std::string::npos && h.shape.size() == 4 && h.shape[2] == 1 &&
            h.shape[3] == 1)
            h.shape.resize(2);
        if (!out.tensors.emplace(name, std::move(h)).second)
            throw Error("two tensors map to the VAE key '" + name + "' (e.g. '" + key + "')", sd.source,
                        "the checkpoint mixes key spellings; re-save it with one naming scheme");
    }
    if (layout) {
        *layout = ldm ? "LDM" : (legacy ? "legacy diffusers" : "diffusers");
        if (!prefix.empty()) *layout += " (prefix " + prefix + ")";
    }
    return out;
}

} // namespace cprecon
