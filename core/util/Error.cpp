#include "util/Error.h"

namespace cprecon {

// "file:row: message (fix: ...)" — the one format every error is shown in (GUI problems panel, CLI stderr).
std::string Error::compose(const std::string &message, const std::string &file, const std::string &fix, long row)
{
    std::string s;
    if (!file.empty()) {
        s += file;
        if (row >= 0) s += ":" + std::to_string(row);
        s += ": ";
    }
    s += message;
    if (!fix.empty()) s += " (fix: " + fix + ")";
    return s;
}

} // namespace cprecon
