#pragma once
// What a run config means for the screens it names, checked before any work (docs/user/run.md#before-a-run):
// the sites in the subset, the datasets they form (the group_by columns), each dataset's tiles and negative
// controls, and the weights every model and extractor needs. Errors stop the run (an unknown plate or well, a
// group_by column no well has, missing weights); warnings do not (a dataset without negative controls gets no FR;
// fewer than 2048 tiles makes FID's covariance rank deficient).
#include "run/RunConfig.h"
#include "screen/Screen.h"

#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace cprecon::run {

struct Dataset {
    QStringList values;   // the group_by values, in group_by order
    QString label;        // "Metadata_CellLine=U2OS, Metadata_TimepointHours=48"; "natural: <folder>" for photos
    bool natural = false; // a folder of RGB photos: resized to one 256² RGB tile, one triplet, no FR
    int sites = 0, tiles = 0;
    int negativeControlWells = 0;
};

// One site of the run, in run order (plate, well, site; natural datasets after the screens' plates).
struct PlannedSite {
    const Plate *plate = nullptr;
    const Well *well = nullptr;
    const Site *site = nullptr;
    int dataset = 0; // index into RunPlan::datasets
};

// --shard I/N: part I (0-based) of N disjoint parts; every N-th site of the run order, so each part gets a fair
// share of every plate and the parts do not depend on which machine runs them.
struct Shard {
    int index = 0, count = 1;
    static Shard parse(const QString &text); // "I/N" with 0 <= I < N, else cprecon::Error
    bool contains(size_t siteIndex) const { return int(siteIndex % size_t(count)) == index; }
};

struct RunPlan {
    QStringList groupBy;           // the group_by columns this screen has (absent ones are dropped, with a note)
    std::vector<Dataset> datasets; // in label order
    std::vector<PlannedSite> work; // every site of the subset
    int sites = 0, tilesPerSite = 0;
    std::vector<std::string> warnings, notes;
};

// The value of a dataset column for a well: Metadata_CellLine, Metadata_TimepointHours (or _Timepoint),
// Metadata_Plate, Metadata_Well, or any other metadata column; empty when the well has none.
QString datasetValue(const Plate &plate, const Well &well, const QString &column);

// Throws cprecon::Error naming what is wrong and how to fix it.
RunPlan planRun(const RunConfig &config, const std::vector<const Screen *> &screens);

} // namespace cprecon::run
