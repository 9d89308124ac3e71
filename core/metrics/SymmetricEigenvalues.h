#pragma once
// Eigenvalues (only) of a real symmetric matrix, for FID's trace of sqrt(S1 S2) at d = 2048: LAPACK dsyevd
// (Householder tridiagonalisation + root-free QL), backward stable, threaded by OpenBLAS within the compute budget.
#include <Eigen/Core>

namespace cprecon::metrics {

// `a` is square; only its lower triangle is read; it is overwritten. Eigenvalues in ascending order.
// Throws cprecon::Error when the QL iteration does not converge or the input is not finite.
Eigen::VectorXd symmetricEigenvalues(Eigen::MatrixXd &a);

} // namespace cprecon::metrics
