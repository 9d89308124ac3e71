// Box-plot statistics against numpy: np.percentile(v, [25, 50, 75]) (linear), whiskers at the most extreme data
// within 1.5 IQR, the rest outliers. Reference values printed by numpy 1.24 for the vector below.
#include "TestSupport.h"

#include "run/BoxStatistics.h"
#include "util/Error.h"

using namespace cprecon;
using namespace cprecon::run;

class TestBoxStatistics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesNumpy()
    {
        const std::vector<double> v{0.31, 0.02, 0.5, 0.07, 0.11, 0.9, 0.13, 0.14, 0.12, 0.09, 0.1, 2.5, -1.2, 0.15};
        const BoxStatistics b = boxStatistics(v);
        QCOMPARE(b.n, int64_t(14));
        QCOMPARE(b.q1, 0.0925);
        QCOMPARE(b.median, 0.125);
        QCOMPARE(b.q3, 0.27);
        QCOMPARE(b.whiskerLow, 0.02);
        QCOMPARE(b.whiskerHigh, 0.5);
        QVERIFY(std::abs(b.mean - 0.2814285714285714) < 1e-15);
        QCOMPARE(b.outliers, (std::vector<double>{-1.2, 0.9, 2.5}));
    }

    void smallAndDegenerateGroups()
    {
        const BoxStatistics one = boxStatistics({0.4});
        QCOMPARE(one.q1, 0.4);
        QCOMPARE(one.q3, 0.4);
        QCOMPARE(one.whiskerLow, 0.4);
        QCOMPARE(one.whiskerHigh, 0.4);
        QVERIFY(one.outliers.empty());
        const BoxStatistics two = boxStatistics({1.0, 0.0}); // np.percentile([0, 1], 25) = 0.25
        QCOMPARE(two.q1, 0.25);
        QCOMPARE(two.median, 0.5);
        QCOMPARE(two.q3, 0.75);
        QVERIFY_THROWS_EXCEPTION(Error, boxStatistics({}));
        QVERIFY_THROWS_EXCEPTION(Error, boxStatistics({0.1, std::nan("")}));
    }
};

QTEST_GUILESS_MAIN(TestBoxStatistics)
#include "tst_boxstatistics.moc"
