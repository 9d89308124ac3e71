#include "weights/MappedFile.h"

#include "util/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cprecon {

MappedFile::MappedFile(const std::string &path) : m_path(path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(std::string("cannot open: ") + std::strerror(errno), path, "check the path and permissions");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("not a regular file", path, "give a checkpoint file");
    }
    m_size = static_cast<size_t>(st.st_size);
    if (m_size > 0) {
        void *p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ::close(fd);
            throw Error(std::string("cannot map file: ") + std::strerror(errno), path, "check free memory / address space");
        }
        m_data = static_cast<const uint8_t *>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile()
{
    if (m_data) ::munmap(const_cast<uint8_t *>(m_data), m_size);
}

} // namespace cprecon
