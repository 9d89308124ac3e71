#pragma once
// Reader and writer of the safetensors format (8-byte LE header length, JSON header, raw LE tensor data).
// The reader memory-maps the file and validates the header strictly: known dtypes, sizes = dtype x shape,
// offsets inside the data area, no overlapping tensors. Truncated or corrupt files give a named cprecon::Error.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cprecon {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

const char *dtypeName(DType t);
size_t dtypeSize(DType t);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    size_t begin = 0; // offset in the data area
    size_t end = 0;
    int64_t numel() const;
};

class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string &path); // throws cprecon::Error
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile &) = delete;
    SafetensorsFile &operator=(const SafetensorsFile &) = delete;

    const std::string &path() const { return m_path; }
    const std::vector<TensorInfo> &tensors() const { return m_tensors; }
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }
    bool contains(const std::string &name) const;
    const TensorInfo &info(const std::string &name) const; // throws when absent
    const uint8_t *rawData(const std::string &name) const;

    // Converting readers (any float dtype -> float/double, any integer -> int64; U8 stays U8).
    std::vector<float> toFloat(const std::string &name) const;
    std::vector<double> toDouble(const std::string &name) const;
    std::vector<uint8_t> toU8(const std::string &name) const;
    std::vector<int64_t> toInt64(const std::string &name) const;

    // True when the file starts like a safetensors file (used to detect checkpoint formats by content).
    static bool looksLikeSafetensors(const std::string &path);

private:
    struct Mapping;
    std::string m_path;
    std::unique_ptr<Mapping> m_map;
    const uint8_t *m_dataStart = nullptr;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

// Collects tensors and writes one safetensors file (header keys sorted, 8-byte aligned data as the Python writer).
class SafetensorsWriter {
public:
    void add(const std::string &name, DType dtype, std::vector<int64_t> shape, const void *data, size_t bytes);
    void addFloat(const std::string &name, std::vector<int64_t> shape, const std::vector<float> &values);
    void addDouble(const std::string &name, std::vector<int64_t> shape, const std::vector<double> &values);
    void addU8(const std::string &name, std::vector<int64_t> shape, const std::vector<uint8_t> &values);
    void setMetadata(const std::string &key, const std::string &value) { m_metadata[key] = value; }
    void write(const std::string &path) const; // throws cprecon::Error (names the file; disk full included)

private:
    struct Entry {
        DType dtype;
        std::vector<int64_t> shape;
        std::vector<uint8_t> bytes;
    };
    std::map<std::string, Entry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

float halfToFloat(uint16_t h);
float bfloat16ToFloat(uint16_t h);
uint16_t floatToHalf(float f);

} // namespace cprecon
