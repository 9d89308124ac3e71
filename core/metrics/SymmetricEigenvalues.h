#pragma once
// Eigenvalues (only) of a real symmetric matrix, for FID's trace of sqrt(S1 S2) at d = 2048.
// Householder tridiagonalisation as LAPACK dsytd2, but each step's rank-2 update of the trailing matrix is fused
// with the next step's symmetric matrix-vector product (one pass over the lower triangle per column instead of
// two), in explicit 4-wide vectors with an AVX2 clone; the tridiagonal eigenvalues come from Eigen's implicit
// QL/QR (SelfAdjointEigenSolver::computeFromTridiagonal). Backward stable like Eigen's own path; ~2x faster.
#include <Eigen/Core>

namespace cprecon::metrics {

// `a` is square; only its lower triangle is read; it is overwritten. Eigenvalues in ascending order.
// Throws cprecon::Error when the QL iteration does not converge or the input is not finite.
Eigen::VectorXd symmetricEigenvalues(Eigen::MatrixXd &a);

} // namespace cprecon::metrics
