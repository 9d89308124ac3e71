#include "nets/private/FeatureNetTorch.h"

#include "nets/TorchRuntime.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace cprecon::featnet {

torch::Tensor toTensor(const HostTensor &h)
{
    if (static_cast<int64_t>(h.values.size()) != h.numel())
        throw Error("checkpoint tensor has " + std::to_string(h.values.size()) + " values for its shape");
    auto t = torch::empty(h.shape, torch::kFloat32);
    std::copy(h.values.begin(), h.values.end(), t.data_ptr<float>());
    return t;
}

FloatArray toFloatArray(const torch::Tensor &t)
{
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    FloatArray a;
    a.shape.assign(c.sizes().begin(), c.sizes().end());
    a.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return a;
}

torch::Tensor unitSlice(const ImageBatchU8 &images, int64_t begin, int64_t end)
{
    const int64_t per = images.c * images.h * images.w;
    // from_blob does not own the pixels; the float conversion makes an owned copy.
    auto view = torch::from_blob(const_cast<uint8_t *>(images.data) + begin * per,
                                 {end - begin, images.c, images.h, images.w}, torch::kUInt8);
    return view.to(torch::kFloat32) / 255.0;
}

torch::Tensor unitSlice(const ImageBatchF32 &images, int64_t begin, int64_t end)
{
    const int64_t per = images.c * images.h * images.w;
    return torch::from_blob(const_cast<float *>(images.data) + begin * per,
                            {end - begin, images.c, images.h, images.w}, torch::kFloat32)
        .clone();
}

BatchView batchView(const ImageBatchU8 &images)
{
    return {images.n, images.c, images.h, images.w, images.data == nullptr,
            [&images](int64_t b, int64_t e) { return unitSlice(images, b, e); }};
}

BatchView batchView(const ImageBatchF32 &images)
{
    return {images.n, images.c, images.h, images.w, images.data == nullptr,
            [&images](int64_t b, int64_t e) { return unitSlice(images, b, e); }};
}

static bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool findPrefix(const StateDict &sd, const std::string &anchorSuffix, const std::vector<std::string> &alsoRequired,
                std::string *prefix)
{
    bool found = false;
    std::string best;
    for (const auto &kv : sd.tensors) {
        if (!endsWith(kv.first, anchorSuffix)) continue;
        const std::string p = kv.first.substr(0, kv.first.size() - anchorSuffix.size());
        if (!p.empty() && p.back() != '.') continue; // "xConv2d_1a..." is not a prefix boundary
        bool all = true;
        for (const auto &r : alsoRequired) all = all && sd.contains(p + r);
        if (all && (!found || p.size() < best.size())) {
            best = p;
            found = true;
        }
    }
    if (found && prefix) *prefix = best;
    return found;
}

static std::string shapeText(const std::vector<int64_t> &s)
{
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

static std::string listSome(const std::vector<std::string> &names, size_t limit = 8)
{
    std::string out;
    for (size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > limit) out += ", … (" + std::to_string(names.size()) + " in all)";
    return out;
}

void loadModule(torch::nn::Module &module, const StateDict &sd, const std::string &prefix, const std::string &what,
                const std::function<bool(const std::string &)> &ignoreKey,
                const std::function<bool(const std::string &)> &skipParam)
{
    torch::NoGradGuard noGrad;
    std::vector<std::string> missing, mismatched, unexpected;
    std::set<std::string> used;
    auto visit = [&](const std::string &name, torch::Tensor &t) {
        if (!t.defined() || (skipParam && skipParam(name))) return;
        const std::string key = prefix + name;
        auto it = sd.tensors.find(key);
        if (it == sd.tensors.end()) {
            missing.push_back(key);
            return;
        }
        used.insert(key);
        const std::vector<int64_t> want(t.sizes().begin(), t.sizes().end());
        if (it->second.shape != want) {
            mismatched.push_back(key + " " + shapeText(it->second.shape) + " (expected " + shapeText(want) + ")");
            return;
        }
        t.copy_(toTensor(it->second));
    };
    for (auto &p : module.named_parameters(true)) visit(p.key(), p.value());
    for (auto &b : module.named_buffers(true)) visit(b.key(), b.value());
    for (const auto &kv : sd.tensors) {
        if (kv.first.compare(0, prefix.size(), prefix) != 0 || used.count(kv.first)) continue;
        const std::string rel = kv.first.substr(prefix.size());
        if (ignoreKey && ignoreKey(rel)) continue;
        unexpected.push_back(kv.first);
    }
    if (missing.empty() && mismatched.empty() && unexpected.empty()) return;
    std::string msg = "checkpoint does not fit " + what + ":";
    if (!missing.empty()) msg += " missing keys: " + listSome(missing) + ";";
    if (!mismatched.empty()) msg += " shape mismatches: " + listSome(mismatched) + ";";
    if (!unexpected.empty()) msg += " unexpected keys: " + listSome(unexpected) + ";";
    msg.pop_back();
    throw Error(msg, sd.source, "give a checkpoint of the " + what + " (see docs/user/models-features.md)");
}

void throwNotThisNetwork(const StateDict &sd, const std::string &what, const std::vector<std::string> &expectedKeys,
                         const std::string &fix)
{
    std::vector<std::string> have;
    for (const auto &kv : sd.tensors) have.push_back(kv.first);
    have.insert(have.end(), sd.skippedKeys.begin(), sd.skippedKeys.end()); // names a key filter left unread
    throw Error("not a checkpoint of the " + what + ": missing keys " + listSome(expectedKeys) + "; unexpected keys " +
                    (have.empty() ? std::string("(the file holds no tensors)") : listSome(have, 5)) + " (" +
                    std::to_string(have.size()) + " tensors in the file)",
                sd.source, fix);
}


torch::Tensor sincosPosEmbed(int64_t grid, int64_t dim, int64_t channels)
{
    // [sin(h·ω), cos(h·ω), sin(w·ω), cos(w·ω)], ω_k = 1/10000^(k/(d/4)); computed in double, stored float.
    const int64_t quarter = dim / 4;
    auto table = torch::zeros({1 + channels * grid * grid, dim}, torch::kFloat64);
    auto acc = table.accessor<double, 2>();
    for (int64_t ch = 0; ch < channels; ++ch)
        for (int64_t h = 0; h < grid; ++h)
            for (int64_t w = 0; w < grid; ++w) {
                const int64_t row = 1 + ch * grid * grid + h * grid + w;
                for (int64_t k = 0; k < quarter; ++k) {
                    const double omega = 1.0 / std::pow(10000.0, static_cast<double>(k) / quarter);
                    acc[row][k] = std::sin(h * omega);
                    acc[row][quarter + k] = std::cos(h * omega);
                    acc[row][2 * quarter + k] = std::sin(w * omega);
                    acc[row][3 * quarter + k] = std::cos(w * omega);
                }
            }
    return table.to(torch::kFloat32).unsqueeze(0);
}

} // namespace cprecon::featnet
