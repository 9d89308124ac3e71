#pragma once
// The run's tile pass (docs/user/run.md#the-pipeline): every site of the plan (or of one shard of it) is read once
// (read, illumination, uint8, crop, tiles; a photo: RGB resized to 256²) on a reader thread that stays up to two
// sites ahead, then on the calling thread
//   originals        -> extractor features -> the site's embeddings (computed once, whatever the models and repeats)
//   each model x repeat -> reconstruction (float) -> per-tile MAE/SSIM/EMD per stain, KLD per triplet
//                       -> extractor features of the float output -> embeddings
// and each (site, source) is written to the store in one transaction. A resumed run computes exactly what the
// store lacks. Repeats re-run only what depends on the seed (repeat r samples with seed + r); a deterministic
// model (baselines; SD-VAE under the corrected protocol) is computed once and stands for every repeat.
#include "recon/SiteReconstruction.h"
#include "run/ResultsStore.h"
#include "run/RunConfig.h"
#include "run/RunPlan.h"

#include <QString>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace cprecon {
class ModelPool;
}

namespace cprecon::run {

struct RunProgress {
    std::string stage;          // "tiles"
    int sitesDone = 0, sitesTotal = 0;
    int64_t tilesDone = 0, tilesTotal = 0; // tile x source units, resumed ones included
    double tilesPerSecond = 0;  // of the units computed in this process
    double etaSeconds = -1;     // unknown until something was computed
    double modelBusyFraction = 0; // share of the computing time the reconstruction model was busy
    std::string site;           // "plate/well/site" just finished
    std::string device;         // where the models run: "cpu", "cuda:0", ... (the run's device, resolved)
};

// "h:mm:ss" of a duration (progress bars, ETAs); "--:--:--" when unknown (negative).
std::string formatDuration(double seconds);

// How the run reconstructs: its pipeline (crop, tile size, triplets) and, for a model spec and repeat, the request
// (protocol, seed + repeat, batch, device). The inspector and the worst-tiles gallery use the same, so the tile they
// show is the tile the run measured (the paper protocol's noise is seeded per tile from the seed and the site).
PipelineOptions runPipelineOptions(const RunConfig &config);
ReconstructionRequest runReconstructionRequest(const RunConfig &config, const std::string &spec, int repeat);

struct TilePassOptions {
    Shard shard;
    const std::atomic<bool> *cancel = nullptr;
    std::function<void(const RunProgress &)> progress; // on the calling thread, after every site
};

struct TilePassReport {
    int sitesPlanned = 0;           // in this shard
    int unitsComputed = 0, unitsResumed = 0; // (site, source) pairs
    int64_t tilesComputed = 0;
    double wallSeconds = 0, modelSeconds = 0, featureSeconds = 0, readWaitSeconds = 0;
    bool canceled = false;
    std::vector<std::string> notes;
};

// The sources of a run: for each model its name in the store and how many repeats it computes (1 when
// deterministic). Loads every model once through the pool (so a bad checkpoint fails before any site is read).
struct RunSource {
    std::string model; // as in the config (the store's key)
    std::string spec;  // what the factory loads
    int repeats = 1;
};
std::vector<RunSource> runSources(ModelPool &models, const RunConfig &config, const std::atomic<bool> *cancel = nullptr);

// Throws cprecon::Error (bad site, model or store problems; what is stored stays stored) or returns with
// report.canceled when the cancel flag was raised (the site in progress is not written).
TilePassReport runTilePass(ModelPool &models, const RunConfig &config, const RunPlan &plan, ResultsStore &store,
                           const TilePassOptions &options = {});

// The store's key of a planned site's originals / of one model and repeat.
SiteKey siteKey(const PlannedSite &site, const std::string &model = {}, int repeat = 0);

} // namespace cprecon::run
