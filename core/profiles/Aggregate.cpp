#include "profiles/Aggregate.h"

#include "util/Error.h"

#include <algorithm>
#include <numeric>

namespace cprecon::profiles {

Aggregation parseAggregation(const std::string &name)
{
    if (name == "mean") return Aggregation::Mean;
    if (name == "median") return Aggregation::Median;
    throw Error("unknown aggregation '" + name + "'", "", "use mean or median");
}

ProfileTable aggregateWells(const ProfileTable &sites, Aggregation how, const std::string &plateCol, const std::string &wellCol)
{
    const auto &plate = sites.metaColumn(plateCol, "needed to aggregate sites to wells");
    const auto &well = sites.metaColumn(wellCol, "needed to aggregate sites to wells");
    const std::size_t n = sites.rows();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const int c = plate[a].compare(plate[b]);
        return c != 0 ? c < 0 : well[a] < well[b];
    });
    // Group boundaries in sorted order.
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < n; ++i)
        if (i == 0 || plate[order[i]] != plate[order[i - 1]] || well[order[i]] != well[order[i - 1]]) starts.push_back(i);
    starts.push_back(n);
    const std::size_t ng = starts.size() - 1;
    const Eigen::Index d = sites.features.cols();

    ProfileTable out;
    out.source = sites.source;
    out.notes = sites.notes;
    out.featureNames = sites.featureNames;
    out.features.resize(static_cast<Eigen::Index>(ng), d);
    std::vector<double> buf;
    for (std::size_t g = 0; g < ng; ++g) {
        const std::size_t b = starts[g], e = starts[g + 1], m = e - b;
        auto dst = out.features.row(static_cast<Eigen::Index>(g));
        for (Eigen::Index c = 0; c < d; ++c) {
            if (how == Aggregation::Mean) {
                double s = 0.0;
                for (std::size_t i = b; i < e; ++i) s += sites.features(static_cast<Eigen::Index>(order[i]), c);
                dst[c] = s / static_cast<double>(m);
            } else {
                buf.resize(m);
                for (std::size_t i = b; i < e; ++i) buf[i - b] = sites.features(static_cast<Eigen::Index>(order[i]), c);
                const std::size_t h = m / 2;
                std::nth_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(h), buf.end());
                if (m % 2) {
                    dst[c] = buf[h];
                } else {
                    const double hi = buf[h];
                    const double lo = *std::max_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(h));
                    dst[c] = (lo + hi) / 2.0;
                }
            }
        }
    }
    // Keep metadata that is constant within each well.
    std::string dropped;
    for (std::size_t mc = 0; mc < sites.metaNames.size(); ++mc) {
        const auto &col = sites.meta[mc];
        bool constant = true;
        for (std::size_t g = 0; g < ng && constant; ++g)
            for (std::size_t i = starts[g] + 1; i < starts[g + 1]; ++i)
                if (col[order[i]] != col[order[starts[g]]]) { constant = false; break; }
        if (!constant) { dropped += (dropped.empty() ? "" : ", ") + sites.metaNames[mc]; continue; }
        out.metaNames.push_back(sites.metaNames[mc]);
        std::vector<std::string> v(ng);
        for (std::size_t g = 0; g < ng; ++g) v[g] = col[order[starts[g]]];
        out.meta.push_back(std::move(v));
    }
    out.notes.push_back("aggregated " + std::to_string(n) + " rows to " + std::to_string(ng) + " wells by " +
                        (how == Aggregation::Mean ? "mean" : "median") +
                        (dropped.empty() ? std::string() : "; dropped metadata varying within a well: " + dropped));
    return out;
}

} // namespace cprecon::profiles
