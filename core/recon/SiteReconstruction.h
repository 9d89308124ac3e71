#pragma once
// Reconstruction of one site, the path the inspector shows and the benchmark measures:
//   Site → SitePipeline (read, illumination, uint8, crop) → tiles → triplets A/B → Reconstructor (batched tiles)
//   → merge triplets back to five stains → per stain and tile: MAE, SSIM, EMD; per triplet and tile: KLD.
// One code path, no GUI shortcuts. Metrics are on the [0, 1] scale (uint8 / 255) as PROTOCOL.md defines them;
// SSIM is skimage's valid-region mean (the paper protocol *reports* 1 − SSIM, labelled, see util/Protocol.h ssimLabel()).
#include "image/SitePipeline.h"
#include "models/ModelPool.h"
#include "util/Protocol.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

namespace cprecon {


struct ReconstructionRequest {
    QString model = QStringLiteral("bicubic8"); // a model spec the reconstructor factory understands
    Protocol protocol = Protocol::Corrected;
    quint64 seed = 0;        // latent sampling (paper protocol)
    PipelineOptions pipeline;
    int batchSize = 8;       // tiles per reconstructor call
    QString device = QStringLiteral("auto");
};

struct TileMetrics {
    int row = 0, col = 0;
    double mae = 0, ssim = 0, emd = 0; // [0, 1] scale
};

struct StainReconstruction {
    QString stain;
    cv::Mat original;            // CV_8UC1 crop (what the model saw, tile grid applied)
    cv::Mat reconstruction;      // CV_8UC1, same size: for display and saved images
    cv::Mat reconstructionFloat; // CV_32FC1 in [0, 1]: the model's output as it came, what the metrics measure
    std::vector<TileMetrics> tiles;
    double mae = 0, ssim = 0, emd = 0; // mean over tiles
};

struct TripletReconstruction {
    QString name;          // "A" / "B"
    QStringList stains;    // the triplet's stains, in plane order
    std::vector<double> kld; // per tile (row-major), empty for models without a posterior
    double kldMean = 0;
    cv::Mat imageFloat;      // CV_32FC3 mosaic in [0, 1], planes in triplet order: the model's output for this triplet
    // Latent channels as mosaics over the tile grid (tile latents placed like their tiles), CV_32FC1 each.
    std::vector<cv::Mat> latentChannels;
};

struct SiteReconstruction {
    QString siteLabel;
    QString model;
    Protocol protocol = Protocol::Corrected;
    quint64 seed = 0;
    TileGrid grid;
    std::vector<StainReconstruction> stains;   // DNA, ER, RNA, AGP, Mito (pipeline order)
    std::vector<TripletReconstruction> triplets;
    QStringList notes;
    double seconds = 0;
    double modelSeconds = 0; // of which the reconstructor itself was busy (the benchmark's busy fraction)
    const StainReconstruction *stain(const QString &name) const;
};

using ProgressFn = std::function<void(int done, int total)>;

// Where and in which precision a request's model runs (the ModelPool key part): the request's device; fp16 autocast
// for the paper protocol on a GPU, as the authors ran it; fp32 otherwise.
RuntimeOptions reconstructionRuntime(const ReconstructionRequest &request);

// Runs everything; throws cprecon::Error on bad input or model problems, or cprecon::Canceled when *cancel
// becomes true between batches.
SiteReconstruction reconstructSite(ModelPool &models, const Site &site, const ReconstructionRequest &request,
                                   const QString &siteLabel = {}, const std::atomic<bool> *cancel = nullptr,
                                   const ProgressFn &progress = {});

// The same for a site already read (the benchmark reads a site once for its originals and every model). siteKey
// ("plate/well/site") seeds the paper protocol's per-tile noise (tileNoiseSeed); stack.options is the pipeline used.
SiteReconstruction reconstructStack(ModelPool &models, const SiteStack &stack, const ReconstructionRequest &request,
                                    const std::string &siteKey, const std::atomic<bool> *cancel = nullptr,
                                    const ProgressFn &progress = {});

// A natural photo (the paper's LSUN control): one 256² RGB image (CV_8UC3, RGB plane order) as one tile of one
// triplet "RGB"; stains R, G, B. The same model call, KLD and float-output metrics as a Cell Painting site.
SiteReconstruction reconstructPhoto(ModelPool &models, const cv::Mat &rgb, const ReconstructionRequest &request,
                                    const std::string &siteKey, const std::atomic<bool> *cancel = nullptr);

// The metric part alone (used by reconstructSite and tests): per tile of `grid`, the uint8 original (/255) against
// the reconstruction — CV_32FC1 in [0, 1] (the model's float output, as the paper's inference script measures it:
// rounding to uint8 first would shift MAE by up to 0.5/255 per pixel) or CV_8UC1 (/255).
std::vector<TileMetrics> tileMetrics(const cv::Mat &original, const cv::Mat &reconstruction, const TileGrid &grid);

// Key for caches: site + model + protocol + seed + every setting that can change a number (pipeline, stains,
// triplets, batch size, device — which also decides the precision).
QString reconstructionCacheKey(const QString &siteLabel, const ReconstructionRequest &request);

} // namespace cprecon
