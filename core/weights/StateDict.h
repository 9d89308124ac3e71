#pragma once
// A checkpoint's tensors by name, converted to float32 on the host (F16/BF16/F64 weights are widened/narrowed),
// whatever file format they came from. Networks copy from here into their LibTorch parameters by key.
#include "weights/SafetensorsFile.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cprecon {

struct HostTensor {
    DType sourceDType = DType::F32; // dtype in the file
    std::vector<int64_t> shape;
    std::vector<float> values;      // row-major, float32 (integer tensors converted too)
    int64_t numel() const
    {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};

struct StateDict {
    std::string source; // file (or folder) the tensors came from, for error messages
    std::map<std::string, HostTensor> tensors;
    std::vector<std::string> skippedKeys; // tensors in the file that a key filter left out (names only)
    bool contains(const std::string &k) const { return tensors.count(k) != 0; }
};

// Which tensors to convert (a multi-GB SD checkpoint holds UNet + text encoder too: only the VAE is read).
using KeyFilter = std::function<bool(const std::string &key)>;

// Reads every tensor of a safetensors file.
StateDict loadSafetensorsStateDict(const std::string &path);
StateDict loadSafetensorsStateDict(const std::string &path, const KeyFilter &keep);

// Reads a checkpoint of any supported format, detected by content (not extension): safetensors, PyTorch zip
// (.pth/.bin/.ckpt; restricted unpickler), diffusers folders and HF-cache snapshots. Throws cprecon::Error.
// A folder is resolved with locateCheckpoint() (weights/CheckpointLocator.h).
StateDict loadStateDict(const std::string &path);
StateDict loadStateDict(const std::string &path, const KeyFilter &keep);
// PyTorch zip checkpoint only (restricted unpickler; weights/TorchZipReader.h).
StateDict loadTorchZipStateDict(const std::string &path, const KeyFilter &keep = {});

} // namespace cprecon
