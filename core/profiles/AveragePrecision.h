#pragma once
// Average precision per query profile, copairs semantics (phenotypic-activity recipe):
// query = a non-control row; positives = the other non-control rows of the same perturbation;
// negatives = control rows whose perturbation differs from the query's. Ranking by cosine similarity in float64
// on the key 1 - sim (as copairs' lexsort), ties broken positives first. AP = mean over positives of
// precision at that positive's rank. Similarities are computed in query blocks x controls (bounded memory),
// positives pair by pair: the full similarity matrix is never formed.
#include "profiles/ProfileTable.h"

#include <cstdint>
#include <vector>

namespace cprecon::profiles {

struct ApRecord {
    std::size_t row = 0;   // row in the matrix given
    int nPos = 0;          // n_pos_pairs
    int nTotal = 0;        // n_total_pairs = positives + negatives
    double ap = 0.0;       // average_precision
};

// X: rows = profiles (any norm > 0); perturbation: id per row (-1 = row not used at all);
// isControl: negative-control rows. replicateGroups: the query rows of every perturbation (each >= 2 rows,
// non-controls, same id); results come per query in the order of replicateGroups.
std::vector<ApRecord> averagePrecision(const RowMatrix &X, const std::vector<int> &perturbation,
                                       const std::vector<unsigned char> &isControl,
                                       const std::vector<std::vector<std::size_t>> &replicateGroups);

} // namespace cprecon::profiles
