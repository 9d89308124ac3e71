#pragma once
// Phenotypic activity (copairs 0.4.5-0.5.x `average_precision` + `mean_average_precision` re-implemented):
// AP per replicate against negative controls, mAP per perturbation, permutation p-value, Benjamini-Hochberg,
// fraction retrieved (share of perturbations with corrected p < threshold), optionally per metadata group.
#include "profiles/AveragePrecision.h"
#include "profiles/ProfileTable.h"
#include "profiles/Tvn.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cprecon::profiles {

// "COL==VALUE" (VALUE may be quoted with ' or "; "COL==" matches empty values).
struct ControlQuery {
    std::string column, value;
    static ControlQuery parse(const std::string &text);
    std::string text() const { return column + "==" + value; }
};

struct ActivityOptions {
    std::string perturbationCol;
    ControlQuery control;
    std::vector<std::string> groupBy;       // each distinct combination is an independent dataset
    std::int64_t nullSize = 1000000;
    std::uint64_t seed = 0;
    double threshold = 0.05;
    bool pGreaterEqual = false;             // copairs 0.6 counts null >= mAP; <= 0.5 counts null > mAP
    std::size_t nullMemoryBytes = std::size_t(256) << 20; // null vectors held at once (recomputed beyond that)
    bool tvn = false;                       // TVN post-processing per group before AP
    TvnOptions tvnOptions;
    std::string plateCol = "Metadata_Plate"; // for TVN's per-plate step
};

struct PerturbationActivity {
    std::size_t group = 0;
    std::string perturbation;
    int nReplicates = 0;
    double meanAveragePrecision = 0, pValue = 0, correctedPValue = 0;
    bool belowP = false, belowCorrectedP = false;
};

struct GroupActivity {
    std::vector<std::string> values;  // one per groupBy column
    bool evaluated = false;
    std::string reason;               // why not evaluated
    int nPerturbations = 0, nActive = 0, nBelowP = 0, nControls = 0;
    double fractionRetrieved = 0;
};

struct ActivityResult {
    std::vector<std::string> groupBy;
    std::vector<GroupActivity> groups;
    std::vector<PerturbationActivity> perturbations;
    std::vector<ApRecord> ap;          // rows refer to the input table
    std::vector<std::string> exclusions; // what was left out and why (also printed by the CLI)
    std::vector<std::string> notes;      // TVN notes etc.
    std::size_t nullConfigurations = 0;
    std::string groupLabel(std::size_t g) const; // "Metadata_cell_line=U2OS,Metadata_timepoint=48"
};

ActivityResult phenotypicActivity(const ProfileTable &table, const ActivityOptions &options);

// Per-perturbation CSV with copairs' column names (+ group columns and n_replicates).
void writeActivityCsv(const ActivityResult &result, const std::string &perturbationCol, const std::string &path);
// Per-replicate AP CSV: the table's metadata + n_pos_pairs, n_total_pairs, average_precision.
void writeApCsv(const ActivityResult &result, const ProfileTable &table, const std::string &path);

} // namespace cprecon::profiles
