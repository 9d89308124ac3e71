// The one CSV reader and writer: RFC 4180 quoting, line ends, BOM, blank lines, streaming gzip across chunk
// boundaries, truncated streams, and the writer's fields read back unchanged.
#include "TestSupport.h"

#include "util/Csv.h"
#include "util/CsvReader.h"
#include "util/Error.h"

#include <QTemporaryDir>

#include <zlib.h>

#include <string>
#include <vector>

using namespace cprecon;

namespace {
std::vector<std::vector<std::string>> readAll(CsvReader r)
{
    std::vector<std::vector<std::string>> out;
    std::vector<std::string_view> f;
    while (r.next(f)) out.emplace_back(f.begin(), f.end());
    return out;
}
using Rows = std::vector<std::vector<std::string>>;
} // namespace

class TestCsv : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void quotingAndLineEnds()
    {
        const std::string text = "\xEF\xBB\xBF" "a,b,c\r\n"
                                 "1,\"x, y\",\"he said \"\"hi\"\"\"\n"
                                 "\n"
                                 "2,\"two\nlines\",3\r"
                                 "4,5\" disk,6\n"
                                 "  \"q\"tail,,\n"
                                 "last,\"unterminated";
        const Rows rows = readAll(CsvReader::fromBuffer(text));
        const Rows want{{"a", "b", "c"},
                        {"1", "x, y", "he said \"hi\""},
                        {"2", "two\nlines", "3"},
                        {"4", "5\" disk", "6"}, // a stray quote inside a value does not open a quoted field
                        {"qtail", "", ""},
                        {"last", "unterminated"}};
        QCOMPARE(rows, want);
        CsvReader r = CsvReader::fromBuffer(text);
        std::vector<std::string_view> f;
        QVERIFY(r.next(f) && r.next(f) && r.next(f));
        QCOMPARE(r.records(), 4L); // the blank line is counted, not returned
        const Rows tabs = readAll(CsvReader::fromBuffer("a\tb c\t\"d\te\"\n", '\t'));
        QCOMPARE(tabs, (Rows{{"a", "b c", "d\te"}}));
    }

    void writerFieldsReadBackUnchanged()
    {
        const std::vector<std::string> values{"plain", "with,comma", "with \"quotes\"", "two\nlines", "cr\rhere", "", " spaced "};
        std::string line;
        for (size_t i = 0; i < values.size(); ++i) line += (i ? "," : "") + csvField(values[i]);
        const Rows rows = readAll(CsvReader::fromBuffer(line + "\n"));
        QCOMPARE(rows.size(), size_t(1));
        QCOMPARE(rows[0], values);
        QCOMPARE(csvField(QStringLiteral("a\nb")), QStringLiteral("\"a\nb\""));
    }

    void gzipStreamsAcrossChunks()
    {
        // ~20 MB uncompressed: several 8 MB chunks, quoted line breaks wherever a boundary falls.
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("t.csv.gz")).toStdString();
        gzFile gz = gzopen(path.c_str(), "wb1");
        QVERIFY(gz);
        const int n = 200000;
        gzputs(gz, "id,text,value\n");
        for (int i = 0; i < n; ++i) {
            const std::string row = std::to_string(i) + ",\"row " + std::to_string(i) + "\nhas, \"\"quotes\"\"\"," +
                                    std::string(60, char('a' + i % 26)) + "\r\n";
            gzwrite(gz, row.data(), unsigned(row.size()));
        }
        gzclose(gz);
        CsvReader r = CsvReader::fromFile(path);
        std::vector<std::string_view> f;
        QVERIFY(r.next(f));
        QCOMPARE(f.size(), size_t(3));
        int count = 0;
        while (r.next(f)) {
            QCOMPARE(f.size(), size_t(3));
            const std::string want = "row " + std::to_string(count) + "\nhas, \"quotes\"";
            if (std::string(f[0]) != std::to_string(count) || std::string(f[1]) != want || f[2].size() != 60)
                QFAIL(qPrintable(QStringLiteral("row %1 read wrongly").arg(count)));
            ++count;
        }
        QCOMPARE(count, n);
    }

    void truncatedGzipIsAnErrorNamingTheFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("t.csv.gz")).toStdString();
        gzFile gz = gzopen(path.c_str(), "wb");
        for (int i = 0; i < 50000; ++i) gzprintf(gz, "%d,%d,%d\n", i, i * 7, i * 13);
        gzclose(gz);
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() / 2));
        f.close();
        try {
            CsvReader r = CsvReader::fromFile(path, ',', "profile table");
            std::vector<std::string_view> fields;
            while (r.next(fields)) {
            }
            QFAIL("a truncated gzip stream was read as a shorter table");
        } catch (const Error &e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(path));
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("truncated")), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, CsvReader::fromFile(dir.filePath(QStringLiteral("none.csv")).toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
