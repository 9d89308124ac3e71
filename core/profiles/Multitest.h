#pragma once
// Benjamini–Hochberg FDR correction, exactly as statsmodels multipletests(method="fdr_bh").
#include <vector>

namespace cprecon::profiles {

// Step-up: q_(i) = min_{j >= i} p_(j) / (j / n), clipped at 1; returned in input order.
std::vector<double> benjaminiHochberg(const std::vector<double> &pValues);

} // namespace cprecon::profiles
