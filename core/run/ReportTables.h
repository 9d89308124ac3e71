#pragma once
// The report's tables as text — box_<metric>.csv, fr_table.csv / .md — written by `cprecon-cli report` and by every
// figure export (the GUI's and the CLI's), so a figure's CSV is byte for byte the rows it draws.
#include "run/ResultsStore.h"
#include "run/RunAnalysis.h"
#include "util/Protocol.h"

#include <map>
#include <string>
#include <vector>

namespace cprecon::run {

// "%.17g" (round-trips a double); "nan" for NaN.
std::string reportNumber(double v);
// "Metadata_CellLine=A549, Metadata_TimepointHours=24" -> "A549, 24" (an empty value: "—")
std::string shortDatasetLabel(const std::string &label);
// What a box of `metric` shows: "MAE", "EMD", "SSIM" or, under the paper protocol, "1 - SSIM (paper's 'SSIM')".
std::string boxQuantity(const std::string &metric, Protocol protocol);

// box_<metric>.csv: quantity, model, repeat, Metadata_dataset, the group_by columns, stain, n, q1, median, q3,
// whisker_low, whisker_high, mean, n_outliers — the rows of `tables.boxes` of that metric (repeat < 0: every repeat).
std::string boxCsv(const RunTables &tables, const std::map<SiteLocation, SiteInfo> &infos, const std::string &metric,
                   Protocol protocol, int repeat = -1);

// The FR table (the paper's Tables 1-2): rows extractor x data x aggregation in the analysis' order, columns the
// Cell Painting datasets; each cell the mean and σ (ddof 1) over the evaluated repeats, the best mean per column marked.
struct FrCell {
    std::vector<double> values; // one per evaluated repeat
    double mean = 0, sd = 0;
    bool best = false;
    std::string reason;         // why not evaluated
    bool evaluated() const { return !values.empty(); }
};
struct FrTableRow {
    std::string extractor, data, aggregation;
    std::vector<FrCell> cells; // one per FrTable::datasets
};
struct FrTable {
    std::vector<std::string> datasets;
    std::vector<FrTableRow> rows;
    int repeats = 1;
};
FrTable frTable(const RunTables &tables);
std::string frTableCsv(const FrTable &t);
std::string frTableMarkdown(const FrTable &t, Protocol protocol);

} // namespace cprecon::run
