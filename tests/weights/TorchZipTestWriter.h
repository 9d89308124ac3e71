#pragma once
// Test-only writer of the torch.save zip format (pickle protocol 2 + stored zip entries), emitting the same
// opcodes torch 1.13's torch.save does for a state dict (checked by hand: files from this writer load with
// Python torch.load, see docs/user/models-vae.md). Lets tests build .pth/.ckpt layouts without Python.
#include "weights/SafetensorsFile.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cprecon::testzip {

struct Tensor {
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    std::vector<float> values; // converted to dtype on write
};

class Pickle {
public:
    std::string bytes;
    void op(char c) { bytes += c; }
    void u8(uint8_t v) { bytes += static_cast<char>(v); }
    void u32(uint32_t v) { bytes.append(reinterpret_cast<const char *>(&v), 4); }
    void put() // BINPUT / LONG_BINPUT like CPython's memoizer
    {
        if (m_memo < 256) {
            op('q');
            u8(static_cast<uint8_t>(m_memo));
        } else {
            op('r');
            u32(m_memo);
        }
        ++m_memo;
    }
    void str(const std::string &s)
    {
        op('X');
        u32(static_cast<uint32_t>(s.size()));
        bytes += s;
        put();
    }
    void integer(int64_t v)
    {
        if (v >= 0 && v < 256) {
            op('K');
            u8(static_cast<uint8_t>(v));
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            op('J');
            u32(static_cast<uint32_t>(static_cast<int32_t>(v)));
        } else {
            op('\x8a');
            u8(8);
            bytes.append(reinterpret_cast<const char *>(&v), 8);
        }
    }
    void global(const std::string &module, const std::string &name)
    {
        op('c');
        bytes += module + "\n" + name + "\n";
        put();
    }
    void intTuple(const std::vector<int64_t> &v)
    {
        if (v.empty()) {
            op(')');
            return;
        }
        op('(');
        for (auto x : v) integer(x);
        op('t');
        put();
    }

private:
    uint32_t m_memo = 0;
};

inline const char *storageName(DType t)
{
    switch (t) {
    case DType::F16: return "HalfStorage";
    case DType::BF16: return "BFloat16Storage";
    case DType::F64: return "DoubleStorage";
    case DType::I64: return "LongStorage";
    case DType::I32: return "IntStorage";
    case DType::U8: return "ByteStorage";
    default: return "FloatStorage";
    }
}

inline std::string rawBytes(const Tensor &t)
{
    std::string out;
    for (float v : t.values) {
        switch (t.dtype) {
        case DType::F16: {
            const uint16_t h = floatToHalf(v);
            out.append(reinterpret_cast<const char *>(&h), 2);
            break;
        }
        case DType::BF16: {
            uint32_t bits;
            std::memcpy(&bits, &v, 4);
            const uint16_t h = static_cast<uint16_t>(bits >> 16); // exact for the test values used
            out.append(reinterpret_cast<const char *>(&h), 2);
            break;
        }
        case DType::F64: {
            const double d = v;
            out.append(reinterpret_cast<const char *>(&d), 8);
            break;
        }
        case DType::I64: {
            const int64_t i = static_cast<int64_t>(v);
            out.append(reinterpret_cast<const char *>(&i), 8);
            break;
        }
        default: out.append(reinterpret_cast<const char *>(&v), 4);
        }
    }
    return out;
}

// Stored zip with the given entries (names in order), local headers + central directory + EOCD.
// zip64: write every size/offset as 0xFFFFFFFF with the real values in zip64 extra fields and a zip64 end
// record + locator (what miniz writes for checkpoints > 4 GiB), to exercise that path with small files.
inline void writeZip(const std::string &path, const std::vector<std::pair<std::string, std::string>> &entries,
                     bool zip64 = false)
{
    std::string out, central;
    auto le16 = [](std::string &s, uint16_t v) { s.append(reinterpret_cast<const char *>(&v), 2); };
    auto le32 = [](std::string &s, uint32_t v) { s.append(reinterpret_cast<const char *>(&v), 4); };
    for (const auto &[name, data] : entries) {
        const uint32_t crc = static_cast<uint32_t>(
            crc32(0, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size())));
        const uint32_t offset = static_cast<uint32_t>(out.size());
        // torch aligns data to 64 bytes with padding in the extra field ("FB" id); do the same.
        const size_t headerEnd = out.size() + 30 + name.size() + 4;
        const uint16_t pad = static_cast<uint16_t>((64 - headerEnd % 64) % 64);
        le32(out, 0x04034b50); le16(out, 20); le16(out, 0); le16(out, 0); le16(out, 0); le16(out, 0);
        le32(out, crc); le32(out, static_cast<uint32_t>(data.size())); le32(out, static_cast<uint32_t>(data.size()));
        le16(out, static_cast<uint16_t>(name.size())); le16(out, static_cast<uint16_t>(4 + pad));
        out += name;
        le16(out, 0x4246); le16(out, pad); out.append(pad, 'Z');
        out += data;
        const uint32_t big = 0xFFFFFFFFu;
        le32(central, 0x02014b50); le16(central, 45); le16(central, 45); le16(central, 0); le16(central, 0);
        le16(central, 0); le16(central, 0); le32(central, crc);
        le32(central, zip64 ? big : static_cast<uint32_t>(data.size()));
        le32(central, zip64 ? big : static_cast<uint32_t>(data.size()));
        le16(central, static_cast<uint16_t>(name.size())); le16(central, zip64 ? 28 : 0); le16(central, 0);
        le16(central, 0); le16(central, 0); le32(central, 0); le32(central, zip64 ? big : offset);
        central += name;
        if (zip64) { // id 1, 24 bytes: uncompressed, compressed, local header offset
            le16(central, 0x0001); le16(central, 24);
            const uint64_t vals[] = {data.size(), data.size(), offset};
            for (uint64_t v : vals) central.append(reinterpret_cast<const char *>(&v), 8);
        }
    }
    const uint64_t cdOffset = out.size();
    out += central;
    if (zip64) {
        const uint64_t z64 = out.size(), n = entries.size(), cdSize = central.size();
        le32(out, 0x06064b50);
        const uint64_t recSize = 44;
        out.append(reinterpret_cast<const char *>(&recSize), 8);
        le16(out, 45); le16(out, 45); le32(out, 0); le32(out, 0);
        for (uint64_t v : {n, n, cdSize, cdOffset}) out.append(reinterpret_cast<const char *>(&v), 8);
        le32(out, 0x07064b50); le32(out, 0);
        out.append(reinterpret_cast<const char *>(&z64), 8);
        le32(out, 1);
    }
    le32(out, 0x06054b50); le16(out, 0); le16(out, 0);
    le16(out, zip64 ? 0xFFFF : static_cast<uint16_t>(entries.size()));
    le16(out, zip64 ? 0xFFFF : static_cast<uint16_t>(entries.size()));
    le32(out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(central.size()));
    le32(out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(cdOffset)); le16(out, 0);
    std::ofstream(path, std::ios::binary).write(out.data(), static_cast<std::streamsize>(out.size()));
}

// torch.save(OrderedDict(tensors)) or, with `nestUnder`, torch.save({nestUnder: OrderedDict, "global_step": 1}).
inline void writeTorchStateDict(const std::string &path, const std::map<std::string, Tensor> &tensors,
                                const std::string &nestUnder = {}, const std::string &archive = "archive",
                                bool zip64 = false)
{
    Pickle p;
    p.op('\x80'); p.u8(2);
    if (!nestUnder.empty()) {
        p.op('}'); p.put();
        p.op('(');
        p.str(nestUnder);
    }
    p.global("collections", "OrderedDict");
    const uint32_t odMemo = 0 + (nestUnder.empty() ? 0 : 2);
    p.op(')'); p.op('R'); p.put();
    std::vector<std::pair<std::string, std::string>> entries;
    entries.push_back({archive + "/data.pkl", {}});
    int key = 0;
    std::map<DType, uint32_t> storageMemo;
    p.op('(');
    for (const auto &[name, t] : tensors) {
        p.str(name);
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.op('(');
        p.op('(');
        p.str("storage");
        p.global("torch", storageName(t.dtype));
        p.str(std::to_string(key));
        p.str("cpu");
        p.integer(static_cast<int64_t>(t.values.size()));
        p.op('t'); p.put();
        p.op('Q');
        p.integer(0);
        p.intTuple(t.shape);
        std::vector<int64_t> stride(t.shape.size(), 1);
        for (size_t d = t.shape.size(); d-- > 1;) stride[d - 1] = stride[d] * t.shape[d];
        p.intTuple(stride);
        p.op('\x89');
        p.op('h'); p.u8(static_cast<uint8_t>(odMemo)); // BINGET OrderedDict class (backward_hooks)
        p.op(')'); p.op('R'); p.put();
        p.op('t'); p.put();
        p.op('R'); p.put();
        entries.push_back({archive + "/data/" + std::to_string(key), rawBytes(t)});
        ++key;
    }
    p.op('u');
    // state_dict._metadata via BUILD, as torch.save writes it
    p.op('}'); p.put();
    p.str("_metadata");
    p.op('h'); p.u8(static_cast<uint8_t>(odMemo)); p.op(')'); p.op('R'); p.put();
    p.op('s');
    p.op('b');
    if (!nestUnder.empty()) {
        p.str("global_step");
        p.integer(470000);
        p.op('u');
    }
    p.op('.');
    entries.front().second = p.bytes;
    entries.push_back({archive + "/version", "3\n"});
    writeZip(path, entries, zip64);
}

} // namespace cprecon::testzip
