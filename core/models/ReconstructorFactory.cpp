#include "models/Bicubic8.h"
#include "models/JpegCodec.h"
#include "models/PcaPatches.h"
#include "models/Reconstructor.h"
#include "models/SdVaeReconstructor.h"

#include "catalog/ModelRegistry.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace cprecon {

uint64_t tileNoiseSeed(uint64_t runSeed, const std::string &siteKey, int triplet, int tileIndex)
{
    auto splitmix = [](uint64_t x) {
        x += 0x9E3779B97F4A7C15ull;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        return x ^ (x >> 31);
    };
    uint64_t h = 0xCBF29CE484222325ull; // FNV-1a of the site identity
    for (unsigned char c : siteKey) h = (h ^ c) * 0x100000001B3ull;
    uint64_t x = splitmix(runSeed);
    x = splitmix(x ^ h);
    x = splitmix(x ^ uint64_t(uint32_t(triplet)));
    return splitmix(x ^ uint64_t(uint32_t(tileIndex)));
}

HostTensor fromU8(const std::vector<uint8_t> &values, const std::vector<int64_t> &shape)
{
    HostTensor h;
    h.shape = shape;
    if (static_cast<int64_t>(values.size()) != h.numel()) throw Error("uint8 batch size does not match its shape", "", "internal");
    h.values.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) h.values[i] = values[i] / 255.f;
    return h;
}

std::vector<uint8_t> toU8(const HostTensor &t)
{
    std::vector<uint8_t> out(t.values.size());
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<uint8_t>(std::floor(std::clamp(t.values[i], 0.f, 1.f) * 255.f + 0.5f));
    return out;
}

std::vector<std::string> builtinReconstructors()
{
    std::vector<std::string> out;
    for (const QString &s : models::ModelRegistry::builtin().baselineSpecs()) out.push_back(s.toStdString());
    return out;
}

bool parseSdVaeSpec(const std::string &model, std::string *path, std::string *config)
{
    if (model.rfind("sd-vae:", 0) != 0) return false;
    const std::string rest = model.substr(7);
    const auto bar = rest.find('|');
    *path = rest.substr(0, bar);
    *config = bar == std::string::npos ? std::string() : rest.substr(bar + 1);
    return true;
}

std::unique_ptr<Reconstructor> makeReconstructor(const std::string &model, const RuntimeOptions &runtime,
                                                 const std::atomic<bool> *cancel)
{
    const std::string fix = "use bicubic8, bicubic:<factor>, jpeg:<quality>, pca8, pca:<patch>:<k> or sd-vae:<weights path>";
    auto number = [&](const std::string &s) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(s, &used);
        } catch (...) {
            used = 0;
        }
        if (used == 0 || used != s.size()) throw Error("bad number '" + s + "' in model name '" + model + "'", "", fix);
        return v;
    };
    if (model == "bicubic8") return std::make_unique<BicubicReconstructor>(8.0);
    if (model.rfind("bicubic:", 0) == 0) return std::make_unique<BicubicReconstructor>(number(model.substr(8)));
    if (model == "pca8") return std::make_unique<PcaPatchReconstructor>(8, 4);
    if (model.rfind("pca:", 0) == 0) {
        const std::string rest = model.substr(4);
        const auto colon = rest.find(':');
        if (colon == std::string::npos) throw Error("PCA model name needs pca:<patch>:<components>", "", fix);
        const double p = number(rest.substr(0, colon)), k = number(rest.substr(colon + 1));
        if (p != std::floor(p) || k != std::floor(k)) throw Error("PCA patch size and components must be integers", "", fix);
        return std::make_unique<PcaPatchReconstructor>(static_cast<int>(p), static_cast<int>(k));
    }
    if (model.rfind("jpeg:", 0) == 0) {
        const double q = number(model.substr(5));
        if (q != std::floor(q)) throw Error("JPEG quality must be an integer", "", fix);
        return std::make_unique<JpegReconstructor>(static_cast<int>(q));
    }
    if (model == "sd-vae-random") // the full-size sd14 network with random weights: timing only, never a result
        return std::make_unique<SdVaeReconstructor>(std::make_unique<AutoencoderKl>(VaeConfig::preset("sd14"), runtime), model);
    std::string path, config;
    if (parseSdVaeSpec(model, &path, &config)) {
        if (path.empty()) throw Error("sd-vae needs a weights path", "", "e.g. sd-vae:/models/sd-vae-ft-mse");
        return std::make_unique<SdVaeReconstructor>(AutoencoderKl::fromCheckpoint(path, config, runtime, cancel), model);
    }
    throw Error("unknown reconstruction model '" + model + "'", "", fix);
}

} // namespace cprecon
