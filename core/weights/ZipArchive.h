#pragma once
// Minimal reader of the zip container torch.save writes (>= 1.6): central directory incl. zip64, STORED
// entries only (torch never compresses; a re-zipped/deflated file gets a clear error). No extraction to disk:
// entries are views into the memory-mapped file.
#include "weights/MappedFile.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cprecon {

class ZipArchive {
public:
    struct Entry {
        std::string name;
        uint64_t localHeaderOffset = 0;
        uint64_t compressedSize = 0;
        uint64_t size = 0;
        uint16_t method = 0; // 0 = stored
    };

    explicit ZipArchive(const std::string &path); // throws cprecon::Error
    const std::string &path() const { return m_file.path(); }
    const std::vector<Entry> &entries() const { return m_entries; }
    const Entry *find(const std::string &name) const;
    // Bytes of a stored entry (throws for compressed entries or entries outside the file).
    const uint8_t *data(const Entry &e) const;

    static bool looksLikeZip(const std::string &path); // starts with PK\x03\x04

private:
    MappedFile m_file;
    std::vector<Entry> m_entries;
    std::map<std::string, size_t> m_index;
};

} // namespace cprecon
