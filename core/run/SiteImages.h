#pragma once
// One site of one source as the run's extractors see it: the stains and the model's triplets as mosaics over the
// site's tile grid. The originals are uint8 (CV_8UC1 / CV_8UC3) exactly as the models saw them; a reconstruction
// is the model's float output in [0, 1] (CV_32FC1 / CV_32FC3), never rounded (PROTOCOL.md: the paper's inference
// script feeds the decoder's float output to the metrics and both feature networks).
#include "image/SitePipeline.h"
#include "recon/SiteReconstruction.h"

#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include <vector>

namespace cprecon::run {

struct SiteImages {
    int tileSize = 0;
    TileGrid grid;                     // over the mosaics (rows x cols tiles of tileSize)
    QStringList stainNames;            // DNA, ER, RNA, AGP, Mito; R, G, B for a photo
    std::vector<cv::Mat> stains;       // one mosaic per stain
    QStringList tripletNames;          // A, B; RGB for a photo
    std::vector<cv::Mat> triplets;     // 3-channel mosaics, planes in triplet order
    bool isFloat() const { return !stains.empty() && stains.front().depth() == CV_32F; }
    int tiles() const { return grid.count(); }

    // N x C x t x t of the tiles (row-major over the grid), stains in stainNames order / one triplet's planes.
    // uint8 for the originals, float [0, 1] for a reconstruction (the other vector is left empty).
    void stainTiles(std::vector<uint8_t> *u8, std::vector<float> *f32) const;
    void tripletTiles(int triplet, std::vector<uint8_t> *u8, std::vector<float> *f32) const;
};

// The originals of a Cell Painting site, over exactly the tiled region the models see.
SiteImages originalImages(const SiteStack &stack);
// The originals of a photo (stains R, G, B; triplet RGB).
SiteImages photoImages(const cv::Mat &rgb);
// A reconstruction's float output (reconstructStack / reconstructPhoto).
SiteImages reconstructedImages(const SiteReconstruction &rec);

} // namespace cprecon::run
