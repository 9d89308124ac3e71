#pragma once
// The figures of a benchmark run, drawn with QCustomPlot from a RunResults — the same routines for the app's results
// views and for `cprecon-cli report --format png,pdf,svg` (so both give identical figures). Each returns the CSV of
// exactly what it drew. One colour per stain (render/stainColor) across the app; models by fill pattern.
//   box plots     MAE / EMD / SSIM per dataset and stain (the paper's Fig. 2, 4), models side by side
//   FID bars      per dataset x triplet x model, mean ± σ over repeats, rank warnings marked (Fig. 3)
//   KLD bars      mean ± sd over tiles per dataset x triplet (VAE models)
//   activity      mAP vs -log10(corrected p) per perturbation, threshold drawn, original | reconstruction
//   mAP scatter   per perturbation, original vs reconstruction: active in both / lost / gained / neither
//   plate heatmap any per-well quantity (pixel metric per stain or their mean, KLD, Δ mAP), colour bar
#include "run/RunResults.h"

#include <QSizeF>
#include <QString>
#include <QVariantMap>

#include <functional>
#include <string>
#include <vector>

class QCustomPlot;
class QCPAxisRect;

namespace cprecon::plots {

// A point of a figure the GUI shows a tooltip for and reports clicks on (the CLI passes no targets).
struct PlotTarget {
    QCPAxisRect *rect = nullptr;
    double key = 0, value = 0; // plot coordinates
    QString tooltip;
    QVariantMap payload;       // e.g. {plate, well} or {dataset, perturbation}
    double halfKey = 0, halfValue = 0; // > 0: the target is this box around (key, value) (a heatmap cell), else a point
};
using PlotTargets = std::vector<PlotTarget>;

struct DrawnFigure {
    QString title;
    std::string csv;               // the data drawn, with a header row
    QSizeF sizePt{540, 360};       // the export size it is laid out for (points)
    bool empty = false;            // nothing to draw (the reason is drawn in the plot and given here)
    QString emptyReason;
};

// Which activity / scatter: the reconstruction's (extractor, aggregation, model, repeat) against the originals'.
struct ActivityChoice {
    std::string extractor, aggregation, model;
    int repeat = 0;
    QString label() const;
};

// A per-well quantity: metric mae | emd | ssim (key: a stain, "" = the mean over stains), kld (key: a triplet,
// "" = both) or delta_map (mAP of the well's perturbation, reconstruction minus original, for `activity`).
struct HeatmapChoice {
    std::string model;
    int repeat = 0;
    std::string metric = "mae", key;
    std::string plate;
    bool sharedLimits = true; // one colour scale over every plate of the run, else this plate's own
    ActivityChoice activity;  // for delta_map
    QString label() const;
};

DrawnFigure drawBoxPlot(QCustomPlot &plot, const run::RunResults &r, const std::string &metric, PlotTargets *targets = nullptr);
DrawnFigure drawFidBars(QCustomPlot &plot, const run::RunResults &r, const std::string &extractor, PlotTargets *targets = nullptr);
DrawnFigure drawKldBars(QCustomPlot &plot, const run::RunResults &r, PlotTargets *targets = nullptr);
DrawnFigure drawActivity(QCustomPlot &plot, const run::RunResults &r, const ActivityChoice &c, PlotTargets *targets = nullptr);
DrawnFigure drawMapScatter(QCustomPlot &plot, const run::RunResults &r, const ActivityChoice &c, PlotTargets *targets = nullptr);
DrawnFigure drawPlateHeatmap(QCustomPlot &plot, const run::RunResults &r, const HeatmapChoice &c, PlotTargets *targets = nullptr);

// What a run offers to choose from.
std::vector<std::string> fidExtractors(const run::RunResults &r);
std::vector<ActivityChoice> activityChoices(const run::RunResults &r); // reconstructions with an original to compare
std::vector<std::string> runPlates(const run::RunResults &r);
std::vector<std::pair<std::string, int>> runModels(const run::RunResults &r); // (model, repeat) with tile metrics
// The per-well values a heatmap draws, every plate (well key "plate/well"); NaN where a well has none.
std::map<std::string, double> heatmapValues(const run::RunResults &r, const HeatmapChoice &c);

// Every figure of a run, for Export all and `cprecon-cli report --format`: a file stem and how to draw it.
struct FigureEntry {
    QString id; // file stem, e.g. "box_mae", "fid_inception", "heatmap_mae_bicubic8_BR00117010"
    std::function<DrawnFigure(QCustomPlot &)> draw;
};
std::vector<FigureEntry> standardFigures(const run::RunResults &r);

// The well at heatmap coordinates (key = column, value = row, both 1-based) or "" — for clicks.
std::string wellName(int row, int column);

} // namespace cprecon::plots
