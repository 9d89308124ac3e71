// The fused tridiagonalisation eigenvalue path used by FID against Eigen's SelfAdjointEigenSolver.
#include "TestSupport.h"
#include "metrics/SymmetricEigenvalues.h"
#include "util/Error.h"

#include <Eigen/Eigenvalues>

#include <limits>

using namespace cprecon;
using namespace cprecon::metrics;

class TestEigenvalues : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesEigenOnVariousShapes()
    {
        std::srand(7);
        for (int n : {1, 2, 3, 4, 5, 8, 9, 64, 129, 400}) {
            for (int kind = 0; kind < 3; ++kind) {
                Eigen::MatrixXd s;
                if (kind == 0) { // PSD, full rank
                    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(n + 3, n);
                    s = x.transpose() * x;
                } else if (kind == 1) { // indefinite
                    s = Eigen::MatrixXd::Random(n, n);
                    s = (s + s.transpose()).eval();
                } else { // PSD, rank deficient (rank ~ n/3)
                    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(std::max(1, n / 3), n);
                    s = x.transpose() * x;
                }
                Eigen::MatrixXd work = s;
                work.triangularView<Eigen::StrictlyUpper>().setConstant(12345.0); // upper triangle must be ignored
                const Eigen::VectorXd ours = symmetricEigenvalues(work);
                const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ref(s, Eigen::EigenvaluesOnly);
                const double scale = std::max(1.0, ref.eigenvalues().cwiseAbs().maxCoeff());
                const double err = (ours - ref.eigenvalues()).cwiseAbs().maxCoeff() / scale;
                QVERIFY2(err < 1e-13 * std::max(1, n), qPrintable(QStringLiteral("n=%1 kind=%2 err=%3").arg(n).arg(kind).arg(err)));
            }
        }
    }
    void zeroAndDiagonalMatrices()
    {
        Eigen::MatrixXd z = Eigen::MatrixXd::Zero(6, 6);
        QCOMPARE(symmetricEigenvalues(z).cwiseAbs().maxCoeff(), 0.0);
        Eigen::MatrixXd d = Eigen::VectorXd::LinSpaced(5, 5.0, 1.0).asDiagonal();
        const Eigen::VectorXd e = symmetricEigenvalues(d);
        for (int i = 0; i < 5; ++i) QCOMPARE(e(i), double(i + 1));
    }
    void rejectsNonFinite()
    {
        Eigen::MatrixXd m = Eigen::MatrixXd::Identity(4, 4);
        m(3, 1) = std::numeric_limits<double>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(Error, symmetricEigenvalues(m));
        Eigen::MatrixXd r(2, 3);
        QVERIFY_THROWS_EXCEPTION(Error, symmetricEigenvalues(r));
    }
};

QTEST_GUILESS_MAIN(TestEigenvalues)
#include "tst_eigenvalues.moc"
