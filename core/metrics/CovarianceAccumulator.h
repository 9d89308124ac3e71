#pragma once
// Streaming mean + covariance of feature vectors (FID statistics) that never holds all features in memory.
// Each add() call centres its batch on the batch mean, accumulates the batch scatter with a symmetric rank-k
// update (OpenBLAS dsyrk, lower triangle, threaded within the compute budget) and merges it into the running state with Chan et al.'s pairwise formula
//   n = na + nb,  mean += delta * nb / n,  M2 = M2a + M2b + delta delta^T * na * nb / n,
// so accumulators built on different threads or batches merge() exactly like one pass over all rows.
// covariance() = M2 / (n - 1), i.e. np.cov(X, rowvar=False) (ddof 1).
#include <Eigen/Core>

#include <cstdint>

namespace cprecon::metrics {

class CovarianceAccumulator {
public:
    explicit CovarianceAccumulator(int dim);

    // rows: n x dim, row-major (one feature vector per row). Throws cprecon::Error naming the first
    // non-finite row (rowOffset is added to the reported row number, for callers streaming a larger table).
    void add(const float *rows, int64_t n, int64_t rowOffset = 0);
    void add(const double *rows, int64_t n, int64_t rowOffset = 0);
    void merge(const CovarianceAccumulator &other); // throws on dimension mismatch

    int dim() const { return m_dim; }
    int64_t count() const { return m_n; }
    const Eigen::VectorXd &mean() const { return m_mean; }
    Eigen::MatrixXd scatter() const;    // M2 = sum (x - mean)(x - mean)^T, full symmetric
    Eigen::MatrixXd covariance() const; // M2 / (n - 1); throws cprecon::Error when n < 2

private:
    template <typename T>
    void addBatch(const T *rows, int64_t n, int64_t rowOffset);
    void mergeState(int64_t nb, const Eigen::VectorXd &meanB, const Eigen::MatrixXd *m2bLower);

    // The widened, centred batch (d x up to 2048 doubles, 32 MB at d = 2048), kept between add() calls: allocating
    // it per call costs page faults and TLB shootdowns across OpenBLAS's threads. Not part of the state: copies and
    // merges leave it out.
    struct Scratch {
        Eigen::MatrixXd batch;
        Scratch() = default;
        Scratch(const Scratch &) {}
        Scratch &operator=(const Scratch &) { return *this; }
    };

    int m_dim;
    int64_t m_n = 0;
    Eigen::VectorXd m_mean;
    Eigen::MatrixXd m_m2; // lower triangle is authoritative
    Scratch m_scratch;
};

} // namespace cprecon::metrics
