#pragma once
// The architecture of a diffusers AutoencoderKL, read from its config.json. Every key missing from the file
// takes the diffusers (v0.30) default, exactly as `AutoencoderKL.from_config` would resolve it.
#include <optional>
#include <string>
#include <vector>

namespace cprecon {

struct VaeConfig {
    int inChannels = 3;
    int outChannels = 3;
    std::vector<int> blockOutChannels{64};
    int layersPerBlock = 1;
    int latentChannels = 4;
    int normNumGroups = 32;
    int sampleSize = 32;
    double scalingFactor = 0.18215;
    std::optional<double> shiftFactor; // null in SD 1.x/2.x/SDXL; set for SD3/FLUX
    bool useQuantConv = true;
    bool usePostQuantConv = true;
    bool midBlockAddAttention = true;
    bool forceUpcast = true;

    int levels() const { return static_cast<int>(blockOutChannels.size()); }
    int downsampleFactor() const { return 1 << (levels() - 1); } // 8 for SD
    std::string describe() const; // one line: channels, latent, scaling

    // Throws cprecon::Error naming `source` for unsupported block types, activations or class names.
    static VaeConfig fromJsonText(const std::string &jsonText, const std::string &source);
    static VaeConfig fromFile(const std::string &path);

    // Built-in configs of published VAEs (for random-weight benchmarks and single-file checkpoints that
    // carry no config): "sd14" (= SD 1.x/2.x, sd-vae-ft-mse), "sdxl" (scaling 0.13025), "flux" (16 ch).
    static VaeConfig preset(const std::string &name);
};

} // namespace cprecon
