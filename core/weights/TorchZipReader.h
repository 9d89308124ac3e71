#pragma once
// Reads the tensors of a PyTorch checkpoint (.pth / .bin / .ckpt / .pt) without Python, in both torch.save formats:
// zip (torch >= 1.6: <archive>/data.pkl through the restricted unpickler, tensor bytes from <archive>/data/<key>)
// and legacy (torch < 1.6, e.g. the published pytorch-fid weights: magic, protocol, sys_info and data pickles in a
// row, then the sorted storage keys and each storage as int64 element count + raw little-endian bytes).
// The state dict is found as the top-level dict, or its 'state_dict' / 'model' / 'module' / 'state_dict_ema'
// entry (Lightning .ckpt, MAE-style checkpoints); nested dicts are flattened with '.'.
#include "weights/RestrictedUnpickler.h"
#include "weights/StateDict.h"
#include "weights/MappedFile.h"
#include "weights/ZipArchive.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cprecon {

class TorchZipReader {
public:
    explicit TorchZipReader(const std::string &path); // throws cprecon::Error
    const std::string &path() const { return m_path; }
    bool legacy() const { return !m_zip; }
    struct Item {
        std::string name;
        PyTensorRef ref;
    };
    const std::vector<Item> &tensors() const { return m_items; }
    std::string stateDictEntry() const { return m_entry; } // "" = top level, else e.g. "state_dict"
    HostTensor read(const Item &item) const;                 // float32 copy (strided views gathered)

private:
    PyRef readZip(const std::string &fix); // opens the archive, returns data.pkl's value
    PyRef readLegacy(); // parses the legacy stream, fills m_legacyStorages, returns the data pickle
    std::pair<const uint8_t *, uint64_t> storage(const std::string &key, const std::string &tensor) const;

    std::string m_path;
    std::unique_ptr<ZipArchive> m_zip;      // zip format
    std::unique_ptr<MappedFile> m_file;     // legacy format
    std::map<std::string, std::pair<const uint8_t *, uint64_t>> m_legacyStorages; // key -> bytes
    std::string m_prefix; // "archive/" or "<name>/"
    std::string m_entry;
    std::vector<Item> m_items;
};

// Content sniffing for checkpoints (GOTCHAS 3): never trusts the extension.
enum class CheckpointFormat { Safetensors, TorchZip, TorchScriptZip, LegacyTorchPickle, LegacyTorchTar, Unknown };
CheckpointFormat detectCheckpointFormat(const std::string &path);
const char *checkpointFormatName(CheckpointFormat f);

} // namespace cprecon
