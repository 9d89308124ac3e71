// Illumination correction and uint8 conversion: hand-computed values and numpy references on a real Phenix image.
#include "TestSupport.h"
#include "image/IlluminationCorrection.h"
#include "image/ImageReader.h"
#include "image/Uint8Conversion.h"
#include "util/Error.h"

#include <cmath>
#include <limits>

using namespace cprecon;

namespace {

long long sum8(const cv::Mat &m)
{
    return static_cast<long long>(cv::sum(m)[0]);
}

const char *kDna = "cellpainting/cpjump1_BR00117010_A01_s1/r01c01f01p01-ch5sk1fk1fl1.tiff";

// The analytic illumination function used for the numpy reference: f(y, x) = 0.8 + 0.4 x / 1079 - 0.1 y / 1079.
cv::Mat analyticIllum()
{
    cv::Mat f(1080, 1080, CV_64FC1);
    for (int y = 0; y < 1080; ++y)
        for (int x = 0; x < 1080; ++x) f.at<double>(y, x) = 0.8 + 0.4 * x / 1079.0 - 0.1 * y / 1079.0;
    return f;
}

} // namespace

class TestConversion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void paperUint16ByHand()
    {
        const ushort vals[] = {0, 255, 256, 511, 512, 1000, 32767, 65279, 65280, 65535};
        const uchar want[] = {0, 0, 1, 1, 2, 3, 127, 254, 255, 255}; // floor(v / 256)
        cv::Mat m(1, 10, CV_16UC1, const_cast<ushort *>(vals));
        const cv::Mat u = toUint8Paper(m);
        QCOMPARE(u.type(), CV_8UC1);
        for (int i = 0; i < 10; ++i) QCOMPARE(int(u.at<uchar>(0, i)), int(want[i]));
        // the float path of the same values gives the same bytes
        cv::Mat d;
        m.convertTo(d, CV_64F);
        QCOMPARE(cv::norm(toUint8Paper(d), u, cv::NORM_INF), 0.0);
    }
    void paperFloatTruncatesAndClips()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
        const double vals[] = {-5.0, 0.0, 255.999, 256.0, 511.9999, 2000.0, 65535.0 * 1.5, 70000.0, nan, inf, -inf, 65535.0};
        const uchar want[] = {0, 0, 0, 1, 1, 7, 255, 255, 0, 255, 0, 255};
        cv::Mat m(1, 12, CV_64FC1, const_cast<double *>(vals));
        const cv::Mat u = toUint8Paper(m);
        for (int i = 0; i < 12; ++i) QCOMPARE(int(u.at<uchar>(0, i)), int(want[i]));
    }
    void eightBitPassesThrough()
    {
        cv::Mat m(4, 4, CV_8UC1);
        cv::randu(m, 0, 256);
        for (ConversionMode mode : {ConversionMode::Paper, ConversionMode::Percentile}) {
            ConversionOptions o;
            o.mode = mode;
            QCOMPARE(cv::norm(toUint8(m, CV_8U, o), m, cv::NORM_INF), 0.0);
        }
        // an illumination-corrected 8-bit source: clip and truncate, no division by 256
        const double vals[] = {-1.0, 12.7, 254.99, 300.0};
        cv::Mat d(1, 4, CV_64FC1, const_cast<double *>(vals));
        const cv::Mat u = toUint8(d, CV_8U);
        QCOMPARE(int(u.at<uchar>(0, 0)), 0);
        QCOMPARE(int(u.at<uchar>(0, 1)), 12);
        QCOMPARE(int(u.at<uchar>(0, 2)), 254);
        QCOMPARE(int(u.at<uchar>(0, 3)), 255);
    }
    void percentileByHand()
    {
        // values 0, 10, ..., 990: np.percentile(x, 10) = 99.0 (index 9.9), np.percentile(x, 90) = 891.0 (index 89.1)
        cv::Mat m(10, 10, CV_16UC1);
        for (int i = 0; i < 100; ++i) m.at<ushort>(i / 10, i % 10) = ushort(i * 10);
        QCOMPARE(percentile(m, 10), 99.0);
        QCOMPARE(percentile(m, 90), 891.0);
        QCOMPARE(percentile(m, 0), 0.0);
        QCOMPARE(percentile(m, 100), 990.0);
        cv::Mat d;
        m.convertTo(d, CV_64F);
        QCOMPARE(percentile(d, 10), 99.0);
        QCOMPARE(percentile(d, 90), 891.0);
        const cv::Mat u = toUint8Percentile(m, 10, 90);
        QCOMPARE(int(u.at<uchar>(0, 0)), 0);                                   // below lo
        QCOMPARE(int(u.at<uchar>(5, 0)), 129);                                 // (500-99)/792*255 = 129.11
        QCOMPARE(int(u.at<uchar>(3, 0)), 65);                                  // (300-99)/792*255 = 64.716 -> rint 65
        QCOMPARE(int(u.at<uchar>(9, 9)), 255);                                 // above hi
        QCOMPARE(cv::norm(toUint8Percentile(d, 10, 90), u, cv::NORM_INF), 0.0); // float path identical
        // constant image -> zeros; bad percentiles -> Error
        QCOMPARE(sum8(toUint8Percentile(cv::Mat(3, 3, CV_16UC1, cv::Scalar(7)), 1, 99)), 0LL);
        QVERIFY_THROWS_EXCEPTION(Error, toUint8Percentile(m, 50, 50));
        QVERIFY_THROWS_EXCEPTION(Error, percentile(m, 101));
    }
    void realImageAgainstNumpy()
    {
        // numpy 1.24 on the PIL-decoded file: percentiles, paper sum, stretch sum.
        CPRECON_REQUIRE_PATH(path, test::data(QString::fromLatin1(kDna)));
        const cv::Mat raw = readImageFile(path);
        QCOMPARE(percentile(raw, 0.1), 242.0);
        QVERIFY(std::abs(percentile(raw, 99.9) - 14752.015000000363) < 1e-9);
        QCOMPARE(percentile(raw, 37.3), 565.0);
        QCOMPARE(sum8(toUint8(raw, CV_16U)), 5688631LL); // np.clip(a / 256, 0, 255).astype(np.uint8).sum()
        ConversionOptions pct;
        pct.mode = ConversionMode::Percentile;
        QCOMPARE(sum8(toUint8(raw, CV_16U, pct)), 23077124LL); // np.rint(np.clip((a-lo)/(hi-lo),0,1)*255).sum()
    }
    void illuminationAgainstNumpy()
    {
        CPRECON_REQUIRE_PATH(path, test::data(QString::fromLatin1(kDna)));
        const cv::Mat raw = readImageFile(path);
        const IllumResult r = applyIllumination(raw, analyticIllum(), path, QStringLiteral("analytic"));
        QCOMPARE(r.corrected.type(), CV_64FC1);
        QCOMPARE(r.invalidPixels, 0LL);
        // numpy: c = a / f; c.sum() = 1706846429.2692432; np.clip(c/256, 0, 255).astype(np.uint8): sum 6077005, 61 x 255
        QVERIFY(std::abs(cv::sum(r.corrected)[0] - 1706846429.2692432) < 1e-3);
        const cv::Mat u = toUint8(r.corrected, CV_16U);
        QCOMPARE(sum8(u), 6077005LL);
        QCOMPARE(cv::countNonZero(u == 255), 61);
        // hand check: CellProfiler "Divide" semantics
        QCOMPARE(r.corrected.at<double>(0, 0), double(raw.at<ushort>(0, 0)) / 0.8);
    }
    void illuminationErrors()
    {
        cv::Mat raw(4, 5, CV_16UC1, cv::Scalar(1000));
        try {
            applyIllumination(raw, cv::Mat(5, 4, CV_64FC1, cv::Scalar(1.0)), QStringLiteral("img.tiff"), QStringLiteral("illum.npy"));
            QFAIL("size mismatch accepted");
        } catch (const Error &e) {
            const QString w = QString::fromStdString(e.what());
            QVERIFY2(w.contains(QStringLiteral("img.tiff")) && w.contains(QStringLiteral("illum.npy")), e.what());
            QVERIFY2(w.contains(QStringLiteral("4x5")) && w.contains(QStringLiteral("5x4")), e.what());
        }
        cv::Mat f(4, 5, CV_64FC1, cv::Scalar(2.0));
        f.at<double>(1, 2) = 0.0;
        f.at<double>(2, 3) = -1.0;
        f.at<double>(3, 4) = std::numeric_limits<double>::quiet_NaN();
        try {
            applyIllumination(raw, f, QStringLiteral("img.tiff"), QStringLiteral("illum.npy"));
            QFAIL("invalid illumination values accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("3 illumination value(s)")), e.what());
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("row 1, col 2")), e.what());
        }
        const IllumResult kept = applyIllumination(raw, f, QStringLiteral("img.tiff"), QStringLiteral("illum.npy"), IllumInvalid::KeepRaw);
        QCOMPARE(kept.invalidPixels, 3LL);
        QCOMPARE(kept.corrected.at<double>(1, 2), 1000.0); // left raw
        QCOMPARE(kept.corrected.at<double>(0, 0), 500.0);  // corrected
        QVERIFY(cv::checkRange(kept.corrected));
    }
    void modeNames()
    {
        QCOMPARE(parseConversionMode(QStringLiteral("paper")), ConversionMode::Paper);
        QCOMPARE(parseConversionMode(QStringLiteral("percentile")), ConversionMode::Percentile);
        QVERIFY_THROWS_EXCEPTION(Error, parseConversionMode(QStringLiteral("gamma")));
    }
};

QTEST_GUILESS_MAIN(TestConversion)
#include "tst_conversion.moc"
