#pragma once
// A run as the results views and the figure exporter see it: its config, the analysis of what the store holds so far
// (a run in progress gives partial tables), the site metadata, the FR table and how complete the run is. Loaded
// from the run folder alone (config.json + results.sqlite), read-only, so it can be reloaded while the run writes.
#include "run/ReportTables.h"
#include "run/ResultsStore.h"
#include "run/RunAnalysis.h"

#include <QMetaType>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cprecon::run {

struct RunResults {
    QString folder;
    RunConfig config;
    RunTables tables;
    FrTable fr;
    std::map<SiteLocation, SiteInfo> infos;
    int storedUnits = 0;   // (site, source) results in the store
    int plannedSites = 0;  // from the run's plan (0: unknown)
    std::string configHash;
    QString name() const;  // the folder's name
};

// Throws cprecon::Error naming the folder (not a run, unreadable store); cprecon::Canceled when *cancel is raised.
std::shared_ptr<const RunResults> loadRunResults(const QString &folder, const std::function<void(const std::string &)> &progress = {},
                                                 const std::atomic<bool> *cancel = nullptr);

// One tile of one stain, ranked by a pixel metric (the worst-tiles gallery).
struct RankedTile {
    SiteKey key;
    int tileRow = 0, tileCol = 0;
    std::string stain;
    double mae = 0, ssim = 0, emd = 0;
    double value = 0; // of the ranking metric
};

// The `count` worst tiles of one source (model, repeat) by `metric` (mae | emd: largest first; ssim: smallest
// first), of one stain or every stain (stain ""), in one streaming pass over the store (memory: `count` tiles).
// Ties are broken by site key, then tile position, so the order is reproducible.
std::vector<RankedTile> worstTiles(const ResultsStore &store, const std::string &model, int repeat, const std::string &metric,
                                   const std::string &stain, int count);

} // namespace cprecon::run

Q_DECLARE_METATYPE(cprecon::run::RankedTile) // carried by the results views' signals
