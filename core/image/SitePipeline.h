#pragma once
// THE image data path shared by the GUI, the inspector, the `tiles` command and the benchmark:
//
//   Site ──read──> raw (uint16/uint8, as on disk)                                    ImageReader
//        ──illumination (auto: when ChannelImage::illumPath is set)──> raw / illum   IlluminationCorrection
//        ──uint8 conversion (paper: floor(clip(v/256, 0, 255)); or percentile)──>    Uint8Conversion
//        ──centre crop (1024)──> cropped uint8                                       Crop
//        ──tiles on demand (256 → 4x4 grid, row/col from 0)──> tiles, triplets A/B   Tiler, Triplets
//
// Everything is per stain, for the five Cell Painting stains (cellPaintingStains(): DNA, ER, RNA, AGP, Mito),
// looked up by stain name on the Site (never by file order). All stains of a site must have the same size.
// Errors (missing stain, unreadable file, size mismatch, bad illumination function) throw cprecon::Error naming the
// site, the stain and the file. Each step's exact definition is in its own header and in docs/user/pipeline.md.
#include "image/Crop.h"
#include "image/IlluminationCorrection.h"
#include "image/Tiler.h"
#include "image/Triplets.h"
#include "image/Uint8Conversion.h"
#include "screen/Screen.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include <utility>
#include <vector>

namespace cprecon {

enum class IlluminationMode {
    Auto, // divide by the .npy function when the channel has one (ChannelImage::illumPath), else leave raw
    None, // never correct
};
IlluminationMode parseIlluminationMode(const QString &text); // "auto" / "none"
QString illuminationModeName(IlluminationMode mode);

struct PipelineOptions {
    IlluminationMode illumination = IlluminationMode::Auto;
    IllumInvalid invalidIllum = IllumInvalid::Error;      // zero/negative/NaN illumination values
    ConversionOptions conversion;                         // paper (default) or percentile
    int cropSize = 1024;                                  // centre crop; <= 0 = no crop
    SmallImagePolicy smallImage = SmallImagePolicy::Clamp; // images smaller than the crop (e.g. BBBC022 696x520)
    int tileSize = 256;
    PartialTilePolicy partialTiles = PartialTilePolicy::Drop;
    TripletGrouping triplets;                             // paper: A = (Mito, AGP, RNA), B = (RNA, ER, DNA)
    QStringList stains = cellPaintingStains();            // which stains to load, in this order
    bool keepIntermediates = true;                        // false: drop raw/corrected after conversion (saves memory)
};

struct StainImage {
    QString stain;
    QString path;      // image file
    QString illumPath; // illumination function actually applied (empty when none)
    cv::Mat raw;       // CV_16UC1 or CV_8UC1 as read (empty when !keepIntermediates)
    cv::Mat corrected; // CV_64FC1 raw / illum; empty when no correction was applied (or !keepIntermediates)
    cv::Mat u8;        // CV_8UC1 full field of view after conversion
    cv::Mat cropped;   // CV_8UC1 view into u8: the centre crop
    int sourceDepth = CV_16U;      // depth of the file (CV_16U or CV_8U)
    bool illuminated = false;      // correction applied
    long long invalidIllumPixels = 0; // only with IllumInvalid::KeepRaw
};

struct SiteStack {
    QString label;   // "plate/well/site" when known, for messages
    int siteNumber = 1;
    PipelineOptions options;
    std::vector<StainImage> stains; // in options.stains order
    cv::Size imageSize;             // full field of view
    cv::Rect cropRect;              // in full-image coordinates
    TileGrid grid;                  // over the cropped image
    QStringList notes;              // non-fatal facts worth showing (clamped crop, stains without illumination, ...)

    const StainImage &stain(const QString &name) const; // throws Error when not loaded
    // One tile of one stain (CV_8UC1 tileSize x tileSize; a view unless padded).
    cv::Mat tile(const QString &stain, int row, int col) const;
    std::vector<Tile> tiles(const QString &stain) const;
    // All loaded stains of one tile, by stain name.
    QMap<QString, cv::Mat> tileStains(int row, int col) const;
    // Triplets A and B of one tile (CV_8UC3, planes in triplet order = RGB, see Triplets.h).
    std::pair<cv::Mat, cv::Mat> tripletTiles(int row, int col) const;
};

// Runs the pipeline for one site. siteLabel (e.g. "BR00117010/A01/1") only names the site in errors and notes.
SiteStack loadSiteStack(const Site &site, const PipelineOptions &opt, const QString &siteLabel = {});

} // namespace cprecon
