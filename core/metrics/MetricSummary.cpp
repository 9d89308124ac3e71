#include "metrics/MetricSummary.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace cprecon::metrics {

void MetricSummary::add(double v)
{
    if (!std::isfinite(v))
        throw Error("metric summary: value " + std::to_string(m_n) + " is NaN or infinite", "",
                    "exclude the failing tile explicitly before summarising");
    ++m_n;
    const double delta = v - m_mean;
    m_mean += delta / double(m_n);
    m_m2 += delta * (v - m_mean);
    m_min = m_n == 1 ? v : std::min(m_min, v);
    m_max = m_n == 1 ? v : std::max(m_max, v);
    if (m_sorted && !m_values.empty() && v < m_values.back()) m_sorted = false;
    m_values.push_back(v);
}

void MetricSummary::add(const double *values, size_t n)
{
    for (size_t i = 0; i < n; ++i) add(values[i]);
}

void MetricSummary::merge(const MetricSummary &o)
{
    if (o.m_n == 0) return;
    if (m_n == 0) {
        *this = o;
        return;
    }
    const int64_t n = m_n + o.m_n;
    const double delta = o.m_mean - m_mean;
    m_m2 += o.m_m2 + delta * delta * double(m_n) * double(o.m_n) / double(n);
    m_mean += delta * double(o.m_n) / double(n);
    m_n = n;
    m_min = std::min(m_min, o.m_min);
    m_max = std::max(m_max, o.m_max);
    m_values.insert(m_values.end(), o.m_values.begin(), o.m_values.end());
    m_sorted = false;
}

double MetricSummary::variance() const { return m_n < 2 ? 0.0 : m_m2 / double(m_n - 1); }

void MetricSummary::sortIfNeeded() const
{
    if (!m_sorted) {
        std::sort(m_values.begin(), m_values.end());
        m_sorted = true;
    }
}

double MetricSummary::quantile(double q) const
{
    if (m_n == 0) throw Error("metric summary: quantile of an empty group");
    if (!(q >= 0 && q <= 1)) throw Error("metric summary: quantile must be in [0, 1]");
    sortIfNeeded();
    const double pos = q * double(m_n - 1);
    const size_t lo = size_t(std::floor(pos));
    const size_t hi = std::min(lo + 1, size_t(m_n - 1));
    const double frac = pos - double(lo);
    return m_values[lo] + (m_values[hi] - m_values[lo]) * frac;
}

SummaryStats MetricSummary::summary() const
{
    if (m_n == 0) throw Error("metric summary: empty group");
    SummaryStats s;
    s.count = m_n;
    s.mean = m_mean;
    s.sd = std::sqrt(variance());
    s.min = m_min;
    s.max = m_max;
    s.q1 = quantile(0.25);
    s.median = quantile(0.5);
    s.q3 = quantile(0.75);
    const double iqr = s.q3 - s.q1;
    const double lo = s.q1 - 1.5 * iqr, hi = s.q3 + 1.5 * iqr;
    s.whiskerLow = *std::lower_bound(m_values.begin(), m_values.end(), lo);
    s.whiskerHigh = *(std::upper_bound(m_values.begin(), m_values.end(), hi) - 1);
    return s;
}

} // namespace cprecon::metrics
