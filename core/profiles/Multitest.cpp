#include "profiles/Multitest.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cprecon::profiles {

std::vector<double> benjaminiHochberg(const std::vector<double> &p)
{
    const std::size_t n = p.size();
    for (double v : p)
        if (!(v >= 0.0 && v <= 1.0)) throw Error("Benjamini-Hochberg: p-value outside [0, 1] or NaN");
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    // Order among equal p-values does not change the result (the running minimum makes ties equal).
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> q(n);
    double running = 1.0;
    for (std::size_t i = n; i-- > 0;) {
        const double ecdf = static_cast<double>(i + 1) / static_cast<double>(n); // as statsmodels' _ecdf
        running = std::min(running, p[order[i]] / ecdf);
        q[order[i]] = running;
    }
    return q;
}

} // namespace cprecon::profiles
