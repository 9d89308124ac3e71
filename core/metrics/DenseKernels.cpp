#include "metrics/DenseKernels.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>
#include <vector>

#include "util/HotPath.h"

namespace cprecon::metrics {

namespace {

typedef double v4d __attribute__((vector_size(32), aligned(8)));

constexpr int kBlockK = 256;
constexpr int kBlockM = 64;

#define load4(p) (*reinterpret_cast<const v4d *>(p))
#define hsum(v) (((v)[0] + (v)[1]) + ((v)[2] + (v)[3]))

// C[0..3][0..3] (ldc) += sum over t < len of A_i[t] * B_j[t]; a0..a3, b0..b3 point at the k-slice.
// Plain multiply-add on vectors: GCC contracts to FMA in the AVX2 clone (see fp-contract pragma below).
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
CPRECON_HOT void microKernel4x4(const double *a, int64_t lda, const double *b, int64_t ldb, int len, double *c,
                                int64_t ldc, int mr, int nr)
{
    const double *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda;
    const double *b0 = b, *b1 = b + ldb, *b2 = b + 2 * ldb, *b3 = b + 3 * ldb;
    if (mr < 4 || nr < 4) { // edge block: scalar loops, only the valid part
        for (int j = 0; j < nr; ++j)
            for (int i = 0; i < mr; ++i) {
                const double *ai = a + i * lda, *bj = b + j * ldb;
                double s = 0;
                for (int t = 0; t < len; ++t) s += ai[t] * bj[t];
                c[j * ldc + i] += s;
            }
        return;
    }
    v4d c00 = {0, 0, 0, 0}, c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00,
        c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    int t = 0;
    for (; t + 4 <= len; t += 4) {
        const v4d x0 = load4(a0 + t), x1 = load4(a1 + t), x2 = load4(a2 + t), x3 = load4(a3 + t);
        v4d y = load4(b0 + t);
        c00 += x0 * y; c10 += x1 * y; c20 += x2 * y; c30 += x3 * y;
        y = load4(b1 + t);
        c01 += x0 * y; c11 += x1 * y; c21 += x2 * y; c31 += x3 * y;
        y = load4(b2 + t);
        c02 += x0 * y; c12 += x1 * y; c22 += x2 * y; c32 += x3 * y;
        y = load4(b3 + t);
        c03 += x0 * y; c13 += x1 * y; c23 += x2 * y; c33 += x3 * y;
    }
    double r[4][4] = {{hsum(c00), hsum(c01), hsum(c02), hsum(c03)},
                      {hsum(c10), hsum(c11), hsum(c12), hsum(c13)},
                      {hsum(c20), hsum(c21), hsum(c22), hsum(c23)},
                      {hsum(c30), hsum(c31), hsum(c32), hsum(c33)}};
    for (; t < len; ++t) {
        const double x[4] = {a0[t], a1[t], a2[t], a3[t]}, y[4] = {b0[t], b1[t], b2[t], b3[t]};
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) r[i][j] += x[i] * y[j];
    }
    for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 4; ++i) c[j * ldc + i] += r[i][j];
}
#pragma GCC pop_options

void gemmColumns(int m, int n0, int n1, int k, const double *a, int64_t lda, const double *b, int64_t ldb, double *c,
                 int64_t ldc, GemmShape shape)
{
    // k slices of kBlockK rows; the slice of B (columns n0..n1) and panels of kBlockM columns of A are packed
    // with leading dimension kc, so the micro-kernel's 8 streams do not alias in the L1 sets (lda = 2048 would).
    std::vector<double> packB, packA;
    for (int k0 = 0; k0 < k; k0 += kBlockK) {
        const int k1 = std::min(k, k0 + kBlockK), kc = k1 - k0;
        packB.resize(size_t(n1 - n0) * kc);
        for (int j = n0; j < n1; ++j) std::copy(b + int64_t(j) * ldb + k0, b + int64_t(j) * ldb + k1, packB.begin() + size_t(j - n0) * kc);
        for (int i0 = 0; i0 < m; i0 += kBlockM) {
            const int i1 = std::min(m, i0 + kBlockM);
            packA.resize(size_t(i1 - i0) * kc);
            for (int i = i0; i < i1; ++i) std::copy(a + int64_t(i) * lda + k0, a + int64_t(i) * lda + k1, packA.begin() + size_t(i - i0) * kc);
            for (int j = n0; j < n1; j += 4) {
                const int nr = std::min(4, n1 - j);
                int iBegin = i0;
                if (shape == GemmShape::LowerOnly) iBegin = std::max(i0, j - (j % 4)); // blocks on/below the diagonal
                for (int i = iBegin; i < i1; i += 4) {
                    const int mr = std::min(4, m - i);
                    int kb = k0;
                    if (shape == GemmShape::BothLowerTri) kb = std::max(k0, std::min(i, j)); // zero rows in both
                    if (kb >= k1) continue;
                    microKernel4x4(packA.data() + size_t(i - i0) * kc + (kb - k0), kc,
                                   packB.data() + size_t(j - n0) * kc + (kb - k0), kc, k1 - kb,
                                   c + int64_t(j) * ldc + i, ldc, mr, nr);
                }
            }
        }
    }
}

} // namespace

void gemmTN(int m, int n, int k, const double *a, int64_t lda, const double *b, int64_t ldb, double *c, int64_t ldc,
            GemmShape shape, int threads)
{
    if (m <= 0 || n <= 0 || k <= 0) return;
    threads = std::max(1, std::min(threads, (n + 3) / 4));
    if (threads == 1) return gemmColumns(m, 0, n, k, a, lda, b, ldb, c, ldc, shape);
    // Column ranges of (roughly) equal work; LowerOnly work grows towards the left columns.
    std::vector<int> cut(threads + 1, 0);
    for (int t = 1; t < threads; ++t) {
        double target = double(t) / threads;
        int col = int(target * n);
        if (shape == GemmShape::LowerOnly) { // area of the lower triangle left of col = 1 - (1 - x)^2
            col = int(n * (1.0 - std::sqrt(1.0 - target)));
        }
        cut[t] = std::min(n, (col / 4) * 4);
    }
    cut[threads] = n;
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back([=] { gemmColumns(m, cut[t], cut[t + 1], k, a, lda, b, ldb, c, ldc, shape); });
    gemmColumns(m, cut[0], cut[1], k, a, lda, b, ldb, c, ldc, shape);
    for (auto &th : pool) th.join();
}

} // namespace cprecon::metrics
