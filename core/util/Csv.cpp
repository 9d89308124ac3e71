#include "util/Csv.h"

namespace cprecon {

std::string csvField(std::string_view s)
{
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

QString csvField(const QString &s)
{
    for (QChar c : s)
        if (c == QLatin1Char(',') || c == QLatin1Char('"') || c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            QString q = s;
            return QLatin1Char('"') + q.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        }
    return s;
}

} // namespace cprecon
