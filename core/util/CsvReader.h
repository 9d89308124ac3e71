#pragma once
// The one CSV reader (RFC 4180), for every table the app reads — load_data CSVs, platemaps and sample sheets
// (screen/CsvTable), profile tables (profiles/ProfileTable), its own reports and profiles when resuming:
//   - a quote opens a quoted field only at the start of a field (after blanks); inside it, "" is a quote and
//     delimiters and line breaks are data; a stray quote inside an unquoted field is kept as a character;
//   - records end at LF, CRLF or a lone CR; a UTF-8 byte-order mark is skipped; blank lines are skipped (as pandas);
//   - files are streamed in chunks, plain or gzip (through zlib: a corrupt or truncated stream is an error, never a
//     silently shorter table), so a multi-GB profile table is never held whole.
#include <zlib.h>

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cprecon {

class CsvReader {
public:
    // A whole text in memory (not copied: it must outlive the reader).
    static CsvReader fromBuffer(std::string_view text, char delimiter = ',');
    // A file, plain or gzip. Throws cprecon::Error naming the file (`what` names its role in the message).
    static CsvReader fromFile(const std::string &path, char delimiter = ',', const std::string &what = "CSV file");
    CsvReader(CsvReader &&) noexcept;
    CsvReader &operator=(CsvReader &&) noexcept;
    ~CsvReader();

    // The next non-blank record's fields, valid until the next call. False at the end.
    bool next(std::vector<std::string_view> &fields);
    // Records read so far, blank ones included (1 = the first line of the file, usually the header).
    long records() const { return m_records; }

private:
    CsvReader() = default;
    // Parses one record at m_start; false when the data ends inside it and more may come (file not at its end).
    bool parseRecord(std::vector<std::string_view> &fields, size_t &end);
    bool fill(); // streams the next chunk in behind the unfinished record; false at the end of the file

    char m_delim = ',';
    std::string m_path, m_what;
    gzFile m_gz = nullptr;
    std::vector<char> m_storage; // file mode: the buffered bytes
    const char *m_data = nullptr;
    size_t m_size = 0, m_start = 0;
    bool m_eof = true;
    long m_records = 0;
    std::deque<std::string> m_unquoted; // unescaped quoted fields of the current record (stable addresses)
};

} // namespace cprecon
