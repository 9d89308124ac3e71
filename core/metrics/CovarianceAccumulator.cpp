#include "metrics/CovarianceAccumulator.h"

#include "metrics/DenseKernels.h"
#include "util/Error.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace cprecon::metrics {

namespace {
// Rows per rank-k update: large enough for the blocked product to run near peak, small enough to stay in cache.
constexpr int64_t kBatchRows = 512;
} // namespace

CovarianceAccumulator::CovarianceAccumulator(int dim) : m_dim(dim)
{
    if (dim <= 0) throw Error("covariance accumulator: feature dimension must be positive (got " + std::to_string(dim) + ")");
    m_mean = Eigen::VectorXd::Zero(dim);
    m_m2 = Eigen::MatrixXd::Zero(dim, dim);
}

template <typename T>
void CovarianceAccumulator::addBatch(const T *rows, int64_t n, int64_t rowOffset)
{
    Eigen::MatrixXd u(m_dim, std::min<int64_t>(n, kBatchRows)); // one sample per column
    Eigen::MatrixXd xt;
    for (int64_t start = 0; start < n; start += kBatchRows) {
        const int64_t nb = std::min<int64_t>(kBatchRows, n - start);
        if (u.cols() != nb) u.resize(m_dim, nb);
        // Row-major n x d features are column-major d x n: copy (and widen) one block.
        const T *src = rows + start * m_dim;
        for (int64_t c = 0; c < nb; ++c) {
            const T *r = src + c * m_dim;
            double *dst = u.col(c).data();
            bool finite = true;
            for (int j = 0; j < m_dim; ++j) {
                dst[j] = double(r[j]);
                finite &= std::isfinite(dst[j]);
            }
            if (!finite)
                throw Error("feature row " + std::to_string(rowOffset + start + c) + " contains NaN or infinite values",
                            "", "drop or repair that sample before computing FID statistics",
                            long(rowOffset + start + c));
        }
        const Eigen::VectorXd meanB = u.rowwise().mean();
        u.colwise() -= meanB;
        // Batch scatter (syrk, lower triangle) straight into M2: samples x features layout for C += X^T X.
        xt = u.transpose();
        gemmTN(m_dim, m_dim, int(nb), xt.data(), xt.rows(), xt.data(), xt.rows(), m_m2.data(), m_m2.rows(),
               GemmShape::LowerOnly);
        if (m_n == 0) {
            m_mean = meanB;
            m_n = nb;
        } else {
            mergeState(nb, meanB, nullptr); // adds the between-means term
        }
    }
}

void CovarianceAccumulator::mergeState(int64_t nb, const Eigen::VectorXd &meanB, const Eigen::MatrixXd *m2bLower)
{
    const int64_t na = m_n;
    const int64_t n = na + nb;
    const Eigen::VectorXd delta = meanB - m_mean;
    if (m2bLower) m_m2.triangularView<Eigen::Lower>() += *m2bLower; // only the lower triangle is touched
    m_m2.selfadjointView<Eigen::Lower>().rankUpdate(delta, double(na) * double(nb) / double(n));
    m_mean += delta * (double(nb) / double(n));
    m_n = n;
}

void CovarianceAccumulator::add(const float *rows, int64_t n, int64_t rowOffset)
{
    if (n > 0) addBatch(rows, n, rowOffset);
}
void CovarianceAccumulator::add(const double *rows, int64_t n, int64_t rowOffset)
{
    if (n > 0) addBatch(rows, n, rowOffset);
}

void CovarianceAccumulator::addParallel(const float *rows, int64_t n, int threads, int64_t rowOffset)
{
    threads = std::max(1, std::min<int>(threads, int((n + kBatchRows - 1) / kBatchRows)));
    if (threads <= 1) return add(rows, n, rowOffset);
    std::vector<CovarianceAccumulator> parts(threads, CovarianceAccumulator(m_dim));
    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> pool;
    const int64_t chunk = (n + threads - 1) / threads;
    for (int t = 0; t < threads; ++t) {
        const int64_t begin = std::min<int64_t>(n, t * chunk), end = std::min<int64_t>(n, begin + chunk);
        pool.emplace_back([&, t, begin, end] {
            try {
                parts[t].add(rows + begin * m_dim, end - begin, rowOffset + begin);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    for (auto &th : pool) th.join();
    for (auto &e : errors)
        if (e) std::rethrow_exception(e);
    for (auto &p : parts) merge(p);
}

void CovarianceAccumulator::merge(const CovarianceAccumulator &other)
{
    if (other.m_dim != m_dim)
        throw Error("cannot merge covariance accumulators of dimension " + std::to_string(m_dim) + " and " +
                    std::to_string(other.m_dim));
    if (other.m_n == 0) return;
    if (m_n == 0) {
        *this = other;
        return;
    }
    mergeState(other.m_n, other.m_mean, &other.m_m2);
}

Eigen::MatrixXd CovarianceAccumulator::scatter() const
{
    Eigen::MatrixXd s = m_m2.selfadjointView<Eigen::Lower>();
    return s;
}

Eigen::MatrixXd CovarianceAccumulator::covariance() const
{
    if (m_n < 2)
        throw Error("covariance needs at least 2 samples (got " + std::to_string(m_n) + ")", "",
                    "provide more feature vectors");
    Eigen::MatrixXd s = m_m2.selfadjointView<Eigen::Lower>();
    s /= double(m_n - 1);
    return s;
}

} // namespace cprecon::metrics
