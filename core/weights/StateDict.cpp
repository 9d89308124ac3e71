#include "weights/StateDict.h"

#include "util/Error.h"
#include "weights/CheckpointLocator.h"
#include "weights/TorchZipReader.h"

#include <sys/stat.h>

namespace cprecon {

StateDict loadSafetensorsStateDict(const std::string &path) { return loadSafetensorsStateDict(path, {}); }

StateDict loadSafetensorsStateDict(const std::string &path, const KeyFilter &keep)
{
    SafetensorsFile f(path);
    StateDict sd;
    sd.source = path;
    for (const auto &t : f.tensors()) {
        if (keep && !keep(t.name)) {
            sd.skippedKeys.push_back(t.name);
            continue;
        }
        HostTensor h;
        h.sourceDType = t.dtype;
        h.shape = t.shape;
        h.values = f.toFloat(t.name);
        sd.tensors.emplace(t.name, std::move(h));
    }
    return sd;
}

StateDict loadTorchZipStateDict(const std::string &path, const KeyFilter &keep)
{
    TorchZipReader r(path);
    StateDict sd;
    sd.source = path;
    for (const auto &item : r.tensors()) {
        if (keep && !keep(item.name)) {
            sd.skippedKeys.push_back(item.name);
            continue;
        }
        if (sd.tensors.count(item.name))
            throw Error("tensor '" + item.name + "' appears twice in the checkpoint", path, "re-save the state dict");
        sd.tensors.emplace(item.name, r.read(item));
    }
    return sd;
}

StateDict loadStateDict(const std::string &path) { return loadStateDict(path, {}); }

StateDict loadStateDict(const std::string &path, const KeyFilter &keep)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw Error("checkpoint not found", path, "check the path");
    if (S_ISDIR(st.st_mode)) {
        StateDict sd = loadStateDict(locateCheckpoint(path).weightsFile, keep);
        return sd;
    }
    switch (detectCheckpointFormat(path)) {
    case CheckpointFormat::Safetensors: return loadSafetensorsStateDict(path, keep);
    case CheckpointFormat::TorchZip:
    case CheckpointFormat::LegacyTorchPickle: return loadTorchZipStateDict(path, keep);
    case CheckpointFormat::TorchScriptZip:
        throw Error("this is a TorchScript archive (torch.jit.save), not a state dict", path,
                    "export the state dict: torch.save(torch.jit.load(p).state_dict(), out)");
    case CheckpointFormat::LegacyTorchTar:
        throw Error("legacy PyTorch tar checkpoint (torch < 0.4) is not supported", path,
                    "re-save it with torch>=1.6: torch.save(torch.load(p), p2), or convert it to .safetensors");
    default:
        throw Error("unknown checkpoint format (neither safetensors nor a PyTorch zip)", path,
                    "give a .safetensors, .pth, .bin or .ckpt file saved by torch>=1.6, or a diffusers folder");
    }
}

} // namespace cprecon
