#include "weights/SafetensorsFile.h"

#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <type_traits>
#include <fcntl.h>
#include <fstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cprecon {

namespace {
struct DTypeRow {
    DType type;
    const char *name;
    size_t size;
};
constexpr DTypeRow kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

bool parseDType(const std::string &s, DType &out)
{
    for (const auto &row : kDTypes)
        if (s == row.name) {
            out = row.type;
            return true;
        }
    return false;
}

template <typename T> T loadLE(const uint8_t *p)
{
    T v;
    std::memcpy(&v, p, sizeof(T)); // x86/ARM little-endian hosts only (as LibTorch itself)
    return v;
}

template <typename Out> std::vector<Out> convertFloating(const TensorInfo &t, const uint8_t *p, const std::string &file)
{
    const int64_t n = t.numel();
    std::vector<Out> out(static_cast<size_t>(n));
    // A float read as an integer must be a finite value in range: anything else is undefined in C++ (found by fuzzing).
    auto fromFloat = [&](double v) -> Out {
        if constexpr (std::is_integral_v<Out>) {
            if (!(v >= -9.2233720368547758e18 && v < 9.2233720368547758e18))
                throw Error("tensor '" + t.name + "' holds a value that is not an integer (" + std::to_string(v) + ")", file,
                            "the file is corrupt or not the tensor expected; download it again");
        }
        return static_cast<Out>(v);
    };
    switch (t.dtype) {
    case DType::F64:
        for (int64_t i = 0; i < n; ++i) out[i] = fromFloat(loadLE<double>(p + 8 * i));
        break;
    case DType::F32:
        for (int64_t i = 0; i < n; ++i) out[i] = fromFloat(loadLE<float>(p + 4 * i));
        break;
    case DType::F16:
        for (int64_t i = 0; i < n; ++i) out[i] = fromFloat(halfToFloat(loadLE<uint16_t>(p + 2 * i)));
        break;
    case DType::BF16:
        for (int64_t i = 0; i < n; ++i) out[i] = fromFloat(bfloat16ToFloat(loadLE<uint16_t>(p + 2 * i)));
        break;
    case DType::I64:
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(loadLE<int64_t>(p + 8 * i));
        break;
    case DType::I32:
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(loadLE<int32_t>(p + 4 * i));
        break;
    case DType::I16:
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(loadLE<int16_t>(p + 2 * i));
        break;
    case DType::I8:
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(static_cast<int8_t>(p[i]));
        break;
    case DType::U8:
    case DType::BOOL:
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(p[i]);
        break;
    }
    (void)file;
    return out;
}
} // namespace

const char *dtypeName(DType t)
{
    for (const auto &row : kDTypes)
        if (row.type == t) return row.name;
    return "?";
}

size_t dtypeSize(DType t)
{
    for (const auto &row : kDTypes)
        if (row.type == t) return row.size;
    return 0;
}

int64_t TensorInfo::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3FFu;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bfloat16ToFloat(uint16_t h)
{
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t floatToHalf(float f)
{
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t absx = x & 0x7FFFFFFFu;
    if (absx >= 0x7F800000u) // inf / nan
        return static_cast<uint16_t>(sign | 0x7C00u | (absx > 0x7F800000u ? 0x200u : 0u));
    if (absx >= 0x477FF000u) // overflow after rounding
        return static_cast<uint16_t>(sign | 0x7C00u);
    if (absx < 0x38800000u) { // subnormal or zero in half
        if (absx < 0x33000000u) return static_cast<uint16_t>(sign);
        const uint32_t e = absx >> 23;
        const uint32_t m = (absx & 0x7FFFFFu) | 0x800000u;
        const uint32_t shift = 126 - e; // 14 + (113 - e)
        uint32_t hm = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1u);
        const uint32_t halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (hm & 1u))) ++hm;
        return static_cast<uint16_t>(sign | hm);
    }
    uint32_t h = ((absx - 0x38000000u) >> 13);
    const uint32_t rem = absx & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
}

struct SafetensorsFile::Mapping {
    void *addr = MAP_FAILED;
    size_t size = 0;
    ~Mapping()
    {
        if (addr != MAP_FAILED && size > 0) munmap(addr, size);
    }
};

SafetensorsFile::SafetensorsFile(const std::string &path) : m_path(path), m_map(std::make_unique<Mapping>())
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(std::string("cannot open safetensors file: ") + std::strerror(errno), path,
                    "check the path and the file's permissions");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("not a regular file", path, "give the path of a .safetensors file");
    }
    const size_t fileSize = static_cast<size_t>(st.st_size);
    if (fileSize < 8) {
        ::close(fd);
        throw Error("file too short for a safetensors header (" + std::to_string(fileSize) + " bytes)", path,
                    "the file is truncated or not safetensors; download it again");
    }
    m_map->addr = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m_map->addr == MAP_FAILED) throw Error("cannot memory-map file", path, "check free memory / file system");
    m_map->size = fileSize;
    const auto *bytes = static_cast<const uint8_t *>(m_map->addr);

    const uint64_t headerLen = loadLE<uint64_t>(bytes);
    if (headerLen == 0 || headerLen > fileSize - 8 || headerLen > (100ull << 20))
        throw Error("invalid safetensors header length " + std::to_string(headerLen) + " for a file of " +
                        std::to_string(fileSize) + " bytes",
                    path, "the file is truncated or not a safetensors file (a torch .pth/.ckpt is a zip archive)");
    const char *hdr = reinterpret_cast<const char *>(bytes + 8);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(hdr, hdr + headerLen);
    } catch (const std::exception &e) {
        throw Error(std::string("corrupt safetensors JSON header: ") + e.what(), path, "download the file again");
    }
    if (!j.is_object()) throw Error("safetensors header is not a JSON object", path, "download the file again");

    m_dataStart = bytes + 8 + headerLen;
    const size_t dataSize = fileSize - 8 - headerLen;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (it->is_object())
                for (auto m = it->begin(); m != it->end(); ++m)
                    if (m->is_string()) m_metadata[m.key()] = m->get<std::string>();
            continue;
        }
        const auto &v = *it;
        TensorInfo t;
        t.name = it.key();
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            throw Error("tensor '" + t.name + "' lacks dtype/shape/data_offsets", path, "the file is corrupt");
        if (!v["dtype"].is_string() || !parseDType(v["dtype"].get<std::string>(), t.dtype))
            throw Error("tensor '" + t.name + "' has unsupported dtype " + v["dtype"].dump(), path,
                        "convert the checkpoint to F32/F16/BF16");
        if (!v["shape"].is_array()) throw Error("tensor '" + t.name + "' has a malformed shape", path, "the file is corrupt");
        for (const auto &d : v["shape"]) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                throw Error("tensor '" + t.name + "' has a malformed shape", path, "the file is corrupt");
            t.shape.push_back(d.get<int64_t>());
        }
        const auto &off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw Error("tensor '" + t.name + "' has malformed data_offsets", path, "the file is corrupt");
        t.begin = off[0].get<uint64_t>();
        t.end = off[1].get<uint64_t>();
        if (t.end < t.begin || t.end > dataSize)
            throw Error("tensor '" + t.name + "' lies outside the file (offsets " + std::to_string(t.begin) + ".." +
                            std::to_string(t.end) + ", data area " + std::to_string(dataSize) + " bytes)",
                        path, "the file is truncated; download it again");
        if (static_cast<uint64_t>(t.numel()) * dtypeSize(t.dtype) != t.end - t.begin)
            throw Error("tensor '" + t.name + "': byte size " + std::to_string(t.end - t.begin) +
                            " does not match dtype x shape",
                        path, "the file is corrupt");
        m_tensors.push_back(std::move(t));
    }
    std::vector<const TensorInfo *> order;
    for (const auto &t : m_tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto a, auto b) { return a->begin < b->begin; });
    for (size_t i = 1; i < order.size(); ++i)
        if (order[i]->begin < order[i - 1]->end && order[i]->end > order[i]->begin)
            throw Error("tensors '" + order[i - 1]->name + "' and '" + order[i]->name + "' overlap", path,
                        "the file is corrupt");
    for (size_t i = 0; i < m_tensors.size(); ++i) m_index[m_tensors[i].name] = i;
}

SafetensorsFile::~SafetensorsFile() = default;

bool SafetensorsFile::contains(const std::string &name) const { return m_index.count(name) != 0; }

const TensorInfo &SafetensorsFile::info(const std::string &name) const
{
    auto it = m_index.find(name);
    if (it == m_index.end()) throw Error("tensor '" + name + "' not found", m_path, "check the key name");
    return m_tensors[it->second];
}

const uint8_t *SafetensorsFile::rawData(const std::string &name) const { return m_dataStart + info(name).begin; }

std::vector<float> SafetensorsFile::toFloat(const std::string &name) const
{
    return convertFloating<float>(info(name), rawData(name), m_path);
}

std::vector<double> SafetensorsFile::toDouble(const std::string &name) const
{
    return convertFloating<double>(info(name), rawData(name), m_path);
}

std::vector<int64_t> SafetensorsFile::toInt64(const std::string &name) const
{
    return convertFloating<int64_t>(info(name), rawData(name), m_path);
}

std::vector<uint8_t> SafetensorsFile::toU8(const std::string &name) const
{
    const auto &t = info(name);
    if (t.dtype != DType::U8 && t.dtype != DType::BOOL)
        throw Error("tensor '" + name + "' is " + dtypeName(t.dtype) + ", not U8", m_path, "read it as float");
    const uint8_t *p = rawData(name);
    return std::vector<uint8_t>(p, p + t.numel());
}

bool SafetensorsFile::looksLikeSafetensors(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    uint8_t head[9] = {};
    if (!in.read(reinterpret_cast<char *>(head), 9)) return false;
    // The format by its first bytes alone: a header length the spec allows (<= 100 MB) and a JSON object. A file cut
    // inside its header is still safetensors — the reader then says it is truncated, not that the format is unknown.
    const uint64_t len = loadLE<uint64_t>(head);
    return len > 1 && len <= 100'000'000 && head[8] == '{';
}

void SafetensorsWriter::add(const std::string &name, DType dtype, std::vector<int64_t> shape, const void *data,
                            size_t bytes)
{
    Entry e{dtype, std::move(shape), {}};
    int64_t n = 1;
    for (int64_t d : e.shape) n *= d;
    if (static_cast<size_t>(n) * dtypeSize(dtype) != bytes)
        throw Error("tensor '" + name + "': " + std::to_string(bytes) + " bytes do not match its shape", "",
                    "internal error, please report");
    const auto *p = static_cast<const uint8_t *>(data);
    e.bytes.assign(p, p + bytes);
    m_entries[name] = std::move(e);
}

void SafetensorsWriter::addFloat(const std::string &name, std::vector<int64_t> shape, const std::vector<float> &v)
{
    add(name, DType::F32, std::move(shape), v.data(), v.size() * sizeof(float));
}

void SafetensorsWriter::addDouble(const std::string &name, std::vector<int64_t> shape, const std::vector<double> &v)
{
    add(name, DType::F64, std::move(shape), v.data(), v.size() * sizeof(double));
}

void SafetensorsWriter::addU8(const std::string &name, std::vector<int64_t> shape, const std::vector<uint8_t> &v)
{
    add(name, DType::U8, std::move(shape), v.data(), v.size());
}

void SafetensorsWriter::write(const std::string &path) const
{
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (!m_metadata.empty()) j["__metadata__"] = m_metadata;
    size_t offset = 0;
    for (const auto &[name, e] : m_entries) {
        j[name] = {{"dtype", dtypeName(e.dtype)}, {"shape", e.shape}, {"data_offsets", {offset, offset + e.bytes.size()}}};
        offset += e.bytes.size();
    }
    std::string header = j.dump();
    while ((header.size() + 8) % 8 != 0) header.push_back(' ');
    const std::string tmp = path + ".part";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot create file", tmp, "check the folder exists and is writable");
        const uint64_t len = header.size();
        out.write(reinterpret_cast<const char *>(&len), 8);
        out.write(header.data(), static_cast<std::streamsize>(header.size()));
        for (const auto &kv : m_entries)
            out.write(reinterpret_cast<const char *>(kv.second.bytes.data()), static_cast<std::streamsize>(kv.second.bytes.size()));
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw Error("write failed (disk full?)", path, "free disk space and run again");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw Error(std::string("cannot rename temporary file: ") + std::strerror(errno), path, "check permissions");
    }
}

} // namespace cprecon
