// cprecon-cli tiles: names, count, sizes and pixel values of the PNG tiles on the real CPJUMP1 site and on a
// phantom screen (illumination, other tile sizes, partial tiles), and the errors for unknown plate/well/site.
#include "TestSupport.h"
#include "image/ImageReader.h"
#include "image/NpyReader.h"
#include "image/Uint8Conversion.h"

#include <QDir>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

using namespace cprecon;

class TestCliTiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realPhenixSite()
    {
        CPRECON_REQUIRE_PATH(folder, test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1")));
        QTemporaryDir t;
        QString so, se;
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "BR00117010", "--well", "A01", "--site", "1", "--out", t.path()}, &so, &se), 0);
        QVERIFY2(so.contains(QStringLiteral("wrote 80 PNG tiles")), qPrintable(so + se));
        QStringList expected;
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c)
                for (const char *s : {"DNA", "ER", "RNA", "AGP", "Mito"})
                    expected << QStringLiteral("BR00117010_A01_s1_r%1c%2_%3.png").arg(r).arg(c).arg(QLatin1String(s));
        expected.sort();
        QCOMPARE(QDir(t.path()).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name), expected);

        // values: paper conversion of the raw file (no illumination function here), crop offset 28, tile 256
        const cv::Mat dna = readImageFile(QDir(folder).filePath(QStringLiteral("r01c01f01p01-ch5sk1fk1fl1.tiff")));
        const cv::Mat mito = readImageFile(QDir(folder).filePath(QStringLiteral("r01c01f01p01-ch1sk1fk1fl1.tiff")));
        for (const auto &[file, raw, r, c] : {std::make_tuple("BR00117010_A01_s1_r1c2_DNA.png", dna, 1, 2),
                                              std::make_tuple("BR00117010_A01_s1_r3c0_Mito.png", mito, 3, 0)}) {
            const cv::Mat png = cv::imread(t.filePath(QLatin1String(file)).toStdString(), cv::IMREAD_UNCHANGED);
            QCOMPARE(png.type(), CV_8UC1);
            QCOMPARE(png.size(), cv::Size(256, 256));
            cv::Mat want(256, 256, CV_8UC1);
            for (int y = 0; y < 256; ++y)
                for (int x = 0; x < 256; ++x)
                    want.at<uchar>(y, x) = uchar(raw.at<ushort>(28 + 256 * r + y, 28 + 256 * c + x) / 256);
            QCOMPARE(cv::norm(png, want, cv::NORM_INF), 0.0);
        }

        // percentile mode: stretch computed on the whole field, then cropped
        QTemporaryDir p;
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "BR00117010", "--well", "A01", "--site", "1", "--out", p.path(),
                               "--convert", "percentile"}, &so, &se), 0);
        const cv::Mat stretched = toUint8Percentile(dna, 0.1, 99.9);
        const cv::Mat png = cv::imread(p.filePath(QStringLiteral("BR00117010_A01_s1_r2c2_DNA.png")).toStdString(), cv::IMREAD_UNCHANGED);
        QCOMPARE(cv::norm(png, stretched(cv::Rect(28 + 512, 28 + 512, 256, 256)), cv::NORM_INF), 0.0);
    }

    void errors()
    {
        CPRECON_REQUIRE_PATH(folder, test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1")));
        QTemporaryDir t;
        QString so, se;
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "NOPE", "--well", "A01", "--site", "1", "--out", t.path()}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("plate 'NOPE' is not in the screen")) && se.contains(QStringLiteral("BR00117010")), qPrintable(se));
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "BR00117010", "--well", "B07", "--site", "1", "--out", t.path()}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("well B07 has no images")), qPrintable(se));
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "BR00117010", "--well", "A01", "--site", "4", "--out", t.path()}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("site 4 does not exist")), qPrintable(se));
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "BR00117010", "--well", "A01", "--site", "1", "--out", t.path(), "--convert", "gamma"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("unknown conversion mode")), qPrintable(se));
        QCOMPARE(test::runCli({"tiles", folder, "--plate", "BR00117010", "--well", "A01", "--site", "1", "--out", t.path(), "--partial", "error", "--crop", "1000"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("not a multiple of the tile size")), qPrintable(se));
        QCOMPARE(QDir(t.path()).entryList({QStringLiteral("*.png")}).size(), 0);
    }

    void phantomWithIllumination()
    {
        QTemporaryDir t;
        const QString screen = t.filePath(QStringLiteral("ph"));
        QString so, se;
        QCOMPARE(test::runCli({"phantom", "--out", screen, "--plates", "1", "--wells", "96", "--sites", "1", "--seed", "2", "--size", "300", "--quiet"}, &so, &se), 0);
        const QString out = t.filePath(QStringLiteral("tiles"));
        QCOMPARE(test::runCli({"tiles", screen, "--plate", "PHANTOM-P01", "--well", "c5", "--site", "1", "--out", out,
                               "--crop", "0", "--tile-size", "128", "--partial", "pad-reflect"}, &so, &se), 0);
        QVERIFY2(so.contains(QStringLiteral("PHANTOM")), qPrintable(so));
        QCOMPARE(QDir(out).entryList({QStringLiteral("*.png")}).size(), 3 * 3 * 5);
        const cv::Mat tile = cv::imread(QDir(out).filePath(QStringLiteral("PHANTOM-P01_C05_s1_r2c2_ER.png")).toStdString(), cv::IMREAD_UNCHANGED);
        QCOMPARE(tile.size(), cv::Size(128, 128));

        // tile (0, 0) of DNA = floor(clip((raw / illum) / 256)) of the top-left corner
        const QString img = screen + QStringLiteral("/images/phantom_batch/images/PHANTOM-P01__phantom/Images/r03c05f01p01-ch5sk1fk1fl1.tiff");
        const QString ill = screen + QStringLiteral("/images/phantom_batch/illum/PHANTOM-P01/PHANTOM-P01_IllumDNA.npy");
        const cv::Mat raw = readImageFile(img);
        const cv::Mat f = readNpy(ill);
        cv::Mat want(128, 128, CV_8UC1);
        for (int y = 0; y < 128; ++y)
            for (int x = 0; x < 128; ++x)
                want.at<uchar>(y, x) = uchar(std::min(255.0, std::floor(raw.at<ushort>(y, x) / f.at<double>(y, x) / 256.0)));
        const cv::Mat png = cv::imread(QDir(out).filePath(QStringLiteral("PHANTOM-P01_C05_s1_r0c0_DNA.png")).toStdString(), cv::IMREAD_UNCHANGED);
        QCOMPARE(cv::norm(png, want, cv::NORM_INF), 0.0);

        // --illum none differs (corners are darker without correction)
        const QString none = t.filePath(QStringLiteral("none"));
        QCOMPARE(test::runCli({"tiles", screen, "--plate", "PHANTOM-P01", "--well", "C05", "--site", "1", "--out", none,
                               "--crop", "0", "--tile-size", "128", "--partial", "pad-reflect", "--illum", "none"}, &so, &se), 0);
        const cv::Mat pngNone = cv::imread(QDir(none).filePath(QStringLiteral("PHANTOM-P01_C05_s1_r0c0_DNA.png")).toStdString(), cv::IMREAD_UNCHANGED);
        QVERIFY(cv::norm(pngNone, png, cv::NORM_INF) > 0);
        QVERIFY(cv::sum(pngNone)[0] <= cv::sum(png)[0]);

        // a well outside the 96-well format
        QCOMPARE(test::runCli({"tiles", screen, "--plate", "PHANTOM-P01", "--well", "P01", "--site", "1", "--out", none}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("outside the 96-well plate")), qPrintable(se));
    }
};

QTEST_GUILESS_MAIN(TestCliTiles)
#include "tst_tiles.moc"
