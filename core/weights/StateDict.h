#pragma once
// A checkpoint's tensors by name, converted to float32 on the host (F16/BF16/F64 weights are widened/narrowed),
// whatever file format they came from. Networks copy from here into their LibTorch parameters by key.
#include "weights/SafetensorsFile.h"

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
    bool contains(const std::string &k) const { return tensors.count(k) != 0; }
};

// Reads every tensor of a safetensors file.
StateDict loadSafetensorsStateDict(const std::string &path);

// Reads a checkpoint of any supported format, detected by content (not extension): safetensors, PyTorch zip
// (.pth/.bin/.ckpt; restricted unpickler), diffusers folders and HF-cache snapshots. Throws cprecon::Error.
StateDict loadStateDict(const std::string &path);

} // namespace cprecon
