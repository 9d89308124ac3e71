#include "metrics/CovarianceAccumulator.h"

#include "jobs/ParallelFor.h"
#include "metrics/Lapack.h"
#include "util/Error.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace cprecon::metrics {

namespace {
// Rows per rank-k update: large enough for OpenBLAS's dsyrk to run near peak on every core of the budget.
constexpr int64_t kBatchRows = 2048;
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
    Eigen::MatrixXd &buffer = m_scratch.batch; // one sample per column
    if (buffer.rows() != m_dim || buffer.cols() < std::min<int64_t>(n, kBatchRows))
        buffer.resize(m_dim, std::min<int64_t>(n, kBatchRows));
    for (int64_t start = 0; start < n; start += kBatchRows) {
        const int64_t nb = std::min<int64_t>(kBatchRows, n - start);
        auto u = buffer.leftCols(nb);
        // Row-major n x d features are column-major d x n: widen the block and sum it for the batch mean, in fixed
        // chunks of samples on the CPU pool (partial sums added in chunk order: the same bits for any thread count),
        // then centre it. dsyrk dominates; these two passes are what runs around it.
        const T *src = rows + start * m_dim;
        constexpr int64_t kChunk = 128;
        const int64_t chunks = (nb + kChunk - 1) / kChunk;
        std::vector<Eigen::VectorXd> partial(size_t(chunks), Eigen::VectorXd::Zero(m_dim));
        parallelFor(size_t(chunks), [&](size_t c) {
            for (int64_t s = int64_t(c) * kChunk, e = std::min(nb, s + kChunk); s < e; ++s) {
                auto col = u.col(s);
                col = Eigen::Map<const Eigen::Matrix<T, -1, 1>>(src + s * m_dim, m_dim).template cast<double>();
                partial[c] += col;
            }
        });
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(m_dim);
        for (const auto &p : partial) sum += p;
        if (!sum.allFinite()) { // NaN or inf somewhere in the block: name the first row
            for (int64_t c = 0; c < nb; ++c)
                if (!u.col(c).allFinite())
                    throw Error("feature row " + std::to_string(rowOffset + start + c) + " contains NaN or infinite values",
                                "", "drop or repair that sample before computing FID statistics",
                                long(rowOffset + start + c));
            throw Error("feature rows " + std::to_string(rowOffset + start) + ".." + std::to_string(rowOffset + start + nb - 1) +
                            " overflow double precision", "", "check the features' scale");
        }
        const Eigen::VectorXd meanB = sum / double(nb);
        parallelFor(size_t(chunks), [&](size_t c) {
            const int64_t s = int64_t(c) * kChunk, e = std::min(nb, s + kChunk);
            u.middleCols(s, e - s).colwise() -= meanB;
        });
        // Batch scatter U U^T (dsyrk, lower triangle) straight into M2, then the between-means term.
        lapack::syrkLowerAAt(u.data(), m_dim, int(nb), int(buffer.rows()), m_m2.data(), int(m_m2.rows()));
        if (m_n == 0) {
            m_mean = meanB;
            m_n = nb;
        } else {
            mergeState(nb, meanB, nullptr);
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
