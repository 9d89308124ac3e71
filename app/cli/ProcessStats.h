#pragma once
// What the bench commands report about their own process.
#include <sys/resource.h>

namespace cprecon::cli {

// The process's peak resident set so far, in MB (getrusage; Linux reports kB).
inline double peakRssMb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

} // namespace cprecon::cli
