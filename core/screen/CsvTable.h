#pragma once
// Small, strict text-table reader for the metadata layouts we accept: CSV / TSV, optionally gzip-compressed
// (.gz read through zlib), UTF-8 BOM, CRLF/LF/CR line ends, RFC 4180 quoting (embedded delimiters, "" escapes,
// quoted line breaks). Reads the whole (decompressed) file into memory, then hands out rows as byte views.
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

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
    int fieldCount() const { return m_fields.size(); }
    QString field(int column) const;                         // trimmed; empty when column < 0 or beyond the row
    bool looksBinary() const { return m_binary; }            // NUL bytes in the header: not a text table
    char delimiter() const { return m_delim; }

private:
    bool parseRecord(QVector<QByteArray> &out);
    QByteArray m_text;
    qsizetype m_pos = 0;
    char m_delim = ',';
    bool m_binary = false;
    QStringList m_header;
    QVector<QByteArray> m_fields;
    long m_row = 0;
};

// First line of a (possibly gzipped) CSV/TSV split into column names; empty on any read problem.
QStringList peekHeader(const QString &path);

} // namespace cprecon
