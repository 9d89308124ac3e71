// Streaming statistics: covariance accumulator == two-pass batch computation; metric summaries == numpy.
#include "TestSupport.h"
#include "metrics/CovarianceAccumulator.h"
#include "metrics/MetricSummary.h"
#include "util/Error.h"

#include <Eigen/Dense>

#include <cmath>
#include <random>

using namespace cprecon;
using namespace cprecon::metrics;

class TestAccumulators : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void streamingCovarianceEqualsBatch()
    {
        const int n = 3000, d = 64;
        std::mt19937 rng(42);
        std::normal_distribution<float> g(0.f, 1.f);
        std::vector<float> x(size_t(n) * d);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < d; ++j) // large common offset + correlation: stresses cancellation
                x[size_t(i) * d + j] = 1000.f + float(j) + g(rng) * (1.f + 0.1f * float(j)) + (j > 0 ? 0.5f * x[size_t(i) * d + j - 1] - 500.f : 0.f);
        // batch reference: two-pass in double
        Eigen::MatrixXd m = Eigen::Map<const Eigen::Matrix<float, -1, -1, Eigen::RowMajor>>(x.data(), n, d).cast<double>();
        const Eigen::RowVectorXd mean = m.colwise().mean();
        const Eigen::MatrixXd c = m.rowwise() - mean;
        const Eigen::MatrixXd cov = (c.transpose() * c) / double(n - 1);

        // streaming in odd-sized chunks, two accumulators merged, and the threaded path
        CovarianceAccumulator a(d), b(d);
        int pos = 0, k = 0;
        for (int chunk : {1, 7, 600, 513, 1, 900}) {
            (k++ % 2 ? b : a).add(x.data() + size_t(pos) * d, chunk, pos);
            pos += chunk;
        }
        a.add(x.data() + size_t(pos) * d, n - pos, pos);
        a.merge(b);
        // one pass, on one thread and on three (OpenBLAS's dsyrk): the same bits whatever the thread count
        CovarianceAccumulator t(d), t1(d);
        test::withThreads(3, [&] { t.add(x.data(), n); return 0; });
        test::withThreads(1, [&] { t1.add(x.data(), n); return 0; });
        QVERIFY(t.covariance() == t1.covariance());
        QVERIFY(t.mean() == t1.mean());
        for (const CovarianceAccumulator *acc : {&a, &t}) {
            QCOMPARE(acc->count(), int64_t(n));
            const double covErr = (acc->covariance() - cov).cwiseAbs().maxCoeff() / cov.cwiseAbs().maxCoeff();
            const double meanErr = (acc->mean().transpose() - mean).cwiseAbs().maxCoeff() / mean.cwiseAbs().maxCoeff();
            qInfo("rel. max error: covariance %.3g, mean %.3g", covErr, meanErr);
            QVERIFY(covErr <= 1e-12);
            QVERIFY(meanErr <= 1e-14);
        }
    }
    void accumulatorErrors()
    {
        CovarianceAccumulator a(3), b(4);
        QVERIFY_THROWS_EXCEPTION(Error, a.merge(b));
        QVERIFY_THROWS_EXCEPTION(Error, a.covariance()); // n < 2
        const float row[3] = {1, 2, 3};
        a.add(row, 1);
        QVERIFY_THROWS_EXCEPTION(Error, a.covariance());
        a.add(row, 1);
        QCOMPARE(a.covariance()(1, 1), 0.0);
        QVERIFY_THROWS_EXCEPTION(Error, CovarianceAccumulator(0));
    }
    void summaryMatchesNumpy()
    {
        // numpy: np.percentile(v, [25, 50, 75]) (linear), np.std(v, ddof=1)
        const std::vector<double> v{3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 100.0};
        MetricSummary s, left, right;
        s.add(v.data(), v.size());
        left.add(v.data(), 5);
        right.add(v.data() + 5, v.size() - 5);
        left.merge(right);
        for (const MetricSummary *m : {&s, &left}) {
            const SummaryStats st = m->summary();
            QCOMPARE(st.count, int64_t(12));
            QVERIFY(std::abs(st.mean - 12.0) < 1e-12);
            QVERIFY(std::abs(st.sd - 27.8045123872171) < 1e-9);
            QVERIFY(std::abs(st.q1 - 2.75) < 1e-12);
            QVERIFY(std::abs(st.median - 4.5) < 1e-12);
            QVERIFY(std::abs(st.q3 - 5.25) < 1e-12);
            QCOMPARE(st.min, 1.0);
            QCOMPARE(st.max, 100.0);
            QCOMPARE(st.whiskerHigh, 9.0); // 100 is an outlier (> q3 + 1.5 IQR = 9.0)
            QCOMPARE(st.whiskerLow, 1.0);
        }
        MetricSummary e;
        QVERIFY_THROWS_EXCEPTION(Error, e.summary());
        QVERIFY_THROWS_EXCEPTION(Error, e.add(std::nan("")));
    }
};

QTEST_GUILESS_MAIN(TestAccumulators)
#include "tst_accumulators.moc"
