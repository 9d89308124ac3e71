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
    QString label;        // "Metadata_CellLine=U2OS, Metadata_TimepointHours=48"
    int sites = 0, tiles = 0;
    int negativeControlWells = 0;
};

struct RunPlan {
    QStringList groupBy;           // the group_by columns this screen has (absent ones are dropped, with a note)
    std::vector<Dataset> datasets; // in label order
    int sites = 0, tilesPerSite = 0;
    std::vector<std::string> warnings, notes;
};

// The value of a dataset column for a well: Metadata_CellLine, Metadata_TimepointHours (or _Timepoint),
// Metadata_Plate, Metadata_Well, or any other metadata column; empty when the well has none.
QString datasetValue(const Plate &plate, const Well &well, const QString &column);

// Throws cprecon::Error naming what is wrong and how to fix it.
RunPlan planRun(const RunConfig &config, const std::vector<const Screen *> &screens);

} // namespace cprecon::run
