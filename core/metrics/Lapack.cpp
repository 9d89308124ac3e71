#include "metrics/Lapack.h"

#include "util/Error.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

// Fortran symbols (gfortran ABI: every CHARACTER argument has a hidden length after the regular arguments).
extern "C" {
void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha, const double *a,
            const int *lda, const double *beta, double *c, const int *ldc, size_t, size_t);
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
            const int *ldc, size_t, size_t);
void dtrmm_(const char *side, const char *uplo, const char *transa, const char *diag, const int *m, const int *n,
            const double *alpha, const double *a, const int *lda, double *b, const int *ldb, size_t, size_t, size_t,
            size_t);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t);
void dpstrf_(const char *uplo, const int *n, double *a, const int *lda, int *piv, int *rank, const double *tol,
             double *work, int *info, size_t);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
             const int *lwork, int *iwork, const int *liwork, int *info, size_t, size_t);
}

namespace cprecon::metrics::lapack {

namespace {
int checkedInt(Eigen::Index v)
{
    if (v > std::numeric_limits<int>::max()) throw Error("matrix too large for LAPACK (dimension " + std::to_string(v) + ")");
    return int(v);
}
} // namespace

void syrkLowerAAt(const double *a, int n, int k, int lda, double *c, int ldc, double alpha, double beta)
{
    if (n <= 0 || k <= 0) return;
    dsyrk_("L", "N", &n, &k, &alpha, a, &lda, &beta, c, &ldc, 1, 1);
}

Eigen::MatrixXd gramLower(const Eigen::MatrixXd &a)
{
    const int k = checkedInt(a.rows()), n = checkedInt(a.cols());
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(n, n);
    if (n == 0 || k == 0) return g;
    const double one = 1.0, zero = 0.0;
    dsyrk_("L", "T", &n, &k, &one, a.data(), &k, &zero, g.data(), &n, 1, 1);
    return g;
}

Eigen::MatrixXd productTN(const Eigen::MatrixXd &a, const Eigen::MatrixXd &b)
{
    if (a.rows() != b.rows()) throw Error("productTN: inner dimensions differ");
    const int k = checkedInt(a.rows()), m = checkedInt(a.cols()), n = checkedInt(b.cols());
    Eigen::MatrixXd c = Eigen::MatrixXd::Zero(m, n);
    if (m == 0 || n == 0 || k == 0) return c;
    const double one = 1.0, zero = 0.0;
    dgemm_("T", "N", &m, &n, &k, &one, a.data(), &k, b.data(), &k, &zero, c.data(), &m, 1, 1);
    return c;
}

Eigen::MatrixXd lowerTransposeTimesLower(const Eigen::MatrixXd &l2, const Eigen::MatrixXd &l1)
{
    const int n = checkedInt(l1.rows());
    Eigen::MatrixXd b = l1.triangularView<Eigen::Lower>(); // zero above the diagonal
    if (n == 0) return b;
    const double one = 1.0;
    dtrmm_("L", "L", "T", "N", &n, &n, &one, l2.data(), &n, b.data(), &n, 1, 1, 1, 1);
    return b;
}

bool cholesky(const Eigen::MatrixXd &s, Eigen::MatrixXd &l)
{
    const int n = checkedInt(s.rows());
    l = s;
    int info = 0;
    if (n > 0) dpotrf_("L", &n, l.data(), &n, &info, 1);
    if (info < 0) throw Error("dpotrf: invalid argument " + std::to_string(-info));
    if (info > 0) return false;
    l.triangularView<Eigen::StrictlyUpper>().setZero();
    return true;
}

Eigen::MatrixXd pivotedCholesky(const Eigen::MatrixXd &s, int *rank)
{
    const int n = checkedInt(s.rows());
    Eigen::MatrixXd a = s;
    std::vector<int> piv(size_t(std::max(1, n)));
    std::vector<double> work(size_t(std::max(1, 2 * n)));
    const double tol = -1.0; // LAPACK's default: n * eps * max(diag)
    int r = 0, info = 0;
    if (n > 0) dpstrf_("L", &n, a.data(), &n, piv.data(), &r, &tol, work.data(), &info, 1);
    if (info < 0) throw Error("dpstrf: invalid argument " + std::to_string(-info));
    // info = 1: rank deficient, a[:, :r] holds the factor of the leading r pivots (what we want).
    *rank = r;
    Eigen::MatrixXd f = Eigen::MatrixXd::Zero(n, r); // S = P L L^T P^T: row i of L belongs to original row piv[i]-1
    for (int j = 0; j < r; ++j)
        for (int i = j; i < n; ++i) f(piv[size_t(i)] - 1, j) = a(i, j);
    return f;
}

Eigen::VectorXd symmetricEigenvaluesLower(Eigen::MatrixXd &a)
{
    const int n = checkedInt(a.rows());
    if (a.cols() != a.rows()) throw Error("symmetric eigenvalues: matrix is not square");
    Eigen::VectorXd w(n);
    if (n == 0) return w;
    int info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
    double workQuery = 0;
    dsyevd_("N", "L", &n, a.data(), &n, w.data(), &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1);
    lwork = std::max(1, int(workQuery));
    liwork = std::max(1, iworkQuery);
    std::vector<double> work(static_cast<size_t>(lwork));
    std::vector<int> iwork(static_cast<size_t>(liwork));
    dsyevd_("N", "L", &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
    if (info < 0) throw Error("dsyevd: invalid argument " + std::to_string(-info));
    if (info > 0) throw Error("symmetric eigenvalues: the tridiagonal QL iteration did not converge");
    return w;
}

} // namespace cprecon::metrics::lapack
