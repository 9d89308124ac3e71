#pragma once
// S = Q * C^T for row-major float64 blocks (queries x controls): the hot loop of average precision.
// Uses an AVX2/FMA register-blocked kernel when the CPU has it (runtime check), Eigen otherwise.
#include "profiles/ProfileTable.h"

namespace cprecon::profiles {

void blockDots(const RowMatrix &Q, const RowMatrix &C, RowMatrix &S);
bool blockDotsUsesAvx2();

} // namespace cprecon::profiles
