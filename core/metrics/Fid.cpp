#include "metrics/Fid.h"

#include "metrics/CovarianceAccumulator.h"
#include "metrics/Lapack.h"
#include "metrics/SymmetricEigenvalues.h"
#include "util/Error.h"


#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

namespace cprecon::metrics {

namespace {

thread_local FidTiming t_timing;

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

// S = F F^T. Plain Cholesky (LAPACK dpotrf) when it completes: it is then backward stable, whatever the
// conditioning. Otherwise diagonal-pivoted Cholesky (dpstrf, tol = d * eps * max diag) truncated at the numerical
// rank: the discarded Schur complement is rounding noise, exactly zero in exact arithmetic for N <= d.
Eigen::MatrixXd symmetricFactor(const Eigen::MatrixXd &s, int *rank, bool *triangular)
{
    Eigen::MatrixXd l;
    if (lapack::cholesky(s, l)) {
        *rank = int(s.rows());
        *triangular = true;
        return l;
    }
    *triangular = false;
    return lapack::pivotedCholesky(s, rank);
}

void checkStats(const GaussianStats &g, const char *which)
{
    if (g.n < 2)
        throw Error(std::string("FID: set ") + which + " has " + std::to_string(g.n) +
                        " samples; the covariance needs at least 2",
                    "", "provide at least 2 (better >= 2048) feature vectors per set");
    if (g.sigma.rows() != g.sigma.cols() || g.sigma.rows() != g.mu.size())
        throw Error(std::string("FID: set ") + which + " statistics are inconsistent (mean of size " +
                    std::to_string(g.mu.size()) + ", covariance " + std::to_string(g.sigma.rows()) + "x" +
                    std::to_string(g.sigma.cols()) + ")");
    if (!g.mu.allFinite() || !g.sigma.allFinite())
        throw Error(std::string("FID: set ") + which + " statistics contain NaN or infinite values", "",
                    "check the features for NaN/inf");
}

struct TraceSqrt {
    double value = 0, minEig = 0, maxEig = 0;
    int rank1 = 0, rank2 = 0;
};

TraceSqrt traceSqrtProduct(const Eigen::MatrixXd &s1, const Eigen::MatrixXd &s2)
{
    TraceSqrt r;
    auto t0 = std::chrono::steady_clock::now();
    bool tri1 = false, tri2 = false;
    const Eigen::MatrixXd f1 = symmetricFactor(s1, &r.rank1, &tri1);
    const Eigen::MatrixXd f2 = symmetricFactor(s2, &r.rank2, &tri2);
    auto t1 = std::chrono::steady_clock::now();
    // B = F2^T F1 (r2 x r1); eigenvalues of B^T B (or B B^T, whichever is smaller) = eigenvalues of S1 S2.
    const Eigen::MatrixXd b = tri1 && tri2 ? lapack::lowerTransposeTimesLower(f2, f1) : lapack::productTN(f2, f1);
    Eigen::MatrixXd g = b.cols() <= b.rows() ? lapack::gramLower(b) : lapack::gramLower(b.transpose());
    auto t2 = std::chrono::steady_clock::now();
    Eigen::VectorXd lambda;
    try {
        lambda = symmetricEigenvalues(g); // lower triangle of the Gram matrix
    } catch (const Error &) {
        r.value = std::numeric_limits<double>::quiet_NaN(); // handled like a non-finite sqrtm: eps retry
        return r;
    }
    auto t3 = std::chrono::steady_clock::now();
    t_timing = {seconds(t0, t1), seconds(t1, t2), seconds(t2, t3)};
    double sum = 0;
    for (Eigen::Index i = 0; i < lambda.size(); ++i) sum += std::sqrt(std::max(0.0, lambda(i)));
    r.value = sum;
    r.minEig = lambda.size() ? lambda.minCoeff() : 0;
    r.maxEig = lambda.size() ? lambda.maxCoeff() : 0;
    return r;
}

} // namespace

FidTiming lastFidTiming() { return t_timing; }

FidResult frechetDistance(const GaussianStats &a, const GaussianStats &b, const FidOptions &options)
{
    checkStats(a, "1");
    checkStats(b, "2");
    if (a.mu.size() != b.mu.size())
        throw Error("FID: feature dimensions differ (" + std::to_string(a.mu.size()) + " vs " +
                        std::to_string(b.mu.size()) + ")",
                    "", "compute both feature sets with the same extractor");
    const Eigen::Index d = a.mu.size();
    FidResult r;
    r.meanTerm = (a.mu - b.mu).squaredNorm();
    r.trace1 = a.sigma.trace();
    r.trace2 = b.sigma.trace();
    TraceSqrt ts = traceSqrtProduct(a.sigma, b.sigma);
    if (!std::isfinite(ts.value)) {
        // pytorch-fid: "fid calculation produces singular product; adding 1e-06 to diagonal of cov estimates"
        r.epsBranch = true;
        const Eigen::MatrixXd offset = Eigen::MatrixXd::Identity(d, d) * options.eps;
        ts = traceSqrtProduct(a.sigma + offset, b.sigma + offset);
        std::ostringstream w;
        w << "FID product was singular: added " << options.eps << " to the covariance diagonals (as pytorch-fid)";
        r.warnings.push_back(w.str());
        if (!std::isfinite(ts.value))
            throw Error("FID: the trace of sqrt(S1 S2) is not finite even after the eps retry", "",
                        "check the features (constant or degenerate sets)");
    }
    r.traceSqrt = ts.value;
    r.rank1 = ts.rank1;
    r.rank2 = ts.rank2;
    r.minEigenvalue = ts.minEig;
    r.maxEigenvalue = ts.maxEig;
    r.fid = r.meanTerm + r.trace1 + r.trace2 - 2.0 * r.traceSqrt;

    for (int s = 0; s < 2; ++s) {
        const int64_t n = s == 0 ? a.n : b.n;
        if (n < options.recommendedSamples)
            r.warnings.push_back("set " + std::to_string(s + 1) + " has N = " + std::to_string(n) + " < " +
                                 std::to_string(options.recommendedSamples) +
                                 " samples: the covariance estimate is noisy and FID is biased upwards");
        const int rank = s == 0 ? r.rank1 : r.rank2;
        if (rank < d)
            r.warnings.push_back("covariance of set " + std::to_string(s + 1) + " is rank deficient (numerical rank " +
                                 std::to_string(rank) + " < d = " + std::to_string(d) +
                                 (n <= d ? ", since N <= d" : "") + ")");
    }
    if (ts.minEig < -1e-6 * std::max(1.0, ts.maxEig))
        r.warnings.push_back("S1 S2 has a clearly negative eigenvalue (" + std::to_string(ts.minEig) +
                             "): the covariances are not positive semi-definite");
    return r;
}

namespace {
template <typename T> GaussianStats statsOf(const T *rows, int64_t n, int d)
{
    CovarianceAccumulator acc(d);
    acc.add(rows, n);
    if (acc.count() < 2)
        throw Error("FID statistics need at least 2 feature vectors (got " + std::to_string(n) + ")");
    return {acc.mean(), acc.covariance(), acc.count()};
}
} // namespace

GaussianStats gaussianStats(const float *rows, int64_t n, int d) { return statsOf(rows, n, d); }
GaussianStats gaussianStats(const double *rows, int64_t n, int d) { return statsOf(rows, n, d); }

FidResult fid(const float *a, int64_t na, const float *b, int64_t nb, int d, const FidOptions &options)
{
    return frechetDistance(gaussianStats(a, na, d), gaussianStats(b, nb, d), options);
}

FidResult fid(const double *a, int64_t na, const double *b, int64_t nb, int d, const FidOptions &options)
{
    return frechetDistance(gaussianStats(a, na, d), gaussianStats(b, nb, d), options);
}

} // namespace cprecon::metrics
