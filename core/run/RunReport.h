#pragma once
// `cprecon-cli report RUN --out DIR` (docs/user/run.md#reports): the run's tables as files, the same names the
// GUI's plots read. Every CSV starts with its header row (no comment lines, so pandas and R read them as they are);
// report.json beside them records the protocol, the settings, the run's identity and what each column means.
//   tile_metrics.csv, triplet_metrics.csv, metric_summary.csv, box_{mae,emd,ssim}.csv, fid.csv, fr_table.csv, fr_table.md, fr_repeats.csv,
//   activity_<extractor>_<aggregation>_<data>[_repeat<r>].csv,
//   site_profiles_<extractor>_<data>[_repeat<r>][_natural].csv, well_profiles_<extractor>_<aggregation>_<data>[_repeat<r>].csv
#include "run/ResultsStore.h"
#include "run/RunAnalysis.h"

#include <QString>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace cprecon::run {

struct ReportSummary {
    std::vector<std::string> files; // written, relative to the folder
    std::vector<std::string> notes;
    int unitsMissing = 0;           // (site, source) pairs the run has not computed yet (an unfinished run)
};

// A file-name-safe form of a model name: "jpeg:10" -> "jpeg-10", "sd-vae:/m/sd-vae-ft-mse" -> "sd-vae-sd-vae-ft-mse".
std::string fileSafeName(const std::string &model);

// Throws cprecon::Error naming the file that cannot be written. `tables`: the store's analysis when already done
// (RunResults), else it is computed here.
ReportSummary writeReport(const ResultsStore &store, const QString &outDir, const std::string &appVersion,
                          const std::function<void(const std::string &)> &progress = {}, const std::atomic<bool> *cancel = nullptr,
                          const RunTables *tables = nullptr);

} // namespace cprecon::run
