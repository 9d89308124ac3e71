#pragma once
// Read-only memory map of a whole file (checkpoints can be several GB: only the pages read are loaded).
#include <cstddef>
#include <cstdint>
#include <string>

namespace cprecon {

class MappedFile {
public:
    explicit MappedFile(const std::string &path); // throws cprecon::Error naming the file
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    const uint8_t *data() const { return m_data; }
    size_t size() const { return m_size; }
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
    const uint8_t *m_data = nullptr;
    size_t m_size = 0;
};

} // namespace cprecon
