// 5 stains -> triplets A/B -> back: the paper's grouping, custom groupings and bad ones.
#include "TestSupport.h"
#include "image/Triplets.h"
#include "screen/Screen.h"
#include "util/Error.h"

using namespace cprecon;

namespace {
// Five distinct images: stain i is filled with a gradient offset by 40 i, so planes cannot be confused.
QMap<QString, cv::Mat> fiveStains()
{
    QMap<QString, cv::Mat> m;
    int i = 0;
    for (const QString &s : cellPaintingStains()) {
        cv::Mat img(8, 8, CV_8UC1);
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) img.at<uchar>(y, x) = uchar(40 * i + y * 4 + x);
        m.insert(s, img);
        ++i;
    }
    return m;
}
} // namespace

class TestTriplets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void paperGrouping()
    {
        const auto stains = fiveStains();
        const auto [a, b] = splitTriplets(stains);
        QCOMPARE(a.type(), CV_8UC3);
        // A = (Mito, AGP, RNA), B = (RNA, ER, DNA), plane 0 first
        const QStringList an{"Mito", "AGP", "RNA"}, bn{"RNA", "ER", "DNA"};
        for (int p = 0; p < 3; ++p) {
            cv::Mat pa, pb;
            cv::extractChannel(a, pa, p);
            cv::extractChannel(b, pb, p);
            QCOMPARE(cv::norm(pa, stains[an[p]], cv::NORM_INF), 0.0);
            QCOMPARE(cv::norm(pb, stains[bn[p]], cv::NORM_INF), 0.0);
        }
        const auto merged = mergeTriplets(a, b);
        QCOMPARE(merged.size(), 5);
        for (const QString &s : cellPaintingStains()) QCOMPARE(cv::norm(merged[s], stains[s], cv::NORM_INF), 0.0);
    }
    void sharedStainComesFromA()
    {
        const auto [a, b] = splitTriplets(fiveStains());
        // "reconstructions" that differ: RNA must come from A (plane 2), ER/DNA from B
        cv::Mat ra = a.clone(), rb = b.clone();
        ra.setTo(cv::Scalar(1, 2, 3));
        rb.setTo(cv::Scalar(4, 5, 6));
        const auto m = mergeTriplets(ra, rb);
        QCOMPARE(int(m["Mito"].at<uchar>(0, 0)), 1);
        QCOMPARE(int(m["AGP"].at<uchar>(0, 0)), 2);
        QCOMPARE(int(m["RNA"].at<uchar>(0, 0)), 3);
        QCOMPARE(int(m["ER"].at<uchar>(0, 0)), 5);
        QCOMPARE(int(m["DNA"].at<uchar>(0, 0)), 6);
        TripletGrouping g;
        g.sharedFrom = 'B';
        QCOMPARE(int(mergeTriplets(ra, rb, g)["RNA"].at<uchar>(0, 0)), 4);
    }
    void customGroupingRoundTrip()
    {
        const TripletGrouping g = TripletGrouping::parse(QStringLiteral("DNA,ER,AGP;AGP,RNA,Mito;shared=B"));
        QCOMPARE(g.sourceOf(QStringLiteral("AGP")), 'B');
        QCOMPARE(g.sourceOf(QStringLiteral("DNA")), 'A');
        QCOMPARE(TripletGrouping::parse(g.toString()).toString(), g.toString());
        QCOMPARE(TripletGrouping().toString(), QStringLiteral("Mito,AGP,RNA;RNA,ER,DNA"));
        const auto stains = fiveStains();
        const auto [a, b] = splitTriplets(stains, g);
        const auto merged = mergeTriplets(a, b, g);
        for (const QString &s : cellPaintingStains()) QCOMPARE(cv::norm(merged[s], stains[s], cv::NORM_INF), 0.0);
    }
    void badInput()
    {
        QVERIFY_THROWS_EXCEPTION(Error, TripletGrouping::parse(QStringLiteral("Mito,AGP,RNA;RNA,ER,ER")));
        QVERIFY_THROWS_EXCEPTION(Error, TripletGrouping::parse(QStringLiteral("Mito,AGP,RNA;RNA,ER,AGP"))); // no DNA
        QVERIFY_THROWS_EXCEPTION(Error, TripletGrouping::parse(QStringLiteral("Mito,AGP;RNA,ER,DNA")));
        QVERIFY_THROWS_EXCEPTION(Error, TripletGrouping::parse(QStringLiteral("Mito,AGP,Actin;RNA,ER,DNA")));
        auto stains = fiveStains();
        stains.remove(QStringLiteral("ER"));
        QVERIFY_THROWS_EXCEPTION(Error, splitTriplets(stains));
        stains = fiveStains();
        stains[QStringLiteral("ER")] = cv::Mat(4, 4, CV_8UC1, cv::Scalar(0));
        QVERIFY_THROWS_EXCEPTION(Error, splitTriplets(stains));
        const auto [a, b] = splitTriplets(fiveStains());
        QVERIFY_THROWS_EXCEPTION(Error, mergeTriplets(a, cv::Mat(8, 8, CV_8UC1)));
        QVERIFY_THROWS_EXCEPTION(Error, mergeTriplets(a, cv::Mat(4, 4, CV_8UC3)));
    }
};

QTEST_GUILESS_MAIN(TestTriplets)
#include "tst_triplets.moc"
