#pragma once
// A strict, data-only unpickler for the `data.pkl` of torch.save zip checkpoints. It understands exactly the
// opcodes and globals a state dict (or a Lightning/.ckpt dict of them) uses and refuses everything else with
// a clear error. Unlike Python's pickle it never imports or calls anything: REDUCE on one of the whitelisted
// globals builds a plain value (dict / tensor reference), so a malicious file cannot execute code.
#include "weights/SafetensorsFile.h" // DType

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cprecon {

struct PyValue;
using PyRef = std::shared_ptr<PyValue>;

// A tensor as torch's _rebuild_tensor_v2 describes it: a view into a storage (zip entry data/<key>).
struct PyTensorRef {
    std::string storageKey;
    DType dtype = DType::F32;
    int64_t storageOffset = 0; // in elements
    std::vector<int64_t> shape, stride;
};

struct PyValue {
    enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };
    Kind kind = Kind::None;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;                            // String/Bytes; Global: "module.name"; Storage: key
    std::vector<PyRef> items;                 // Tuple/List
    std::vector<std::pair<PyRef, PyRef>> dict; // Dict, insertion order
    DType dtype = DType::F32;                 // Storage / storage-class Global
    PyTensorRef tensor;                       // Tensor
};

const char *pyKindName(PyValue::Kind k);

// Throws cprecon::Error (file = `source`) on any unsupported opcode or global, or malformed input.
// `consumed` (optional) receives the bytes up to and including STOP: legacy torch files hold several pickles in a row.
PyRef unpickleRestricted(const uint8_t *data, size_t size, const std::string &source, size_t *consumed = nullptr);

} // namespace cprecon
