#include "util/Protocol.h"

#include "util/Error.h"

#include <algorithm>
#include <cctype>

namespace cprecon {

const char *protocolName(Protocol p) { return p == Protocol::Paper ? "paper" : "corrected"; }

Protocol parseProtocol(std::string_view text)
{
    std::string t(text);
    t.erase(0, t.find_first_not_of(" \t\r\n"));
    t.erase(t.find_last_not_of(" \t\r\n") + 1);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (t == "paper") return Protocol::Paper;
    if (t == "corrected") return Protocol::Corrected;
    throw Error("unknown protocol '" + std::string(text) + "'", "", "use paper or corrected");
}

std::string ssimLabel(Protocol p) { return p == Protocol::Paper ? "1 \u2212 SSIM (paper's 'SSIM')" : "SSIM"; }

} // namespace cprecon
