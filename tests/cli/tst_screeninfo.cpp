// `cprecon-cli screen info` on real folders: text and --json output, options, exit codes.
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cprecon;

class TestScreenInfo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void textOutput()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/cpjump1_BR00117010_A01_s1"));
        QString out, err;
        const int rc = test::runCli({"screen", "info", dir, "--all"}, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        QVERIFY2(out.contains("plates: 1"), qPrintable(out));
        QVERIFY(out.contains("BR00117010"));
        QVERIFY(out.contains("384-well"));
        QVERIFY(out.contains("platemap JUMP-Target-1_compound_platemap"));
        QVERIFY(out.contains("DNA=ch5"));
        QVERIFY(out.contains("Mito=ch1"));
        QVERIFY(out.contains("negative control 64"));
        QVERIFY(out.contains("BRD-A86665761-001-01-1  gabapentin-enacarbil  treatment"));
        QVERIFY(out.contains("problems: 0"));
    }

    void jsonOutput()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting"));
        QString out, err;
        const int rc = test::runCli({"screen", "info", "--json", dir}, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        QJsonParseError pe;
        const QJsonObject j = QJsonDocument::fromJson(out.toUtf8(), &pe).object();
        QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString()));
        QCOMPARE(j["schema"].toString(), QStringLiteral("cprecon.screen-info/1"));
        QCOMPARE(j["kind"].toString(), QStringLiteral("load_data_csv"));
        QCOMPARE(j["synthetic"].toBool(), false);
        const QJsonObject sm = j["summary"].toObject();
        QCOMPARE(sm["plates"].toInt(), 4);
        QCOMPARE(sm["sites"].toInt(), 10); // 1 + 1 + 1 (PNG) + 7 (DNA only)
        QCOMPARE(sm["missing_files"].toInt(), 0);
        QVERIFY(sm["controls"].toObject()["negative_control"].toInt() == 64);
        QStringList barcodes;
        for (const auto &p : j["plates"].toArray()) barcodes << p.toObject()["barcode"].toString();
        QVERIFY(barcodes.contains("BR00117010"));
        QVERIFY(barcodes.contains("BR00117035"));
        bool dna = false;
        for (const auto &c : j["channels"].toArray())
            if (c.toObject()["stain"].toString() == "DNA") {
                dna = true;
                const QJsonArray nums = c.toObject()["channel_numbers"].toArray();
                QVERIFY(nums.contains(5) && nums.contains(1)); // Phenix ch5, ImageXpress w1
            }
        QVERIFY(dna);
        for (const auto &p : j["problems"].toArray()) {
            const QJsonObject o = p.toObject();
            QVERIFY(o.contains("severity") && o.contains("file") && o.contains("row") && o.contains("message") && o.contains("fix"));
        }
    }

    void dataRootAndChannelMap()
    {
        CPRECON_REQUIRE_PATH(csv, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1/original_load_data_csv/load_data.csv"));
        QString out, err;
        // without a mirror: loads (exit 0), missing files listed with the URL and a fix
        int rc = test::runCli({"screen", "info", csv}, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        QVERIFY(out.contains("missing files: 8"));
        QVERIFY(out.contains("not in the local mirror"));
        QVERIFY(out.contains("--data-root"));
        // with a mirror of symlinks
        QTemporaryDir tmp;
        const QString images = tmp.path() + "/cpg0016-jump/source_4/images/2021_04_26_Batch1/images/"
                                            "BR00117035__2021-05-02T16_02_51-Measurement1/Images";
        QDir().mkpath(images);
        const QString src = QFileInfo(csv).absolutePath() + "/..";
        for (const auto &f : QDir(src).entryList({"*.tiff"}, QDir::Files))
            QVERIFY(QFile::link(QDir(src).absoluteFilePath(f), images + "/" + f));
        rc = test::runCli({"screen", "info", csv, "--json", "--data-root", tmp.path(), "--channel-map", "OrigDNA=Hoechst,1=AGP"}, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        const QJsonObject j = QJsonDocument::fromJson(out.toUtf8()).object();
        QCOMPARE(j["summary"].toObject()["missing_files"].toInt(), 0);
        QStringList stains;
        for (const auto &c : j["plates"].toArray()[0].toObject()["channels"].toArray()) {
            const QJsonObject o = c.toObject();
            stains << QStringLiteral("%1=%2").arg(o["stain"].toString()).arg(o["channel_number"].toInt());
        }
        QVERIFY2(stains.contains("DNA=5"), qPrintable(stains.join(' ')));  // Hoechst is the DNA stain
        QVERIFY2(stains.contains("AGP=1"), qPrintable(stains.join(' ')));  // channel 1 overridden
    }

    void errors()
    {
        QString out, err;
        QTemporaryDir tmp;
        int rc = test::runCli({"screen", "info", tmp.path()}, &out, &err);
        QVERIFY(rc != 0);
        QVERIFY2(err.contains(tmp.path()) && err.contains("no screen found"), qPrintable(err));
        rc = test::runCli({"screen", "info", tmp.path() + "/nope"}, &out, &err);
        QVERIFY(rc != 0);
        QVERIFY(err.contains("does not exist"));
        rc = test::runCli({"screen", "info", tmp.path(), "--channel-map", "bogus"}, &out, &err);
        QVERIFY(rc != 0);
        QVERIFY(err.contains("--channel-map"));
    }
};

QTEST_GUILESS_MAIN(TestScreenInfo)
#include "tst_screeninfo.moc"
