#pragma once
// `cprecon-cli model run`: run one network on the tensors of a safetensors file and write its outputs with the
// golden fixtures' key names, so anyone can check a checkpoint against the Python reference.
#include <string>

namespace cprecon {

struct ModelRunRequest {
    std::string weights; // diffusers folder, single file, or HF-cache snapshot folder
    std::string config;  // optional config.json (VAE)
    std::string input;   // input .safetensors
    std::string output;  // output .safetensors
    std::string device = "auto"; // auto | cpu | cuda
    bool paperDoubleNormalisation = false; // OpenPhenom paper quirk (PROTOCOL.md)
    bool transformInput = false; // InceptionV3: torchvision's pretrained IMAGENET1K_V1 weights set transform_input=True
};

// vae: input `x` (N,3,H,W float32 in [-1,1]) -> posterior_mean, posterior_logvar, decoded_from_mean
void runVaeModel(const ModelRunRequest &r);
// inception-torchvision: input `images_u8` (N,3,H,W uint8) -> pool_features, logits
// inception-fid: input `images_u8` -> pool3_features
void runInceptionModel(const ModelRunRequest &r, bool fidRecipe);
// openphenom: input `images_u8` (N,C,256,256 uint8) -> channelwise_embeddings (N,C,384), embedding (N,384)
void runOpenPhenomModel(const ModelRunRequest &r);

} // namespace cprecon
