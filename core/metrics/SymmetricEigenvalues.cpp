#include "metrics/SymmetricEigenvalues.h"

#include "util/Error.h"

#include <Eigen/Eigenvalues>

#include <cmath>
#include <vector>

#include "util/HotPath.h"

namespace cprecon::metrics {

namespace {

typedef double v4d __attribute__((vector_size(32), aligned(8))); // unaligned loads/stores allowed

// Householder vector of x (length m): H x = beta e1 with H = I - tau v v^T, v[0] = 1 (LAPACK dlarfg).
void householder(const double *x, int m, double *v, double *tau, double *beta)
{
    const double alpha = x[0];
    double sigma = 0;
    for (int i = 1; i < m; ++i) sigma += x[i] * x[i];
    v[0] = 1;
    if (sigma == 0) {
        *tau = 0;
        *beta = alpha;
        for (int i = 1; i < m; ++i) v[i] = 0;
        return;
    }
    const double norm = std::sqrt(alpha * alpha + sigma);
    *beta = alpha <= 0 ? norm : -norm;
    *tau = (*beta - alpha) / *beta;
    const double s = 1.0 / (alpha - *beta);
    for (int i = 1; i < m; ++i) v[i] = x[i] * s;
}

// Column j of the trailing matrix (rows j..n-1, `col` = &A(j, j), len = n - j):
//   A(i, j) -= v_i w_j + w_i v_j, then accumulate y += A_new * vn over this column's lower part (symmetric).
// v, w, vn, y are indexed by absolute row.
CPRECON_HOT void updateColumn(double *__restrict col, int j, int len, const double *__restrict v,
                              const double *__restrict w, const double *__restrict vn, double *__restrict y)
{
    const double vj = v[j], wj = w[j], vnj = vn[j];
    const double diag = col[0] - (v[j] * wj + w[j] * vj);
    col[0] = diag;
    double accScalar = 0;
    const v4d vwj = {wj, wj, wj, wj}, vvj = {vj, vj, vj, vj}, vvnj = {vnj, vnj, vnj, vnj};
    v4d acc = {0, 0, 0, 0};
    int t = 1;
    for (; t + 4 <= len; t += 4) {
        const int i = j + t;
        v4d c = *reinterpret_cast<const v4d *>(col + t);
        const v4d vi = *reinterpret_cast<const v4d *>(v + i), wi = *reinterpret_cast<const v4d *>(w + i);
        c -= vi * vwj + wi * vvj;
        *reinterpret_cast<v4d *>(col + t) = c;
        *reinterpret_cast<v4d *>(y + i) += c * vvnj;
        acc += c * *reinterpret_cast<const v4d *>(vn + i);
    }
    for (; t < len; ++t) {
        const int i = j + t;
        const double c = col[t] - (v[i] * wj + w[i] * vj);
        col[t] = c;
        y[i] += c * vnj;
        accScalar += c * vn[i];
    }
    y[j] += diag * vnj + ((acc[0] + acc[1]) + (acc[2] + acc[3])) + accScalar;
}

} // namespace

Eigen::VectorXd symmetricEigenvalues(Eigen::MatrixXd &a)
{
    const int n = int(a.rows());
    if (a.cols() != n) throw Error("symmetric eigenvalues: matrix is not square");
    if (n == 0) return Eigen::VectorXd();
    if (!a.triangularView<Eigen::Lower>().toDenseMatrix().allFinite())
        throw Error("symmetric eigenvalues: matrix contains NaN or infinite values");
    Eigen::VectorXd diag(n), sub(std::max(0, n - 1));
    double *A = a.data();
    auto at = [&](int i, int j) -> double & { return A[size_t(j) * n + i]; };
    if (n == 1) {
        diag(0) = at(0, 0);
    } else if (n == 2) {
        diag << at(0, 0), at(1, 1);
        sub(0) = at(1, 0);
    } else {
        std::vector<double> v(n, 0.0), vn(n, 0.0), w(n, 0.0), y(n, 0.0), yn(n, 0.0);
        double tau = 0, beta = 0;
        // step 0: reflector of column 0 and the plain product y = A22 v
        householder(&at(1, 0), n - 1, v.data() + 1, &tau, &beta);
        diag(0) = at(0, 0);
        sub(0) = beta;
        for (int j = 1; j < n; ++j) {
            double acc = 0;
            y[j] += at(j, j) * v[j];
            for (int i = j + 1; i < n; ++i) {
                y[i] += at(i, j) * v[j];
                acc += at(i, j) * v[i];
            }
            y[j] += acc;
        }
        for (int k = 0; k + 2 < n; ++k) {
            // w = tau y - (tau^2 / 2)(y.v) v over rows k+1..n-1 (the rank-2 update is A -= v w^T + w v^T)
            double pv = 0;
            for (int i = k + 1; i < n; ++i) {
                y[i] *= tau;
                pv += y[i] * v[i];
            }
            const double half = 0.5 * tau * pv;
            for (int i = k + 1; i < n; ++i) w[i] = y[i] - half * v[i];
            // column k+1 first: the next reflector comes from it
            const int c = k + 1;
            for (int i = c; i < n; ++i) at(i, c) -= v[i] * w[c] + w[i] * v[c];
            diag(c) = at(c, c);
            if (c + 2 >= n) { // last 2x2 block: finish the update without a further reflector
                at(n - 1, n - 1) -= 2 * v[n - 1] * w[n - 1];
                diag(n - 1) = at(n - 1, n - 1);
                sub(n - 2) = at(n - 1, n - 2);
                break;
            }
            double tauNext = 0, betaNext = 0;
            std::fill(vn.begin(), vn.end(), 0.0);
            householder(&at(c + 1, c), n - c - 1, vn.data() + c + 1, &tauNext, &betaNext);
            sub(c) = betaNext;
            // fused pass: update columns c+1..n-1 and accumulate yn = A33_new * vn
            std::fill(yn.begin(), yn.end(), 0.0);
            for (int j = c + 1; j < n; ++j) updateColumn(&at(j, j), j, n - j, v.data(), w.data(), vn.data(), yn.data());
            std::swap(v, vn);
            std::swap(y, yn);
            tau = tauNext;
        }
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    solver.computeFromTridiagonal(diag, sub, Eigen::EigenvaluesOnly);
    if (solver.info() != Eigen::Success)
        throw Error("symmetric eigenvalues: the tridiagonal QL iteration did not converge");
    return solver.eigenvalues();
}

} // namespace cprecon::metrics
