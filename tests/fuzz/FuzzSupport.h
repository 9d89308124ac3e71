#pragma once
// What every harness shares: the input as a file (most parsers read files: mmap, gzip, folders), and the rule that
// bad input may only end as cprecon::Error — a message naming the file and the fix. Any other exception, a crash,
// a leak or undefined behaviour is a finding.
#include "util/Error.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace fuzz {

inline std::string writeInput(const uint8_t *data, size_t size, const std::string &name)
{
    static const std::string dir = [] {
        char tmpl[] = "/tmp/cprecon-fuzz-XXXXXX";
        return std::string(mkdtemp(tmpl));
    }();
    const std::string path = dir + "/" + name;
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) __builtin_trap();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    return path;
}

template <typename F> void expectNamedErrors(F &&f)
{
    try {
        f();
    } catch (const cprecon::Error &) {
        // the documented outcome of bad input
    }
}

} // namespace fuzz
