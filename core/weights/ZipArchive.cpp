#include "weights/ZipArchive.h"

#include "util/Error.h"

#include <cstring>
#include <fstream>

namespace cprecon {

namespace {
template <typename T> T le(const uint8_t *p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}
constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEocdSig = 0x06054b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50, kZip64EocdSig = 0x06064b50;
} // namespace

bool ZipArchive::looksLikeZip(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    char b[4] = {};
    return in.read(b, 4) && std::memcmp(b, "PK\x03\x04", 4) == 0;
}

ZipArchive::ZipArchive(const std::string &path) : m_file(path)
{
    const uint8_t *d = m_file.data();
    const size_t n = m_file.size();
    const std::string fix = "the file is truncated or not a torch.save zip; download it again";
    if (n < 22) throw Error("file too small to be a zip archive", path, fix);
    // End of central directory: last 22 bytes + up to 64 KiB comment.
    size_t eocd = std::string::npos;
    const size_t lowest = n > 22 + 65535 ? n - 22 - 65535 : 0;
    for (size_t p = n - 22 + 1; p-- > lowest;)
        if (le<uint32_t>(d + p) == kEocdSig) {
            eocd = p;
            break;
        }
    if (eocd == std::string::npos) throw Error("zip end-of-central-directory record not found", path, fix);
    uint64_t count = le<uint16_t>(d + eocd + 10);
    uint64_t cdSize = le<uint32_t>(d + eocd + 12);
    uint64_t cdOffset = le<uint32_t>(d + eocd + 16);
    if (eocd >= 20 && le<uint32_t>(d + eocd - 20) == kZip64LocatorSig) {
        const uint64_t z64 = le<uint64_t>(d + eocd - 20 + 8);
        if (z64 + 56 > n || le<uint32_t>(d + z64) != kZip64EocdSig) throw Error("bad zip64 end record", path, fix);
        count = le<uint64_t>(d + z64 + 32);
        cdSize = le<uint64_t>(d + z64 + 40);
        cdOffset = le<uint64_t>(d + z64 + 48);
    }
    if (cdOffset > n || cdSize > n - cdOffset) throw Error("zip central directory lies outside the file", path, fix);
    size_t p = static_cast<size_t>(cdOffset);
    const size_t end = static_cast<size_t>(cdOffset + cdSize);
    for (uint64_t i = 0; i < count; ++i) {
        if (p + 46 > end || le<uint32_t>(d + p) != kCentralSig) throw Error("corrupt zip central directory", path, fix);
        Entry e;
        e.method = le<uint16_t>(d + p + 10);
        e.compressedSize = le<uint32_t>(d + p + 20);
        e.size = le<uint32_t>(d + p + 24);
        const uint16_t nameLen = le<uint16_t>(d + p + 28), extraLen = le<uint16_t>(d + p + 30),
                       commentLen = le<uint16_t>(d + p + 32);
        e.localHeaderOffset = le<uint32_t>(d + p + 42);
        if (p + 46 + nameLen + extraLen + commentLen > end) throw Error("corrupt zip central directory", path, fix);
        e.name.assign(reinterpret_cast<const char *>(d + p + 46), nameLen);
        // zip64 extended information: only the fields saturated in the fixed header are present, in this order.
        const uint8_t *x = d + p + 46 + nameLen;
        for (size_t q = 0; q + 4 <= extraLen;) {
            const uint16_t id = le<uint16_t>(x + q), len = le<uint16_t>(x + q + 2);
            if (q + 4 + len > extraLen) break;
            if (id == 0x0001) {
                size_t f = q + 4;
                auto take = [&](uint64_t &v) {
                    if (v == 0xFFFFFFFFu && f + 8 <= q + 4 + len) {
                        v = le<uint64_t>(x + f);
                        f += 8;
                    }
                };
                take(e.size);
                take(e.compressedSize);
                take(e.localHeaderOffset);
            }
            q += 4 + len;
        }
        m_index[e.name] = m_entries.size();
        m_entries.push_back(std::move(e));
        p += 46 + nameLen + extraLen + commentLen;
    }
}

const ZipArchive::Entry *ZipArchive::find(const std::string &name) const
{
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

const uint8_t *ZipArchive::data(const Entry &e) const
{
    const uint8_t *d = m_file.data();
    const size_t n = m_file.size();
    if (e.method != 0)
        throw Error("zip entry '" + e.name + "' is compressed (method " + std::to_string(e.method) +
                        "); torch.save writes uncompressed entries",
                    path(), "re-save the checkpoint with torch.save (do not re-zip it)");
    if (e.localHeaderOffset + 30 > n || le<uint32_t>(d + e.localHeaderOffset) != kLocalSig)
        throw Error("corrupt zip local header for '" + e.name + "'", path(), "download the file again");
    const uint64_t start = e.localHeaderOffset + 30 + le<uint16_t>(d + e.localHeaderOffset + 26) +
                           le<uint16_t>(d + e.localHeaderOffset + 28);
    if (start > n || e.size > n - start)
        throw Error("zip entry '" + e.name + "' is truncated", path(), "the file is incomplete; download it again");
    return d + start;
}

} // namespace cprecon
