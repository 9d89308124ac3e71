#include "screen/CsvTable.h"

#include "util/Error.h"

#include <QFile>
#include <QFileInfo>

#include <zlib.h>

namespace cprecon {

static std::string s(const QString &q) { return q.toStdString(); }

QByteArray readTextFile(const QString &path, qint64 maxBytes)
{
    QFile probe(path);
    if (!probe.open(QIODevice::ReadOnly))
        throw Error("cannot open file: " + s(probe.errorString()), s(path), "check that the file exists and is readable");
    const QByteArray magic = probe.read(2);
    const bool gz = magic.size() == 2 && uchar(magic[0]) == 0x1f && uchar(magic[1]) == 0x8b;
    if (!gz) {
        if (path.endsWith(QLatin1String(".gz"), Qt::CaseInsensitive))
            throw Error("file ends in .gz but is not gzip-compressed", s(path), "re-download the file or remove the .gz suffix");
        probe.seek(0);
        return maxBytes > 0 ? probe.read(maxBytes) : probe.readAll();
    }
    probe.close();
    gzFile f = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!f) throw Error("cannot open gzip file", s(path), "check that the file exists and is readable");
    gzbuffer(f, 1 << 17);
    QByteArray out;
    char buf[1 << 16];
    for (;;) {
        const int n = gzread(f, buf, sizeof buf);
        if (n < 0) break;
        out.append(buf, n);
        if (maxBytes > 0 && out.size() >= maxBytes) {
            gzclose(f);
            return out;
        }
        if (n == 0) break;
    }
    int err = Z_OK;
    const char *msg = gzerror(f, &err);
    const std::string why = msg ? msg : "";
    gzclose(f);
    if (err != Z_OK && err != Z_STREAM_END)
        throw Error("corrupt or truncated gzip data (" + why + ")", s(path), "re-download or re-compress the file");
    return out;
}

CsvTable::CsvTable(QByteArray text, char delimiter) : m_text(std::move(text))
{
    if (m_text.startsWith("\xEF\xBB\xBF")) m_pos = 3;
    const qsizetype eol = m_text.indexOf('\n', m_pos);
    const QByteArray first = m_text.mid(m_pos, eol < 0 ? -1 : eol - m_pos);
    // binary content: NUL bytes or many control characters near the start
    const QByteArray sample = m_text.mid(m_pos, 4096);
    int control = 0;
    for (char c : sample)
        if ((uchar(c) < 32 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) ++control;
    m_binary = sample.contains('\0') || control * 20 > sample.size();
    m_delim = delimiter ? delimiter : (first.contains('\t') && !first.contains(',') ? '\t' : ',');
    QVector<QByteArray> h;
    if (!m_binary && parseRecord(h))
        for (const auto &f : h) m_header << QString::fromUtf8(f).trimmed();
}

CsvTable CsvTable::fromFile(const QString &path, char delimiter)
{
    return CsvTable(readTextFile(path), delimiter);
}

int CsvTable::column(const QString &name) const
{
    const int i = m_header.indexOf(name);
    if (i >= 0) return i;
    for (int k = 0; k < m_header.size(); ++k)
        if (m_header[k].compare(name, Qt::CaseInsensitive) == 0) return k;
    return -1;
}

// One record starting at m_pos: quoted fields may hold delimiters, "" and line breaks. Returns false at end of text.
bool CsvTable::parseRecord(QVector<QByteArray> &out)
{
    out.clear();
    const qsizetype n = m_text.size();
    const char *t = m_text.constData();
    if (m_pos >= n) return false;
    QByteArray field;
    bool quoted = false, inQuotes = false;
    for (;;) {
        if (m_pos >= n) {
            out.append(field);
            return true;
        }
        const char c = t[m_pos];
        if (inQuotes) {
            if (c == '"') {
                if (m_pos + 1 < n && t[m_pos + 1] == '"') {
                    field.append('"');
                    m_pos += 2;
                } else {
                    inQuotes = false;
                    ++m_pos;
                }
            } else {
                // copy the run up to the next quote in one go
                qsizetype q = m_pos;
                while (q < n && t[q] != '"') ++q;
                field.append(t + m_pos, q - m_pos);
                m_pos = q;
            }
            continue;
        }
        if (c == '"' && !quoted && field.trimmed().isEmpty()) {
            field.clear();
            quoted = inQuotes = true;
            ++m_pos;
        } else if (c == m_delim) {
            out.append(field);
            field.clear();
            quoted = false;
            ++m_pos;
        } else if (c == '\n' || c == '\r') {
            ++m_pos;
            if (c == '\r' && m_pos < n && t[m_pos] == '\n') ++m_pos;
            out.append(field);
            return true;
        } else {
            qsizetype q = m_pos;
            while (q < n && t[q] != m_delim && t[q] != '\n' && t[q] != '\r' && t[q] != '"') ++q;
            if (q == m_pos) { // a stray quote inside an unquoted field: keep it literally
                field.append(c);
                ++m_pos;
            } else {
                field.append(t + m_pos, q - m_pos);
                m_pos = q;
            }
        }
    }
}

bool CsvTable::next()
{
    if (m_binary) return false;
    for (;;) {
        if (!parseRecord(m_fields)) return false;
        ++m_row;
        // skip blank lines (a lone empty field), they are not data rows
        if (m_fields.size() == 1 && m_fields[0].trimmed().isEmpty()) continue;
        return true;
    }
}

QString CsvTable::field(int column) const
{
    if (column < 0 || column >= m_fields.size()) return {};
    return QString::fromUtf8(m_fields[column]).trimmed();
}

QStringList peekHeader(const QString &path)
{
    try {
        QByteArray head = readTextFile(path, 1 << 16);
        const qsizetype eol = head.indexOf('\n');
        if (eol >= 0) head.truncate(eol + 1);
        CsvTable t(head);
        if (t.looksBinary()) return {};
        return t.header();
    } catch (const Error &) {
        return {};
    }
}

} // namespace cprecon
