#pragma once
// Frechet distance between two Gaussians fitted to feature sets (FID), float64 throughout:
//   FID = |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2)
// tr sqrt(S1 S2) is computed without a general matrix square root: with S1 = F1 F1^T and S2 = F2 F2^T
// (Cholesky factors, LAPACK dpotrf; pivoted dpstrf, rank-truncated, when a covariance is singular, e.g. N <= d),
// the eigenvalues of S1 S2 are those of the symmetric PSD matrix B^T B with B = F2^T F1 (dtrmm), so
// tr sqrt(S1 S2) = sum sqrt(max(0, lambda_i)) (Gram by dsyrk, eigenvalues only by dsyevd). All of it runs in
// OpenBLAS / LAPACK, threaded within the process's compute budget.
// This equals pytorch-fid's scipy.linalg.sqrtm route (fixtures/metrics: 1e-7 relative) at a fraction of the cost.
// The reference's fallback is kept: if the result is not finite, eps*I (1e-6) is added to both covariances
// and the computation repeated (FidResult::epsBranch, plus a warning).
#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace cprecon::metrics {

struct GaussianStats {
    Eigen::VectorXd mu;
    Eigen::MatrixXd sigma; // np.cov(ddof=1)
    int64_t n = 0;
};

// From an n x d row-major feature matrix (streams through CovarianceAccumulator).
GaussianStats gaussianStats(const float *rows, int64_t n, int d);
GaussianStats gaussianStats(const double *rows, int64_t n, int d);

struct FidOptions {
    double eps = 1e-6;              // pytorch-fid's offset for the non-finite retry
    int64_t recommendedSamples = 2048; // warn below this many samples per set (covariance rank < d = 2048)
};

struct FidResult {
    double fid = 0;
    double meanTerm = 0;   // |mu1 - mu2|^2
    double trace1 = 0;     // tr S1
    double trace2 = 0;     // tr S2
    double traceSqrt = 0;  // tr sqrt(S1 S2)
    int rank1 = 0, rank2 = 0;  // numerical rank of the factor used (d when the plain Cholesky succeeded)
    bool epsBranch = false;    // eps*I retry taken (as pytorch-fid when sqrtm is not finite)
    double minEigenvalue = 0;  // smallest eigenvalue of B^T B (tiny negatives are rounding; clamped to 0)
    double maxEigenvalue = 0;
    std::vector<std::string> warnings; // N < recommended, rank deficient, eps branch, negative eigenvalues
};

// Throws cprecon::Error for n < 2, dimension mismatch, non-square / non-finite statistics.
FidResult frechetDistance(const GaussianStats &a, const GaussianStats &b, const FidOptions &options = {});

// Convenience: statistics + distance from two feature matrices (n x d, row-major).
FidResult fid(const float *a, int64_t na, const float *b, int64_t nb, int d, const FidOptions &options = {});
FidResult fid(const double *a, int64_t na, const double *b, int64_t nb, int d, const FidOptions &options = {});

// Timing breakdown of the last frechetDistance() on this thread (seconds): factorisation, products, eigenvalues.
struct FidTiming {
    double factor = 0, product = 0, eigen = 0;
};
FidTiming lastFidTiming();

} // namespace cprecon::metrics
