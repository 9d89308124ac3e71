#pragma once
// Box-plot statistics of one group of values (the paper's Fig. 2 and 4: MAE, EMD, SSIM per dataset and stain):
// quartiles by linear interpolation between order statistics (numpy.percentile's default, "linear"), whiskers at
// the most extreme data within 1.5 IQR of the box (Tukey; matplotlib's boxplot), the rest outliers.
#include <cstdint>
#include <vector>

namespace cprecon::run {

struct BoxStatistics {
    int64_t n = 0;
    double q1 = 0, median = 0, q3 = 0;
    double whiskerLow = 0, whiskerHigh = 0;
    double mean = 0;
    std::vector<double> outliers; // ascending
};

// Throws cprecon::Error on an empty group or a non-finite value.
BoxStatistics boxStatistics(std::vector<double> values);

// numpy.percentile(values, p) with linear interpolation, values sorted ascending, p in [0, 100].
double linearPercentile(const std::vector<double> &sorted, double p);

} // namespace cprecon::run
