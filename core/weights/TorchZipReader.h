#pragma once
// Reads the tensors of a PyTorch zip checkpoint (torch.save >= 1.6: .pth / .bin / .ckpt / .pt) without Python:
// <archive>/data.pkl through the restricted unpickler, tensor bytes straight from <archive>/data/<key>.
// The state dict is found as the top-level dict, or its 'state_dict' / 'model' / 'module' / 'state_dict_ema'
// entry (Lightning .ckpt, MAE-style checkpoints); nested dicts are flattened with '.'.
#include "weights/RestrictedUnpickler.h"
#include "weights/StateDict.h"
#include "weights/ZipArchive.h"

#include <functional>
#include <string>
#include <vector>

namespace cprecon {

class TorchZipReader {
public:
    explicit TorchZipReader(const std::string &path); // throws cprecon::Error
    const std::string &path() const { return m_zip.path(); }
    struct Item {
        std::string name;
        PyTensorRef ref;
    };
    const std::vector<Item> &tensors() const { return m_items; }
    std::string stateDictEntry() const { return m_entry; } // "" = top level, else e.g. "state_dict"
    HostTensor read(const Item &item) const;                 // float32 copy (strided views gathered)

private:
    ZipArchive m_zip;
    std::string m_prefix; // "archive/" or "<name>/"
    std::string m_entry;
    std::vector<Item> m_items;
};

// Content sniffing for checkpoints (GOTCHAS 3): never trusts the extension.
enum class CheckpointFormat { Safetensors, TorchZip, TorchScriptZip, LegacyTorchPickle, LegacyTorchTar, Unknown };
CheckpointFormat detectCheckpointFormat(const std::string &path);
const char *checkpointFormatName(CheckpointFormat f);

} // namespace cprecon
