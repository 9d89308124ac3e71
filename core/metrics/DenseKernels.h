#pragma once
// C += A^T B for column-major double matrices: the one dense kernel behind the FID statistics (syrk on centred
// feature batches) and the FID products (F2^T F1, B^T B). Register-blocked 4x4 dot-product micro-kernel in 4-wide
// vectors with fused multiply-add, cache-blocked over k, AVX2/FMA clone chosen at run time (portable otherwise).
// Eigen's own products are compiled for the baseline x86-64 (SSE2) in this project; this is ~2x faster there.
#include <cstdint>

namespace cprecon::metrics {

enum class GemmShape {
    Full,          // every entry of C
    LowerOnly,     // only entries with row >= column (symmetric results such as A^T A); others untouched
    BothLowerTri,  // A and B are lower triangular (k x m, k x n, zero above the diagonal): skips the zero products
};

// C (m x n, ldc) += A^T (A: k x m, lda) * B (k x n, ldb). threads > 1 splits the columns of C.
void gemmTN(int m, int n, int k, const double *a, int64_t lda, const double *b, int64_t ldb, double *c, int64_t ldc,
            GemmShape shape = GemmShape::Full, int threads = 1);

} // namespace cprecon::metrics
