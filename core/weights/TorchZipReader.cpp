#include "weights/TorchZipReader.h"

#include "util/Error.h"

#include <cstring>
#include <fstream>
#include <set>

namespace cprecon {

namespace {
bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void flatten(const PyRef &dict, const std::string &prefix, std::vector<TorchZipReader::Item> &out, int depth,
             const std::string &source)
{
    if (depth > 8) throw Error("checkpoint dicts nested deeper than 8 levels", source, "save a plain state dict");
    for (const auto &[k, v] : dict->dict) {
        std::string key;
        if (k->kind == PyValue::Kind::String)
            key = k->s;
        else if (k->kind == PyValue::Kind::Int)
            key = std::to_string(k->i);
        else
            continue;
        const std::string name = prefix.empty() ? key : prefix + "." + key;
        if (v->kind == PyValue::Kind::Tensor)
            out.push_back({name, v->tensor});
        else if (v->kind == PyValue::Kind::Dict)
            flatten(v, name, out, depth + 1, source);
        // other values (global_step, epoch, hyper-parameters) are not tensors: ignored
    }
}

PyRef findEntry(const PyRef &top, const std::string &key)
{
    for (const auto &[k, v] : top->dict)
        if (k->kind == PyValue::Kind::String && k->s == key && v->kind == PyValue::Kind::Dict) return v;
    return nullptr;
}
} // namespace

TorchZipReader::TorchZipReader(const std::string &path) : m_zip(path)
{
    const std::string fix = "save the weights with torch.save(model.state_dict(), path) or use .safetensors";
    const ZipArchive::Entry *pkl = nullptr;
    for (const auto &e : m_zip.entries())
        if (endsWith(e.name, "/data.pkl") && e.name.find('/') == e.name.size() - 9) {
            pkl = &e;
            break;
        }
    if (!pkl) {
        for (const auto &e : m_zip.entries())
            if (endsWith(e.name, "/constants.pkl") || e.name.find("/code/") != std::string::npos)
                throw Error("this is a TorchScript archive (torch.jit.save), not a state dict", path,
                            "export the state dict: torch.save(torch.jit.load(p).state_dict(), out)");
        throw Error("zip file without <archive>/data.pkl: not a PyTorch checkpoint", path, fix);
    }
    m_prefix = pkl->name.substr(0, pkl->name.size() - 8);
    if (const auto *bo = m_zip.find(m_prefix + "byteorder")) {
        const std::string order(reinterpret_cast<const char *>(m_zip.data(*bo)), static_cast<size_t>(bo->size));
        if (order != "little") throw Error("checkpoint was saved on a big-endian machine", path, "re-save it on x86/ARM");
    }
    const PyRef top = unpickleRestricted(m_zip.data(*pkl), static_cast<size_t>(pkl->size), path + " (data.pkl)");
    if (top->kind != PyValue::Kind::Dict)
        throw Error(std::string("checkpoint holds a pickled ") + pyKindName(top->kind) + ", not a state dict", path, fix);
    PyRef sd = top;
    for (const char *k : {"state_dict", "model", "module", "state_dict_ema", "model_ema"})
        if (auto e = findEntry(top, k)) {
            sd = e;
            m_entry = k;
            break;
        }
    flatten(sd, "", m_items, 0, path);
    if (m_items.empty()) throw Error("checkpoint contains no tensors", path, fix);
}

HostTensor TorchZipReader::read(const Item &item) const
{
    const auto &r = item.ref;
    const ZipArchive::Entry *e = m_zip.find(m_prefix + "data/" + r.storageKey);
    if (!e)
        throw Error("storage '" + r.storageKey + "' of tensor '" + item.name + "' is missing from the archive", path(),
                    "the file is incomplete; download it again");
    const uint8_t *base = m_zip.data(*e);
    const size_t es = dtypeSize(r.dtype);
    const uint64_t storageElems = e->size / es;
    HostTensor h;
    h.sourceDType = r.dtype;
    h.shape = r.shape;
    const int64_t n = h.numel();
    h.values.resize(static_cast<size_t>(n));
    if (n == 0) return h;
    // Highest element index touched, to bounds-check before reading.
    int64_t maxIndex = r.storageOffset;
    for (size_t d = 0; d < r.shape.size(); ++d) {
        if (r.shape[d] < 0 || r.stride[d] < 0)
            throw Error("tensor '" + item.name + "' has a negative size or stride", path(), "re-save the checkpoint");
        maxIndex += (r.shape[d] - 1) * r.stride[d];
    }
    if (r.storageOffset < 0 || static_cast<uint64_t>(maxIndex) >= storageElems)
        throw Error("tensor '" + item.name + "' reaches outside its storage", path(), "the file is corrupt; download it again");
    auto load = [&](int64_t idx) -> float {
        const uint8_t *p = base + static_cast<size_t>(idx) * es;
        switch (r.dtype) {
        case DType::F32: { float v; std::memcpy(&v, p, 4); return v; }
        case DType::F16: { uint16_t v; std::memcpy(&v, p, 2); return halfToFloat(v); }
        case DType::BF16: { uint16_t v; std::memcpy(&v, p, 2); return bfloat16ToFloat(v); }
        case DType::F64: { double v; std::memcpy(&v, p, 8); return static_cast<float>(v); }
        case DType::I64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<float>(v); }
        case DType::I32: { int32_t v; std::memcpy(&v, p, 4); return static_cast<float>(v); }
        case DType::I16: { int16_t v; std::memcpy(&v, p, 2); return static_cast<float>(v); }
        case DType::I8: return static_cast<float>(static_cast<int8_t>(*p));
        case DType::U8:
        case DType::BOOL: return static_cast<float>(*p);
        }
        return 0.f;
    };
    const size_t rank = r.shape.size();
    std::vector<int64_t> idx(rank, 0);
    int64_t off = r.storageOffset;
    for (int64_t i = 0; i < n; ++i) {
        h.values[static_cast<size_t>(i)] = load(off);
        for (size_t d = rank; d-- > 0;) { // odometer over the view
            off += r.stride[d];
            if (++idx[d] < r.shape[d]) break;
            off -= r.stride[d] * r.shape[d];
            idx[d] = 0;
        }
    }
    return h;
}

CheckpointFormat detectCheckpointFormat(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return CheckpointFormat::Unknown;
    uint8_t head[512] = {};
    in.read(reinterpret_cast<char *>(head), sizeof head);
    const auto got = static_cast<size_t>(in.gcount());
    if (got >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) {
        try {
            ZipArchive z(path);
            for (const auto &e : z.entries()) {
                if (endsWith(e.name, "/data.pkl")) return CheckpointFormat::TorchZip;
                if (endsWith(e.name, "/constants.pkl")) return CheckpointFormat::TorchScriptZip;
            }
        } catch (const Error &) {
        }
        return CheckpointFormat::Unknown;
    }
    if (SafetensorsFile::looksLikeSafetensors(path)) return CheckpointFormat::Safetensors;
    if (got >= 262 && std::memcmp(head + 257, "ustar", 5) == 0) return CheckpointFormat::LegacyTorchTar;
    // Legacy torch.save: pickle protocol 2 starting with the LONG1 magic number 0x1950a86a20f9469cfc6c.
    static const uint8_t magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    if (got >= sizeof magic && std::memcmp(head, magic, sizeof magic) == 0) return CheckpointFormat::LegacyTorchPickle;
    return CheckpointFormat::Unknown;
}

const char *checkpointFormatName(CheckpointFormat f)
{
    switch (f) {
    case CheckpointFormat::Safetensors: return "safetensors";
    case CheckpointFormat::TorchZip: return "PyTorch zip checkpoint";
    case CheckpointFormat::TorchScriptZip: return "TorchScript archive";
    case CheckpointFormat::LegacyTorchPickle: return "legacy PyTorch pickle (torch < 1.6)";
    case CheckpointFormat::LegacyTorchTar: return "legacy PyTorch tar checkpoint";
    default: return "unknown";
    }
}

} // namespace cprecon
