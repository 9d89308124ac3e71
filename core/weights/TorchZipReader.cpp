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

TorchZipReader::TorchZipReader(const std::string &path) : m_path(path)
{
    const std::string fix = "save the weights with torch.save(model.state_dict(), path) or use .safetensors";
    PyRef top;
    if (detectCheckpointFormat(path) == CheckpointFormat::LegacyTorchPickle) {
        m_file = std::make_unique<MappedFile>(path);
        top = readLegacy();
    } else {
        top = readZip(fix);
    }
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

PyRef TorchZipReader::readZip(const std::string &fix)
{
    const std::string &path = m_path;
    m_zip = std::make_unique<ZipArchive>(path);
    const ZipArchive::Entry *pkl = nullptr;
    for (const auto &e : m_zip->entries())
        if (endsWith(e.name, "/data.pkl") && e.name.find('/') == e.name.size() - 9) {
            pkl = &e;
            break;
        }
    if (!pkl) {
        for (const auto &e : m_zip->entries())
            if (endsWith(e.name, "/constants.pkl") || e.name.find("/code/") != std::string::npos)
                throw Error("this is a TorchScript archive (torch.jit.save), not a state dict", path,
                            "export the state dict: torch.save(torch.jit.load(p).state_dict(), out)");
        throw Error("zip file without <archive>/data.pkl: not a PyTorch checkpoint", path, fix);
    }
    m_prefix = pkl->name.substr(0, pkl->name.size() - 8);
    if (const auto *bo = m_zip->find(m_prefix + "byteorder")) {
        const std::string order(reinterpret_cast<const char *>(m_zip->data(*bo)), static_cast<size_t>(bo->size));
        if (order != "little") throw Error("checkpoint was saved on a big-endian machine", path, "re-save it on x86/ARM");
    }
    return unpickleRestricted(m_zip->data(*pkl), static_cast<size_t>(pkl->size), path + " (data.pkl)");
}

HostTensor TorchZipReader::read(const Item &item) const
{
    const auto &r = item.ref;
    // Not a structured binding: clang (the fuzz build) does not capture those in lambdas before C++20.
    const auto storageView = storage(r.storageKey, item.name);
    const uint8_t *const base = storageView.first;
    const auto storageBytes = storageView.second;
    const size_t es = dtypeSize(r.dtype);
    const uint64_t storageElems = storageBytes / es;
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

std::pair<const uint8_t *, uint64_t> TorchZipReader::storage(const std::string &key, const std::string &tensor) const
{
    if (m_zip) {
        const ZipArchive::Entry *e = m_zip->find(m_prefix + "data/" + key);
        if (!e)
            throw Error("storage '" + key + "' of tensor '" + tensor + "' is missing from the archive", path(),
                        "the file is incomplete; download it again");
        return {m_zip->data(*e), e->size};
    }
    const auto it = m_legacyStorages.find(key);
    if (it == m_legacyStorages.end())
        throw Error("storage '" + key + "' of tensor '" + tensor + "' is missing from the file", path(),
                    "the file is incomplete; download it again");
    return it->second;
}

namespace {
// Every tensor reference anywhere in a pickled value (state dict, optimizer state, ...): storage key -> dtype.
void collectStorageTypes(const PyRef &v, std::map<std::string, DType> &out, int depth)
{
    if (!v || depth > 64) return;
    if (v->kind == PyValue::Kind::Tensor) out.emplace(v->tensor.storageKey, v->tensor.dtype);
    if (v->kind == PyValue::Kind::Storage) out.emplace(v->s, v->dtype);
    for (const auto &i : v->items) collectStorageTypes(i, out, depth + 1);
    for (const auto &[k, x] : v->dict) {
        collectStorageTypes(k, out, depth + 1);
        collectStorageTypes(x, out, depth + 1);
    }
}
} // namespace

PyRef TorchZipReader::readLegacy()
{
    const uint8_t *d = m_file->data();
    const size_t n = m_file->size();
    size_t pos = 0;
    auto next = [&](const char *what) {
        size_t used = 0;
        PyRef v = unpickleRestricted(d + pos, n - pos, m_path + " (legacy " + what + ")", &used);
        pos += used;
        return v;
    };
    // The magic number is a 10-byte LONG1 (too wide for an int64): compared as bytes.
    static const uint8_t magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
    if (n < sizeof magic || std::memcmp(d, magic, sizeof magic) != 0)
        throw Error("not a legacy PyTorch checkpoint (bad magic number)", m_path, "download the file again");
    pos = sizeof magic;
    const PyRef protocol = next("protocol version");
    if (protocol->kind != PyValue::Kind::Int || protocol->i != 1001)
        throw Error("unsupported legacy PyTorch protocol version", m_path, "re-save with torch>=1.6: torch.save(torch.load(p), p2)");
    const PyRef sysInfo = next("sys_info");
    for (const auto &[k, v] : sysInfo->dict)
        if (k->kind == PyValue::Kind::String && k->s == "little_endian" && v->kind == PyValue::Kind::Bool && !v->b)
            throw Error("checkpoint was saved on a big-endian machine", m_path, "re-save it on x86/ARM");
    PyRef top = next("data");
    const PyRef keys = next("storage keys");
    if (keys->kind != PyValue::Kind::List) throw Error("legacy checkpoint without a storage key list", m_path, "download the file again");
    std::map<std::string, DType> types;
    collectStorageTypes(top, types, 0);
    for (const auto &k : keys->items) {
        if (k->kind != PyValue::Kind::String) throw Error("malformed legacy storage key", m_path, "download the file again");
        const auto t = types.find(k->s);
        if (t == types.end())
            throw Error("legacy storage '" + k->s + "' is used by no tensor, its element size is unknown", m_path,
                        "re-save with torch>=1.6: torch.save(torch.load(p), p2)");
        int64_t count = 0;
        if (pos + 8 > n) throw Error("legacy checkpoint truncated in storage '" + k->s + "'", m_path, "download the file again");
        std::memcpy(&count, d + pos, 8);
        pos += 8;
        const uint64_t bytes = uint64_t(count) * dtypeSize(t->second);
        if (count < 0 || bytes > n - pos)
            throw Error("legacy checkpoint truncated in storage '" + k->s + "'", m_path, "download the file again");
        m_legacyStorages[k->s] = {d + pos, bytes};
        pos += bytes;
    }
    return top;
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
