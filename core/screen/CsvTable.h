#pragma once
// Text tables of the metadata layouts we accept — CSV / TSV, optionally gzip-compressed, with named columns and
// QString fields — read whole into memory (they are small) and parsed by the one CSV reader (util/CsvReader.h:
// RFC 4180 quoting, UTF-8 BOM, CRLF/LF/CR line ends). Adds delimiter detection and binary-content detection.
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include "util/CsvReader.h"

#include <memory>
#include <string_view>
#include <vector>

namespace cprecon {

// Reads a whole file, transparently gunzipping *.gz (and any file starting with the gzip magic).
// Throws cprecon::Error naming the file when it cannot be opened or the gzip stream is corrupt/truncated.
// maxBytes > 0 stops after that many decompressed bytes (for peeking at headers).
QByteArray readTextFile(const QString &path, qint64 maxBytes = 0);

class CsvTable {
public:
    // Parses text; delimiter 0 = auto (tab when the first line has tabs and no commas, else comma).
    explicit CsvTable(QByteArray text, char delimiter = 0);
    static CsvTable fromFile(const QString &path, char delimiter = 0); // throws cprecon::Error

    const QStringList &header() const { return m_header; }
    int column(const QString &name) const;                   // -1 when absent (exact, then case-insensitive)
    bool next();                                             // advance to the next data row; false at end
    long rowNumber() const { return m_row; }                 // 1-based data row (header = row 0)
    int fieldCount() const { return int(m_fields.size()); }
    QString field(int column) const;                         // trimmed; empty when column < 0 or beyond the row
    bool looksBinary() const { return m_binary; }            // NUL bytes in the header: not a text table
    char delimiter() const { return m_delim; }

private:
    QByteArray m_text;            // the reader's views point into it: its bytes never move while the table lives
    std::unique_ptr<CsvReader> m_reader;
    char m_delim = ',';
    bool m_binary = false;
    QStringList m_header;
    std::vector<std::string_view> m_fields;
    long m_headerRecords = 0;     // records up to and including the header
    long m_row = 0;
};

// First line of a (possibly gzipped) CSV/TSV split into column names; empty on any read problem.
QStringList peekHeader(const QString &path);

} // namespace cprecon
