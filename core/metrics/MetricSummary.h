#pragma once
// Summary of one metric over a group of tiles (box plots, tables): count, mean, sd (ddof 1), min, max and exact
// quantiles. Quantiles are exact, so the values are kept: tile counts per (metric, group) are modest
// (~1e5-1e6 doubles at most), which is cheaper and simpler than an approximate sketch such as a t-digest.
// Mean and variance are tracked with Welford's update (numerically stable, mergeable).
#include <cstdint>
#include <string>
#include <vector>

namespace cprecon::metrics {

struct SummaryStats {
    int64_t count = 0;
    double mean = 0, sd = 0, min = 0, max = 0;
    double q1 = 0, median = 0, q3 = 0;       // numpy 'linear' quantiles (type 7)
    double whiskerLow = 0, whiskerHigh = 0;  // Tukey whiskers: most extreme values within 1.5 IQR of the box
};

class MetricSummary {
public:
    void add(double value); // throws cprecon::Error for NaN/inf: metrics never silently carry NaN
    void add(const double *values, size_t n);
    void merge(const MetricSummary &other);
    int64_t count() const { return m_n; }
    double mean() const { return m_mean; }
    double variance() const; // ddof 1; 0 for count < 2
    double quantile(double q) const; // q in [0,1], numpy linear interpolation; throws when empty
    SummaryStats summary() const;    // throws when empty
    const std::vector<double> &values() const { return m_values; }

private:
    void sortIfNeeded() const;
    int64_t m_n = 0;
    double m_mean = 0, m_m2 = 0, m_min = 0, m_max = 0;
    mutable std::vector<double> m_values;
    mutable bool m_sorted = true;
};

} // namespace cprecon::metrics
