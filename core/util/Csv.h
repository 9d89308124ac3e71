#pragma once
// The one CSV field writer (RFC 4180): a field holding the delimiter, a quote, CR or LF is quoted and its quotes
// doubled; anything else is written as is. Every table the app writes (reports, profiles, activity) uses it, and
// screen/CsvTable reads all of them back.
#include <QString>

#include <string>
#include <string_view>

namespace cprecon {

std::string csvField(std::string_view s);
QString csvField(const QString &s);

} // namespace cprecon
