#include "util/CsvReader.h"

#include "util/Error.h"

#include <cstring>

namespace cprecon {

namespace {
constexpr size_t kChunk = 8u << 20;
}

CsvReader CsvReader::fromBuffer(std::string_view text, char delimiter)
{
    CsvReader r;
    r.m_delim = delimiter;
    r.m_data = text.data();
    r.m_size = text.size();
    r.m_eof = true;
    if (r.m_size >= 3 && std::memcmp(r.m_data, "\xEF\xBB\xBF", 3) == 0) r.m_start = 3;
    return r;
}

CsvReader CsvReader::fromFile(const std::string &path, char delimiter, const std::string &what)
{
    CsvReader r;
    r.m_delim = delimiter;
    r.m_path = path;
    r.m_what = what;
    r.m_gz = gzopen(path.c_str(), "rb"); // reads plain files transparently
    if (!r.m_gz) throw Error("cannot open " + what, path, "check the path and read permissions");
    gzbuffer(r.m_gz, 1 << 20);
    r.m_eof = false;
    r.fill();
    if (r.m_size >= 3 && std::memcmp(r.m_data, "\xEF\xBB\xBF", 3) == 0) r.m_start = 3;
    return r;
}

CsvReader::CsvReader(CsvReader &&o) noexcept { *this = std::move(o); }

CsvReader &CsvReader::operator=(CsvReader &&o) noexcept
{
    if (this == &o) return *this;
    if (m_gz) gzclose(m_gz);
    m_delim = o.m_delim;
    m_path = std::move(o.m_path);
    m_what = std::move(o.m_what);
    m_gz = o.m_gz;
    o.m_gz = nullptr;
    const bool owns = o.m_data == o.m_storage.data();
    m_storage = std::move(o.m_storage);
    m_data = owns ? m_storage.data() : o.m_data;
    m_size = o.m_size;
    m_start = o.m_start;
    m_eof = o.m_eof;
    m_records = o.m_records;
    m_unquoted = std::move(o.m_unquoted);
    return *this;
}

CsvReader::~CsvReader()
{
    if (m_gz) gzclose(m_gz);
}

bool CsvReader::fill()
{
    if (m_eof) return false;
    // Keep the unfinished record at the front, read the next chunk behind it.
    const size_t keep = m_size - m_start;
    if (m_start > 0) std::memmove(m_storage.data(), m_storage.data() + m_start, keep);
    m_start = 0;
    m_size = keep;
    if (m_storage.size() < keep + kChunk) m_storage.resize(std::max(m_storage.size() * 2, keep + kChunk));
    const int n = gzread(m_gz, m_storage.data() + m_size, static_cast<unsigned>(m_storage.size() - m_size));
    int err = Z_OK;
    const char *msg = n <= 0 ? gzerror(m_gz, &err) : nullptr;
    if (n < 0 || (n == 0 && err != Z_OK && err != Z_STREAM_END))
        throw Error(std::string("corrupt or truncated data (") + (msg ? msg : "read error") + ")", m_path,
                    "re-download or re-compress the " + m_what, m_records + 1);
    m_size += static_cast<size_t>(n);
    m_data = m_storage.data();
    if (n == 0) m_eof = true;
    return n > 0;
}

bool CsvReader::parseRecord(std::vector<std::string_view> &fields, size_t &end)
{
    fields.clear();
    m_unquoted.clear();
    const char *t = m_data;
    const size_t n = m_size;
    size_t i = m_start;
    for (;;) { // one field per turn
        size_t j = i;
        while (j < n && (t[j] == ' ' || t[j] == '\t') && t[j] != m_delim) ++j;
        if (j < n && t[j] == '"') {
            // Quoted: unescape into owned storage; delimiters and line breaks inside are data.
            std::string &s = m_unquoted.emplace_back();
            size_t k = j + 1;
            for (;;) {
                if (k >= n) {
                    if (!m_eof) return false; // the quote may close in the next chunk
                    break;                    // unterminated at the end of the text: keep what there is
                }
                if (t[k] == '"') {
                    if (k + 1 >= n && !m_eof) return false; // "" or the closing quote: decide with more data
                    if (k + 1 < n && t[k + 1] == '"') {
                        s += '"';
                        k += 2;
                        continue;
                    }
                    ++k;
                    break;
                }
                const char *q = static_cast<const char *>(std::memchr(t + k, '"', n - k));
                const size_t stop = q ? size_t(q - t) : n;
                s.append(t + k, stop - k);
                k = stop;
            }
            // Characters after the closing quote up to the delimiter belong to the field (as CsvTable always did).
            while (k < n && t[k] != m_delim && t[k] != '\n' && t[k] != '\r') s += t[k++];
            fields.emplace_back(s);
            i = k;
        } else {
            size_t k = i;
            while (k < n && t[k] != m_delim && t[k] != '\n' && t[k] != '\r') ++k;
            if (k >= n && !m_eof) return false;
            fields.emplace_back(t + i, k - i);
            i = k;
        }
        if (i >= n) {
            if (!m_eof) return false;
            end = n;
            return true;
        }
        if (t[i] == m_delim) {
            ++i;
            continue;
        }
        // line break
        if (t[i] == '\r') {
            if (i + 1 >= n && !m_eof) return false; // CR LF split across chunks
            end = i + 1 < n && t[i + 1] == '\n' ? i + 2 : i + 1;
        } else {
            end = i + 1;
        }
        return true;
    }
}

bool CsvReader::next(std::vector<std::string_view> &fields)
{
    for (;;) {
        if (m_start >= m_size && !fill()) {
            fields.clear();
            return false;
        }
        size_t end = 0;
        while (!parseRecord(fields, end))
            if (!fill()) m_eof = true; // the last chunk: parse to the end of the data
        m_start = end;
        ++m_records;
        const bool blank = fields.size() == 1 && fields[0].find_first_not_of(" \t") == std::string_view::npos;
        if (!blank) return true;
    }
}

} // namespace cprecon
