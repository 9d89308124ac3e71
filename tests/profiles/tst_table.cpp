// ProfileTable: CSV / CSV.GZ parsing, column roles, non-finite policies and named errors.
#include "TestSupport.h"
#include "profiles/ProfileTable.h"
#include "util/Error.h"

#include <QFile>
#include <QTemporaryDir>

#include <zlib.h>

#include <cmath>

using namespace cprecon;
using namespace cprecon::profiles;

class TestTable : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string write(const char *name, const std::string &text)
    {
        const QString p = m_dir.filePath(QString::fromLatin1(name));
        QFile f(p);
        f.open(QIODevice::WriteOnly);
        f.write(text.data(), static_cast<qint64>(text.size()));
        return p.toStdString();
    }

private Q_SLOTS:
    void readsFixtureProfiles()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("retrieval/profiles.csv")));
        const auto t = readProfileTable(path.toStdString());
        QCOMPARE(t.rows(), std::size_t(1536));
        QCOMPARE(t.features.cols(), Eigen::Index(200));
        QCOMPARE(t.metaNames.size(), std::size_t(5));
        QCOMPARE(t.featureNames.front(), std::string("feature_000"));
        QCOMPARE(t.metaColumn("Metadata_control_type")[1], std::string()); // empty for compounds
        QVERIFY(t.features.allFinite());
        QVERIFY(t.notes.empty());
    }

    void gzipQuotesCrlfAndLastLine()
    {
        const std::string text = "Metadata_a,Metadata_b,x1,x2\r\n\"p,1\",\"say \"\"hi\"\"\",1.5,-2e-3\r\nq,,+4,inf";
        const std::string gzPath = m_dir.filePath(QStringLiteral("t.csv.gz")).toStdString();
        gzFile gz = gzopen(gzPath.c_str(), "wb");
        gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
        gzclose(gz);
        for (const std::string &path : {write("t.csv", text), gzPath}) {
            const auto t = readProfileTable(path, {"", -1, NonFinitePolicy::DropRows});
            QCOMPARE(t.rows(), std::size_t(1)); // row 2 has inf
            QCOMPARE(t.meta[0][0], std::string("p,1"));
            QCOMPARE(t.meta[1][0], std::string("say \"hi\""));
            QCOMPARE(t.features(0, 0), 1.5);
            QCOMPARE(t.features(0, 1), -2e-3);
            QVERIFY(t.notes.back().find("dropped 1 row") != std::string::npos);
        }
        const auto t = readProfileTable(write("t2.csv", text)); // default: drop the feature
        QCOMPARE(t.rows(), std::size_t(2));
        QCOMPARE(t.featureNames, (std::vector<std::string>{"x1"}));
        QCOMPARE(t.features(1, 0), 4.0);
        QVERIFY(t.notes.back().find("x2") != std::string::npos);
        QVERIFY_THROWS_EXCEPTION(Error, readProfileTable(write("t3.csv", text), {"", -1, NonFinitePolicy::Error}));
    }

    void featureSelection()
    {
        const std::string text = "Metadata_w,Cells_a,Nuclei_b,label,Cells_c\nA01,1,2,foo,3\nA02,4,5,bar,6\n";
        const auto all = readProfileTable(write("s.csv", text));
        QCOMPARE(all.featureNames, (std::vector<std::string>{"Cells_a", "Nuclei_b", "Cells_c"})); // label ignored
        QVERIFY(all.notes.front().find("label") != std::string::npos);
        QCOMPARE(all.features(1, 2), 6.0);
        const auto cells = readProfileTable(write("s2.csv", text), {"Cells_", -1, NonFinitePolicy::DropFeatures});
        QCOMPARE(cells.featureNames, (std::vector<std::string>{"Cells_a", "Cells_c"}));
        const std::string text2 = "plate,well,f1,f2\nP,A01,1,2\n";
        const auto fromCol = readProfileTable(write("s3.csv", text2), {"", 2, NonFinitePolicy::DropFeatures});
        QCOMPARE(fromCol.metaNames, (std::vector<std::string>{"plate", "well"}));
        QCOMPARE(fromCol.features(0, 1), 2.0);
        // Strict feature selection refuses non-numbers; ragged rows are named.
        QVERIFY_THROWS_EXCEPTION(Error, readProfileTable(write("s4.csv", text), {"", 1, NonFinitePolicy::DropFeatures}));
        QVERIFY_THROWS_EXCEPTION(Error, readProfileTable(write("s5.csv", "Metadata_a,f\nx,1,2\n")));
        QVERIFY_THROWS_EXCEPTION(Error, readProfileTable(write("s6.csv", "")));
        QVERIFY_THROWS_EXCEPTION(Error, readProfileTable(m_dir.filePath(QStringLiteral("missing.csv")).toStdString()));
        try {
            all.metaColumn("Metadata_Plate");
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY(e.message().find("Metadata_Plate") != std::string::npos);
            QVERIFY(e.fix().find("Metadata_w") != std::string::npos);
        }
    }

    void largeRecordsAcrossChunks()
    {
        // Records straddling the reader's 8 MiB chunks must parse intact.
        std::string text = "Metadata_id";
        for (int c = 0; c < 400; ++c) text += ",f" + std::to_string(c);
        text += "\n";
        for (int r = 0; r < 3000; ++r) {
            text += "r" + std::to_string(r);
            for (int c = 0; c < 400; ++c) text += "," + std::to_string(r * 0.001 + c);
            text += "\n";
        }
        QVERIFY(text.size() > (8u << 20));
        const auto t = readProfileTable(write("big.csv", text));
        QCOMPARE(t.rows(), std::size_t(3000));
        for (int r : {0, 1234, 2999}) {
            QCOMPARE(t.meta[0][static_cast<std::size_t>(r)], "r" + std::to_string(r));
            QCOMPARE(t.features(r, 399), std::stod(std::to_string(r * 0.001 + 399)));
        }
    }
};

QTEST_GUILESS_MAIN(TestTable)
#include "tst_table.moc"
