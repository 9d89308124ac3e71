#include "profiles/SimilarityKernel.h"

#include <immintrin.h>

#include <algorithm>

namespace cprecon::profiles {

namespace {

__attribute__((target("avx2,fma"))) inline double hsum(__m256d v)
{
    const __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    const __m128d s = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

__attribute__((target("avx2,fma"))) double dotAvx(const double *a, const double *b, Eigen::Index d)
{
    __m256d acc = _mm256_setzero_pd();
    Eigen::Index k = 0;
    for (; k + 4 <= d; k += 4) acc = _mm256_fmadd_pd(_mm256_loadu_pd(a + k), _mm256_loadu_pd(b + k), acc);
    double s = hsum(acc);
    for (; k < d; ++k) s += a[k] * b[k];
    return s;
}

// 4 queries x 3 controls per step (12 accumulators), control tiles sized to stay in L2.
__attribute__((target("avx2,fma"))) void blockDotsAvx2(const RowMatrix &Q, const RowMatrix &C, RowMatrix &S)
{
    const Eigen::Index nq = Q.rows(), nc = C.rows(), d = Q.cols(), d4 = d - d % 4;
    const Eigen::Index tile = std::max<Eigen::Index>(3, (96 * 1024 / std::max<Eigen::Index>(1, d * 8)) / 3 * 3);
    for (Eigen::Index j0 = 0; j0 < nc; j0 += tile) {
        const Eigen::Index j1 = std::min(nc, j0 + tile);
        Eigen::Index i = 0;
        for (; i + 4 <= nq; i += 4) {
            const double *q0 = Q.row(i).data(), *q1 = Q.row(i + 1).data(), *q2 = Q.row(i + 2).data(), *q3 = Q.row(i + 3).data();
            Eigen::Index j = j0;
            for (; j + 3 <= j1; j += 3) {
                const double *c0 = C.row(j).data(), *c1 = C.row(j + 1).data(), *c2 = C.row(j + 2).data();
                __m256d a00 = _mm256_setzero_pd(), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
                __m256d a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
                for (Eigen::Index k = 0; k < d4; k += 4) {
                    const __m256d x0 = _mm256_loadu_pd(c0 + k), x1 = _mm256_loadu_pd(c1 + k), x2 = _mm256_loadu_pd(c2 + k);
                    __m256d y = _mm256_loadu_pd(q0 + k);
                    a00 = _mm256_fmadd_pd(y, x0, a00); a01 = _mm256_fmadd_pd(y, x1, a01); a02 = _mm256_fmadd_pd(y, x2, a02);
                    y = _mm256_loadu_pd(q1 + k);
                    a10 = _mm256_fmadd_pd(y, x0, a10); a11 = _mm256_fmadd_pd(y, x1, a11); a12 = _mm256_fmadd_pd(y, x2, a12);
                    y = _mm256_loadu_pd(q2 + k);
                    a20 = _mm256_fmadd_pd(y, x0, a20); a21 = _mm256_fmadd_pd(y, x1, a21); a22 = _mm256_fmadd_pd(y, x2, a22);
                    y = _mm256_loadu_pd(q3 + k);
                    a30 = _mm256_fmadd_pd(y, x0, a30); a31 = _mm256_fmadd_pd(y, x1, a31); a32 = _mm256_fmadd_pd(y, x2, a32);
                }
                double r[4][3] = {{hsum(a00), hsum(a01), hsum(a02)}, {hsum(a10), hsum(a11), hsum(a12)},
                                  {hsum(a20), hsum(a21), hsum(a22)}, {hsum(a30), hsum(a31), hsum(a32)}};
                const double *qs[4] = {q0, q1, q2, q3}, *cs[3] = {c0, c1, c2};
                for (int a = 0; a < 4; ++a)
                    for (int b = 0; b < 3; ++b) {
                        for (Eigen::Index k = d4; k < d; ++k) r[a][b] += qs[a][k] * cs[b][k];
                        S(i + a, j + b) = r[a][b];
                    }
            }
            for (; j < j1; ++j)
                for (int a = 0; a < 4; ++a) S(i + a, j) = dotAvx(Q.row(i + a).data(), C.row(j).data(), d);
        }
        for (; i < nq; ++i)
            for (Eigen::Index j = j0; j < j1; ++j) S(i, j) = dotAvx(Q.row(i).data(), C.row(j).data(), d);
    }
}

bool detectAvx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

} // namespace

bool blockDotsUsesAvx2()
{
    static const bool has = detectAvx2();
    return has;
}

void blockDots(const RowMatrix &Q, const RowMatrix &C, RowMatrix &S)
{
    S.resize(Q.rows(), C.rows());
    if (blockDotsUsesAvx2()) blockDotsAvx2(Q, C, S);
    else S.noalias() = Q * C.transpose();
}

} // namespace cprecon::profiles
