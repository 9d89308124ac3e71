#include "run/BoxStatistics.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace cprecon::run {

double linearPercentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty()) throw Error("a percentile of no values");
    const double h = (double(sorted.size()) - 1.0) * p / 100.0;
    const size_t lo = size_t(std::floor(h)), hi = std::min(sorted.size() - 1, lo + 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

BoxStatistics boxStatistics(std::vector<double> values)
{
    if (values.empty()) throw Error("a box plot of no values");
    for (double v : values)
        if (!std::isfinite(v)) throw Error("a box plot of non-finite values", "", "the store holds NaN metrics: check the model");
    std::sort(values.begin(), values.end());
    BoxStatistics b;
    b.n = int64_t(values.size());
    b.q1 = linearPercentile(values, 25);
    b.median = linearPercentile(values, 50);
    b.q3 = linearPercentile(values, 75);
    const double iqr = b.q3 - b.q1, lowFence = b.q1 - 1.5 * iqr, highFence = b.q3 + 1.5 * iqr;
    b.whiskerLow = *std::lower_bound(values.begin(), values.end(), lowFence);
    b.whiskerHigh = *(std::upper_bound(values.begin(), values.end(), highFence) - 1);
    double sum = 0;
    for (double v : values) {
        sum += v;
        if (v < lowFence || v > highFence) b.outliers.push_back(v);
    }
    b.mean = sum / double(values.size());
    return b;
}

} // namespace cprecon::run
