#include "weights/StateDict.h"

#include "util/Error.h"

namespace cprecon {

StateDict loadSafetensorsStateDict(const std::string &path)
{
    SafetensorsFile f(path);
    StateDict sd;
    sd.source = path;
    for (const auto &t : f.tensors()) {
        HostTensor h;
        h.sourceDType = t.dtype;
        h.shape = t.shape;
        h.values = f.toFloat(t.name);
        sd.tensors.emplace(t.name, std::move(h));
    }
    return sd;
}

StateDict loadStateDict(const std::string &path)
{
    // Other formats (torch zip pickles, folders, HF snapshots) are added by the checkpoint loaders.
    if (SafetensorsFile::looksLikeSafetensors(path)) return loadSafetensorsStateDict(path);
    throw Error("unsupported checkpoint format", path, "give a .safetensors file");
}

} // namespace cprecon
