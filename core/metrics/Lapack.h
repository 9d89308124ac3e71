#pragma once
// The few BLAS / LAPACK routines FID needs, on column-major double matrices (Eigen's default layout). They are
// Debian's libblas.so.3 / liblapack.so.3 — OpenBLAS once libopenblas0-pthread is installed (scripts/setup-deps.sh),
// multithreaded within the process's compute budget (jobs/ComputeBudget.h). Errors become cprecon::Error.
#include <Eigen/Core>

#include <vector>

namespace cprecon::metrics::lapack {

// C (lower triangle) += alpha * A A^T (A: n x k) — dsyrk("L", "N").
void syrkLowerAAt(const double *a, int n, int k, int lda, double *c, int ldc, double alpha = 1.0, double beta = 1.0);
// Lower triangle of the Gram matrix A^T A (A: k x n) — dsyrk("L", "T"); the upper triangle is left zero.
Eigen::MatrixXd gramLower(const Eigen::MatrixXd &a);
// C = A^T B — dgemm("T", "N").
Eigen::MatrixXd productTN(const Eigen::MatrixXd &a, const Eigen::MatrixXd &b);
// B = L2^T L1 for lower-triangular L1, L2 (n x n) — dtrmm, a third of the work of a full product.
Eigen::MatrixXd lowerTransposeTimesLower(const Eigen::MatrixXd &l2, const Eigen::MatrixXd &l1);
// Cholesky S = L L^T (dpotrf). Returns false (L undefined) when S is not positive definite to working precision.
bool cholesky(const Eigen::MatrixXd &s, Eigen::MatrixXd &l);
// Diagonal-pivoted Cholesky truncated at the numerical rank (dpstrf, tol = n * eps * max diag as LAPACK's
// default): S ≈ F F^T with F = P L[:, :rank], n x rank, in S's original row order.
Eigen::MatrixXd pivotedCholesky(const Eigen::MatrixXd &s, int *rank);
// Eigenvalues only, ascending, of a symmetric matrix whose lower triangle is given; `a` is overwritten (dsyevd "N").
Eigen::VectorXd symmetricEigenvaluesLower(Eigen::MatrixXd &a);

} // namespace cprecon::metrics::lapack
