#pragma once
// Turns what a user points at into a weights file (+ config.json when there is one):
//   - a single file (.safetensors / .pth / .bin / .ckpt; format detected later by content),
//   - a diffusers model folder (config.json + diffusion_pytorch_model.safetensors|.bin, model.safetensors, ...),
//   - a pipeline folder or HF-cache snapshot with the model in a subfolder (default "vae"),
//   - an HF-cache repo folder models--ORG--NAME (snapshot from refs/main, else the newest snapshot).
// Symlinks (HF cache blobs) are followed.
#include <string>
#include <vector>

namespace cprecon {

struct CheckpointLocation {
    std::string weightsFile;
    std::string configFile; // empty when none
    std::string layout;     // "single file", "diffusers folder", "HF cache snapshot", ... (for messages/UI)
};

// Throws cprecon::Error listing what was looked for when nothing fits.
CheckpointLocation locateCheckpoint(const std::string &path, const std::vector<std::string> &subfolders = {"vae"});

} // namespace cprecon
