#pragma once
// What the inspector exports, shared by the GUI and `cprecon-cli reconstruct` so both write the same files:
// the metrics table (CSV), the per-stain images, and the figure (original | reconstruction | difference per stain,
// with a caption block naming screen, plate, well, site, model, protocol and the metrics).
#include "recon/SiteReconstruction.h"
#include "render/ImageRendering.h"

#include <QSizeF>
#include <QString>
#include <QVector>

class QPainter;

namespace cprecon {

struct FigureCaption {
    QString screen, plate, well;
    int site = 0;
};

struct InspectorFigureOptions {
    bool stainsAsRows = true;
    bool absoluteDifference = false;  // |difference| (viridis) instead of signed (RdBu)
    double differenceRange = 0;       // symmetric range in uint8 units; <= 0 = auto (see autoDifferenceRange)
    double saturation = 0.35;         // auto contrast of original/reconstruction when `limits` is empty
    QVector<ContrastLimits> limits;   // per stain (same order as the reconstruction's stains), shared orig/recon
    bool compositeRow = true;
    FigureCaption caption;
};

// reconstruction − original, CV_16SC1, in uint8 units.
cv::Mat signedDifference(const StainReconstruction &s);
// A symmetric range for difference maps shared by all stains: the 99.9th percentile of |difference| over all stains
// (at least 1), so one outlier pixel does not wash the maps out.
double autoDifferenceRange(const SiteReconstruction &r);
// Contrast limits per stain from the originals (applied to original and reconstruction alike).
QVector<ContrastLimits> autoStainLimits(const SiteReconstruction &r, double saturation, bool linked);

// One row per stain and tile, per stain (crop mean) and per triplet (KLD): columns
// model,protocol,seed,site,level,name,tile_row,tile_col,mae,ssim,one_minus_ssim,emd,kld
// (empty where a column does not apply). Several reconstructions (model comparison) go into one table.
void writeMetricsCsv(const QString &path, const QVector<const SiteReconstruction *> &results);

// <dir>/<Stain>_original.png, <Stain>_reconstruction.png (8-bit), <Stain>_difference.tif (float32, signed,
// uint8 units: never clipped) and <Stain>_difference.png (rendered colour map). Returns the files written.
QStringList writeStainImages(const QString &dir, const SiteReconstruction &r, const InspectorFigureOptions &o);

// The one renderer of the inspector's panels, for the view and the figure alike: images[row][column], rows = the
// main result's stains (+ the composite row when asked), columns = original, reconstruction, difference (+
// reconstruction and difference of `compare`). The difference composite is the mean |difference| over stains.
struct InspectorPanels {
    QStringList columnTitles, rowNames;
    QVector<QVector<QImage>> images;
    QVector<ContrastLimits> limits; // what original and reconstruction were drawn with, per stain
    double differenceRange = 1;     // what the difference maps were drawn with
};
InspectorPanels renderInspectorPanels(const SiteReconstruction &main, const SiteReconstruction *compare,
                                      const InspectorFigureOptions &o);

QSizeF inspectorFigureSize(const SiteReconstruction &main, const SiteReconstruction *compare,
                           const InspectorFigureOptions &o);
void paintInspectorFigure(QPainter &p, const QSizeF &sizePt, const SiteReconstruction &main,
                          const SiteReconstruction *compare, const InspectorFigureOptions &o);

} // namespace cprecon
