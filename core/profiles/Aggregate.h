#pragma once
// Site/tile rows -> one profile per well, by mean or median, ordered like pandas groupby(sort=True).
#include "profiles/ProfileTable.h"

#include <string>

namespace cprecon::profiles {

enum class Aggregation { Mean, Median };

Aggregation parseAggregation(const std::string &name); // "mean" | "median", else cprecon::Error

// Groups rows by (plateCol, wellCol), rows sorted by plate then well (byte-wise string order, as pandas).
// Metadata columns constant within every well are kept (first value); varying ones (e.g. Metadata_Site) are
// dropped and listed in notes. Mean = sum / n; median = middle value or mean of the two middle values.
ProfileTable aggregateWells(const ProfileTable &sites, Aggregation how,
                            const std::string &plateCol = "Metadata_Plate", const std::string &wellCol = "Metadata_Well");

} // namespace cprecon::profiles
