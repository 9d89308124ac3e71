// FID against fixtures/metrics/fid.safetensors (pytorch-fid 0.3.0, scipy sqrtm) incl. the N < d case.
#include "TestSupport.h"
#include "metrics/CovarianceAccumulator.h"
#include "metrics/Fid.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <Eigen/Eigenvalues>

#include <cmath>
#include <limits>
#include <random>

using namespace cprecon;
using namespace cprecon::metrics;

class TestFid : public QObject {
    Q_OBJECT
    std::unique_ptr<SafetensorsFile> file;
    std::vector<double> a, b; // F16 on disk; the reference used exactly these values as float64
    GaussianStats sa, sb;
    static constexpr int kD = 2048;

    bool load()
    {
        if (file) return true;
        const QString path = test::fixture(QStringLiteral("metrics/fid.safetensors"));
        if (path.isEmpty()) return false;
        file = std::make_unique<SafetensorsFile>(path.toStdString());
        a = file->toDouble("A");
        b = file->toDouble("B");
        sa = gaussianStats(a.data(), 2000, kD);
        sb = gaussianStats(b.data(), 1500, kD);
        return true;
    }
    double ref(const char *key) const { return file->toDouble(key).at(0); }

private Q_SLOTS:
    void statisticsMatchNumpy()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("fid fixture not found"));
        const auto muA = file->toDouble("A.mu"), diagB = file->toDouble("B.sigma_diag");
        for (int j = 0; j < kD; ++j) {
            QVERIFY(std::abs(sa.mu(j) - muA[j]) <= 1e-12 * std::max(1.0, std::abs(muA[j])));
            QVERIFY(std::abs(sb.sigma(j, j) - diagB[j]) <= 1e-11 * std::max(1.0, std::abs(diagB[j])));
        }
        QVERIFY(std::abs(sa.sigma.trace() - ref("A.sigma_trace")) <= 1e-10 * ref("A.sigma_trace"));
    }
    void fullRankMatchesPytorchFid()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("fid fixture not found"));
        const FidResult r = frechetDistance(sa, sb);
        const double expected = ref("A_vs_B.fid_pytorch_fid");
        qInfo("A_vs_B: %.10f vs %.10f (rel %.2g)", r.fid, expected, std::abs(r.fid - expected) / expected);
        QVERIFY(std::abs(r.fid - expected) <= 1e-5 * std::abs(expected));
        QVERIFY(!r.epsBranch);
        QVERIFY(r.rank1 <= kD && r.rank2 <= kD);
        // N < 2048 and (B: 1500 <= d) rank deficiency are reported as warnings
        bool warnedN = false, warnedRank = false;
        for (const auto &w : r.warnings) {
            warnedN |= w.find("N = 1500 < 2048") != std::string::npos;
            warnedRank |= w.find("rank deficient") != std::string::npos;
        }
        QVERIFY(warnedN);
        QVERIFY(warnedRank);
    }
    void rankDeficientMatchesPytorchFid()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("fid fixture not found"));
        const int n = 300;
        const FidResult r = fid(a.data(), n, b.data(), n, kD);
        const double expected = ref("A300_vs_B300.fid_pytorch_fid");
        qInfo("A300_vs_B300: %.10f vs %.10f (rel %.2g), ranks %d %d", r.fid, expected,
              std::abs(r.fid - expected) / expected, r.rank1, r.rank2);
        QVERIFY(std::abs(r.fid - expected) <= 1e-5 * std::abs(expected));
        QVERIFY(r.rank1 <= n - 1 && r.rank2 <= n - 1); // centred data of N rows has rank <= N - 1
        QVERIFY(!r.epsBranch);                          // the reference did not take it either (meta.json)
    }
    void selfDistanceIsZero()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("fid fixture not found"));
        const FidResult r = frechetDistance(sa, sa);
        qInfo("A_vs_A: %.3g (reference %.3g)", r.fid, ref("A_vs_A.fid_pytorch_fid"));
        QVERIFY(std::abs(r.fid) <= 1e-3);
    }
    void fullRankCholeskyPathMatchesDirectComputation()
    {
        // N > d: both plain Cholesky factors succeed (the fixture's sets are all N < 2048, so test it here).
        const int d = 261, n = 400; // d >= 256: the two-thread product path; odd d: kernel edge blocks
        std::mt19937 rng(3);
        std::normal_distribution<double> g;
        std::vector<double> x(size_t(n) * d), y(size_t(n) * d);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < d; ++j) {
                x[size_t(i) * d + j] = g(rng) * (1 + 0.05 * j) + (j ? 0.3 * x[size_t(i) * d + j - 1] : 0);
                y[size_t(i) * d + j] = 0.5 + g(rng) * (2 - 0.005 * j);
            }
        const GaussianStats s1 = gaussianStats(x.data(), n, d), s2 = gaussianStats(y.data(), n, d);
        const FidResult r = frechetDistance(s1, s2);
        QCOMPARE(r.rank1, d);
        QCOMPARE(r.rank2, d);
        // direct: tr sqrt(S1^1/2 S2 S1^1/2) from Eigen's eigen-decompositions
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e1(s1.sigma);
        const Eigen::MatrixXd root = e1.eigenvectors() * e1.eigenvalues().cwiseMax(0).cwiseSqrt().asDiagonal() *
                                     e1.eigenvectors().transpose();
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e2(root * s2.sigma * root, Eigen::EigenvaluesOnly);
        const double traceSqrt = e2.eigenvalues().cwiseMax(0).cwiseSqrt().sum();
        const double expected = (s1.mu - s2.mu).squaredNorm() + s1.sigma.trace() + s2.sigma.trace() - 2 * traceSqrt;
        QVERIFY2(std::abs(r.fid - expected) <= 1e-10 * std::abs(expected),
                 qPrintable(QStringLiteral("%1 vs %2").arg(r.fid, 0, 'g', 17).arg(expected, 0, 'g', 17)));
        QVERIFY(std::abs(r.traceSqrt - traceSqrt) <= 1e-10 * traceSqrt);
        // one thread gives the same value, bit for bit (statistics and distance)
        const FidResult single = test::withThreads(1, [&] { return frechetDistance(s1, s2); });
        QCOMPARE(single.fid, r.fid);
    }
    void badInputsGiveNamedErrors()
    {
        std::vector<float> x(3 * 4, 1.0f), y(5 * 3, 2.0f);
        for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5);
        // N < 2
        try {
            fid(x.data(), 1, x.data(), 3, 4);
            QFAIL("N = 1 accepted");
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("at least 2")));
        }
        // dimension mismatch
        const GaussianStats s4 = gaussianStats(x.data(), 3, 4);
        const GaussianStats s3 = gaussianStats(y.data(), 5, 3);
        try {
            frechetDistance(s4, s3);
            QFAIL("dimension mismatch accepted");
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("dimensions differ")));
        }
        // NaN feature: the row is named
        x[2 * 4 + 1] = std::numeric_limits<float>::quiet_NaN();
        try {
            gaussianStats(x.data(), 3, 4);
            QFAIL("NaN accepted");
        } catch (const Error &e) {
            QCOMPARE(e.row(), 2L);
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("row 2")));
        }
        // NaN in precomputed statistics
        GaussianStats bad = s4;
        bad.sigma(0, 0) = std::numeric_limits<double>::infinity();
        QVERIFY_THROWS_EXCEPTION(Error, frechetDistance(bad, s4));
    }
    void smallKnownCase()
    {
        // 1-D Gaussians: FID = (m1 - m2)^2 + (s1 - s2)^2
        std::vector<double> x{0, 2}, y{5, 9}; // var 2 and 8
        const FidResult r = fid(x.data(), 2, y.data(), 2, 1);
        QVERIFY(std::abs(r.fid - ((1.0 - 7.0) * (1.0 - 7.0) + (std::sqrt(2.0) - std::sqrt(8.0)) * (std::sqrt(2.0) - std::sqrt(8.0)))) < 1e-12);
        // constant features (zero covariance) are fine: FID = |mu1 - mu2|^2
        std::vector<double> c1(6, 1.0), c2(6, 3.0);
        const FidResult rc = fid(c1.data(), 3, c2.data(), 3, 2);
        QVERIFY(std::abs(rc.fid - 8.0) < 1e-12);
        QCOMPARE(rc.rank1, 0);
    }
};

QTEST_GUILESS_MAIN(TestFid)
#include "tst_fid.moc"
