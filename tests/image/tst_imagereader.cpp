// ImageReader on the real Cell Painting images (checked against each folder's files_manifest.csv) and bad files.
#include "TestSupport.h"
#include "image/ImageReader.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

using namespace cprecon;

namespace {

struct ManifestRow {
    QString file;
    int width = 0, height = 0;
    QString dtype;
    double min = 0, max = 0, mean = 0;
};

QVector<ManifestRow> readManifest(const QString &folder)
{
    QFile f(QDir(folder).filePath(QStringLiteral("files_manifest.csv")));
    if (!f.open(QIODevice::ReadOnly)) return {};
    QVector<ManifestRow> rows;
    const QStringList header = QString::fromUtf8(f.readLine()).trimmed().split(QLatin1Char(','));
    while (!f.atEnd()) {
        const QStringList v = QString::fromUtf8(f.readLine()).trimmed().split(QLatin1Char(','));
        if (v.size() != header.size()) continue;
        auto col = [&](const char *name) { return v[header.indexOf(QLatin1String(name))]; };
        rows.push_back({col("file"), col("width").toInt(), col("height").toInt(), col("dtype"), col("min").toDouble(),
                        col("max").toDouble(), col("mean").toDouble()});
    }
    return rows;
}

void expectError(const std::function<void()> &fn, const QString &mustContain)
{
    try {
        fn();
    } catch (const Error &e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(mustContain), e.what());
        QVERIFY2(!e.fix().empty(), "errors must say how to fix them");
        return;
    }
    QFAIL(qPrintable(QStringLiteral("no cprecon::Error thrown; expected one containing '%1'").arg(mustContain)));
}

} // namespace

class TestImageReader : public QObject {
    Q_OBJECT
private:
    void checkFolder(const QString &relative)
    {
        CPRECON_REQUIRE_PATH(folder, test::data(relative));
        const auto rows = readManifest(folder);
        QVERIFY(!rows.isEmpty());
        for (const auto &r : rows) {
            const cv::Mat m = readImageFile(QDir(folder).filePath(r.file));
            QCOMPARE(m.cols, r.width);
            QCOMPARE(m.rows, r.height);
            QCOMPARE(m.channels(), 1);
            QCOMPARE(QString::fromLatin1(depthName(m.depth())), r.dtype);
            double mn = 0, mx = 0;
            cv::minMaxLoc(m, &mn, &mx);
            QCOMPARE(mn, r.min);
            QCOMPARE(mx, r.max);
            // the manifest rounds the mean to 2 decimals
            QVERIFY2(std::abs(cv::mean(m)[0] - r.mean) <= 0.005 + 1e-9, qPrintable(r.file));
        }
    }

private Q_SLOTS:
    void phenixLzw16bit() { checkFolder(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1")); }
    void phenixLzw16bitCpg0016() { checkFolder(QStringLiteral("cellpainting/jump_cpg0016_BR00117035_A01_s1")); }
    void bbbcUncompressed16bit() { checkFolder(QStringLiteral("cellpainting/bbbc022_20585_dna_only")); }
    void bbbcPng8bit() { checkFolder(QStringLiteral("cellpainting/bbbc022_20585_A01_s2_png")); }

    void rgbPlanesInRgbOrder()
    {
        // Reference values from PIL (numpy.array(Image.open(...))) on the same file: pixel (0,0) = (154, 147, 151),
        // pixel (row 100, col 200) = (81, 57, 17), plane means 141.5625, 105.7594, 96.4751.
        CPRECON_REQUIRE_PATH(path, test::data(QStringLiteral("natural/skimage_astronaut.png")));
        const int first[3] = {154, 147, 151}, second[3] = {81, 57, 17};
        const double means[3] = {141.56249237060547, 105.75944519042969, 96.4750747680664};
        for (int p = 0; p < 3; ++p) {
            const cv::Mat m = readImageFile(path, p);
            QCOMPARE(m.type(), CV_8UC1);
            QCOMPARE(int(m.at<uchar>(0, 0)), first[p]);
            QCOMPARE(int(m.at<uchar>(100, 200)), second[p]);
            QVERIFY(std::abs(cv::mean(m)[0] - means[p]) < 1e-6);
        }
        ChannelImage ch;
        ch.path = path;
        ch.plane = 2;
        QCOMPARE(int(readChannelImage(ch).at<uchar>(100, 200)), 17);
    }

    void errors()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        expectError([&] { readImageFile(dir.filePath(QStringLiteral("nope.tiff"))); }, QStringLiteral("not found"));
        expectError([&] { readImageFile(dir.path()); }, QStringLiteral("folder"));

        const QString empty = dir.filePath(QStringLiteral("empty.tiff"));
        QFile(empty).open(QIODevice::WriteOnly);
        expectError([&] { readImageFile(empty); }, QStringLiteral("empty"));

        const QString garbage = dir.filePath(QStringLiteral("garbage.tiff"));
        {
            QFile g(garbage);
            QVERIFY(g.open(QIODevice::WriteOnly));
            g.write(QByteArray(5000, 'x'));
        }
        expectError([&] { readImageFile(garbage); }, QStringLiteral("cannot decode"));

        const QString real = test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1/r01c01f01p01-ch5sk1fk1fl1.tiff"));
        if (!real.isEmpty()) {
            // A truncated LZW TIFF (the strip data cut off) must fail cleanly, never return half an image silently.
            QFile src(real);
            QVERIFY(src.open(QIODevice::ReadOnly));
            const QString cut = dir.filePath(QStringLiteral("truncated.tiff"));
            QFile dst(cut);
            QVERIFY(dst.open(QIODevice::WriteOnly));
            dst.write(src.read(4096));
            dst.close();
            expectError([&] { readImageFile(cut); }, QStringLiteral("truncated.tiff"));
        }

        const QString f32 = dir.filePath(QStringLiteral("float.tiff"));
        QVERIFY(cv::imwrite(f32.toStdString(), cv::Mat(8, 8, CV_32FC1, cv::Scalar(0.5))));
        expectError([&] { readImageFile(f32); }, QStringLiteral("float32"));

        const QString rgb = dir.filePath(QStringLiteral("rgb.png"));
        QVERIFY(cv::imwrite(rgb.toStdString(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3))));
        expectError([&] { readImageFile(rgb); }, QStringLiteral("3 channels"));
        QCOMPARE(int(readImageFile(rgb, 0).at<uchar>(0, 0)), 3); // R of BGR (1, 2, 3)
        expectError([&] { readImageFile(rgb, 3); }, QStringLiteral("out of range"));

        // 8-bit TIFF and 16-bit uncompressed/LZW TIFF written by OpenCV read back exactly
        cv::Mat u8(5, 7, CV_8UC1);
        cv::randu(u8, 0, 256);
        const QString t8 = dir.filePath(QStringLiteral("u8.tiff"));
        QVERIFY(cv::imwrite(t8.toStdString(), u8));
        QCOMPARE(cv::norm(readImageFile(t8), u8, cv::NORM_INF), 0.0);
        cv::Mat u16(5, 7, CV_16UC1);
        cv::randu(u16, 0, 65536);
        for (int compression : {1, 5}) {
            const QString t16 = dir.filePath(QStringLiteral("u16_%1.tiff").arg(compression));
            QVERIFY(cv::imwrite(t16.toStdString(), u16, {cv::IMWRITE_TIFF_COMPRESSION, compression}));
            const cv::Mat back = readImageFile(t16);
            QCOMPARE(back.type(), CV_16UC1);
            QCOMPARE(cv::norm(back, u16, cv::NORM_INF), 0.0);
        }
        const QString s32 = dir.filePath(QStringLiteral("int32.tiff"));
        QVERIFY(cv::imwrite(s32.toStdString(), cv::Mat(4, 4, CV_32SC1, cv::Scalar(70000))));
        expectError([&] { readImageFile(s32); }, QStringLiteral("int32"));
        const QString s16 = dir.filePath(QStringLiteral("int16.tiff"));
        QVERIFY(cv::imwrite(s16.toStdString(), cv::Mat(4, 4, CV_16SC1, cv::Scalar(-5))));
        expectError([&] { readImageFile(s16); }, QStringLiteral("int16"));
        const QString f64 = dir.filePath(QStringLiteral("double.tiff"));
        QVERIFY(cv::imwrite(f64.toStdString(), cv::Mat(4, 4, CV_64FC1, cv::Scalar(1.5))));
        expectError([&] { readImageFile(f64); }, QStringLiteral("float64"));

        const QString gray = dir.filePath(QStringLiteral("gray.png"));
        QVERIFY(cv::imwrite(gray.toStdString(), cv::Mat(8, 8, CV_16UC1, cv::Scalar(1000))));
        QCOMPARE(readImageFile(gray).type(), CV_16UC1);
        expectError([&] { readImageFile(gray, 0); }, QStringLiteral("colour plane"));
    }
};

QTEST_GUILESS_MAIN(TestImageReader)
#include "tst_imagereader.moc"
