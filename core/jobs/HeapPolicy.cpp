#include "jobs/HeapPolicy.h"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cprecon::heap {

void keepFreedBlocksForReuse()
{
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_ARENA_MAX, 1);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
    });
#endif
}

void releaseFreeMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace cprecon::heap
