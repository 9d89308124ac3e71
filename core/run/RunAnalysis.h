#pragma once
// The after-pass of a run (docs/user/run.md#the-tables): everything whole-screen, computed from the store alone, so a
// merged set of shards gives exactly the tables of one unsharded run (every loop runs in site-key order).
//   profiles  site embeddings -> well profiles (mean, median; pandas groupby order)
//   activity  per extractor x source x aggregation x repeat: TVN fitted on each dataset's negative-control wells,
//             copairs phenotypic activity (null seed = run seed + repeat), fraction retrieved per dataset
//   FID       per dataset x triplet x model x repeat x extractor, float64 statistics streamed from the per-tile
//             features (inception, inception-fid, handcrafted), with FID's rank warning
//   KLD, pixel metrics   per dataset x model x repeat summaries (mean, σ, n)
// A dataset without negative controls and the natural-image datasets get no FR, with a note.
#include "profiles/Activity.h"
#include "profiles/Aggregate.h"
#include "profiles/ProfileTable.h"
#include "run/BoxStatistics.h"
#include "run/ResultsStore.h"

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cprecon::run {

// "original" or the model's name: the data a profile / FR row is computed from.
struct SourceRef {
    std::string model; // "" = the originals
    int repeat = 0;    // the repeat whose reconstruction it is (the originals: 0)
    std::string label() const { return model.empty() ? "original" : model; }
};

struct FidRow {
    std::string model;
    int repeat = 0;
    std::string dataset, triplet, extractor;
    double fid = 0;
    int64_t nOriginal = 0, nReconstruction = 0;
    bool rankWarning = false;
    std::vector<std::string> warnings;
};

struct FrRow {
    std::string extractor, data, aggregation, dataset; // data: "original" or the model
    int repeat = 0;
    bool evaluated = false;
    std::string reason;
    int nPerturbations = 0, nActive = 0;
    double fr = 0;
};

struct ActivityTable {
    std::string extractor, data, aggregation;
    int repeat = 0;
    profiles::ActivityResult result;
};

struct SummaryRow {
    std::string model;
    int repeat = 0;
    std::string dataset, key; // key: the triplet (KLD) or the stain (pixel metrics)
    std::string metric;       // kld | mae | ssim | emd
    int64_t n = 0;
    double mean = 0, sd = 0;  // sd with ddof 1 (0 for n < 2)
};

// A box plot of one pixel metric (box_<metric>.csv, the paper's Fig. 2 and 4). Under the paper protocol the SSIM
// box is of 1 - SSIM (MONAI's SSIMLoss, which the paper plotted labelled "SSIM").
struct BoxRow {
    std::string model;
    int repeat = 0;
    std::string dataset, stain, metric; // metric: mae | emd | ssim
    BoxStatistics box;
};

// The mean of one per-tile quantity over a well's tiles (every site), for the plate heatmap.
struct WellMetricRow {
    std::string model;
    int repeat = 0;
    std::string plate, well;
    std::string metric, key; // mae | ssim | emd (key: the stain) or kld (key: the triplet); ssim is SSIM itself
    int64_t n = 0;
    double mean = 0;
};

struct RunTables {
    std::vector<std::string> groupBy;     // the dataset columns
    std::vector<std::string> datasets;    // labels, in order
    std::vector<FidRow> fid;
    std::vector<FrRow> fr;
    std::vector<ActivityTable> activity;
    std::vector<SummaryRow> summaries;
    std::vector<BoxRow> boxes;            // in (model, repeat, dataset, stain, metric) order
    std::vector<WellMetricRow> wells;     // in (model, repeat, plate, well, metric, key) order
    std::map<std::string, SiteLocation> datasetSite; // one site of each dataset (its dataset columns)
    std::vector<std::string> notes;
    int repeats = 1;
};

// A dataset's label from its group_by values: "Metadata_CellLine=U2OS, Metadata_TimepointHours=48" ("all wells"
// without group_by columns) — the FR rows', the activity groups' and the site infos' common key.
std::string datasetLabel(const std::vector<std::string> &groupBy, const std::vector<std::string> &values);

// The stored repeat standing for repeat r of a model: r when stored, else 0 (a deterministic model).
int storedRepeat(const ResultsStore &store, const std::string &model, int r);

// Site profiles of one source and extractor: Metadata_Plate, Metadata_Well, Metadata_Site, Metadata_dataset and
// the site_info columns, then the features (handcrafted: their names; networks: <extractor>_<i>). Cell Painting
// sites and photos have different channels, hence different features: one table for each.
profiles::ProfileTable siteProfiles(const ResultsStore &store, const std::map<SiteLocation, SiteInfo> &infos,
                                    const SourceRef &source, const std::string &extractor, bool natural);

// Everything above. progress (may be empty) gets a short stage text; cancel is checked between tables.
RunTables analyseRun(const ResultsStore &store, const std::function<void(const std::string &)> &progress = {},
                     const std::atomic<bool> *cancel = nullptr);

} // namespace cprecon::run
