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
    const qsizetype bom = m_text.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    const qsizetype eol = m_text.indexOf('\n', bom);
    const QByteArray first = m_text.mid(bom, eol < 0 ? -1 : eol - bom);
    // binary content: NUL bytes or many control characters near the start
    const QByteArray sample = m_text.mid(bom, 4096);
    int control = 0;
    for (char c : sample)
        if ((uchar(c) < 32 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) ++control;
    m_binary = sample.contains('\0') || control * 20 > sample.size();
    m_delim = delimiter ? delimiter : (first.contains('\t') && !first.contains(',') ? '\t' : ',');
    m_reader = std::make_unique<CsvReader>(CsvReader::fromBuffer(std::string_view(m_text.constData(), size_t(m_text.size())), m_delim));
    if (!m_binary && m_reader->next(m_fields))
        for (const auto &f : m_fields) m_header << QString::fromUtf8(f.data(), qsizetype(f.size())).trimmed();
    m_headerRecords = m_reader->records();
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

bool CsvTable::next()
{
    if (m_binary || !m_reader->next(m_fields)) return false;
    m_row = m_reader->records() - m_headerRecords; // blank lines count, as an editor numbers them
    return true;
}

QString CsvTable::field(int column) const
{
    if (column < 0 || size_t(column) >= m_fields.size()) return {};
    const std::string_view f = m_fields[size_t(column)];
    return QString::fromUtf8(f.data(), qsizetype(f.size())).trimmed();
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
