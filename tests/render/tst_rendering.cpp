// Display maths: auto contrast by saturation %, LUT tinting and composites.
#include "render/ImageRendering.h"
#include "TestSupport.h"

using namespace cprecon;

class TestRendering : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void autoContrastSaturatesTheRequestedShare()
    {
        cv::Mat img(100, 100, CV_16U);
        for (int i = 0; i < 10000; ++i) img.at<uint16_t>(i / 100, i % 100) = uint16_t(i); // one pixel per value
        const ContrastLimits l = autoContrast(img, 1.0); // 0.5 % dark, 0.5 % bright
        QCOMPARE(l.low, 50.0);
        QCOMPARE(l.high, 9949.0);
        const ContrastLimits none = autoContrast(img, 0.0);
        QCOMPARE(none.low, 0.0);
        QCOMPARE(none.high, 9999.0);
    }
    void autoContrastOnFloatAndFlatImages()
    {
        cv::Mat f(10, 10, CV_32F);
        for (int i = 0; i < 100; ++i) f.at<float>(i / 10, i % 10) = float(i) / 100.f;
        const ContrastLimits l = autoContrast(f, 0.0);
        QCOMPARE(l.low, 0.0);
        QVERIFY(qAbs(l.high - 0.99) < 1e-6);
        cv::Mat flat(8, 8, CV_8U, cv::Scalar(7));
        const ContrastLimits fl = autoContrast(flat, 0.35);
        QVERIFY(fl.high > fl.low); // a flat image never gives a zero range
    }
    void linkedLimitsAreTheUnion()
    {
        QVector<ContrastLimits> l{{10, 50}, {5, 40}, {20, 90}};
        linkContrastLimits(l);
        for (const auto &x : l) QCOMPARE(x, (ContrastLimits{5, 90}));
        QVector<ContrastLimits> none;
        linkContrastLimits(none); // no channels: nothing to do
        QVERIFY(none.isEmpty());
    }
    void channelIsTintedLinearly()
    {
        cv::Mat img(1, 3, CV_16U);
        img.at<uint16_t>(0, 0) = 0;
        img.at<uint16_t>(0, 1) = 50;
        img.at<uint16_t>(0, 2) = 200; // above the high limit: saturates
        const QImage q = renderChannel(img, {0, 100}, QColor(255, 0, 255));
        QCOMPARE(q.pixel(0, 0), qRgb(0, 0, 0));
        QCOMPARE(q.pixel(1, 0), qRgb(128, 0, 128)); // 0.5 * 255 rounded
        QCOMPARE(q.pixel(2, 0), qRgb(255, 0, 255));
    }
    void compositeAddsAndClips()
    {
        cv::Mat a(1, 1, CV_8U, cv::Scalar(255)), b(1, 1, CV_8U, cv::Scalar(255));
        const QImage q = renderComposite({a, b}, {{0, 255}, {0, 255}}, {QColor(255, 0, 0), QColor(200, 0, 100)});
        QCOMPARE(q.pixel(0, 0), qRgb(255, 0, 100));
    }
};

QTEST_GUILESS_MAIN(TestRendering)
#include "tst_rendering.moc"
