// cprecon-cli bench pipeline: the run's tile pass end to end (read, illumination, uint8, tiles, reconstruction,
// metrics, features, store) on a phantom screen at 1x and 10x the number of sites, printing tiles/s, the share of
// wall time the reconstruction model is busy (the goal: everything else hidden behind it) and the peak RSS (which
// must not grow with the screen: sites stream through bounded queues into the store).
#include "CliRegistry.h"
#include "ProcessStats.h"

#include "image/PhantomGenerator.h"
#include "models/ModelPool.h"
#include "run/BenchmarkRun.h"
#include "run/RunPlan.h"
#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QDir>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <iostream>

namespace cprecon::cli {

namespace {

int runBenchPipeline(const Args &a)
{
    const QString model = a.value(QStringLiteral("model"), QStringLiteral("bicubic8"));
    const int sites = a.intValue(QStringLiteral("sites"), 4);
    const int size = a.intValue(QStringLiteral("size"), 1080);
    const bool json = a.has(QStringLiteral("json"));
    QTemporaryDir tmp;
    if (!tmp.isValid()) throw Error("cannot create a temporary folder", "", "check TMPDIR");

    phantom::Spec spec;
    spec.wells = 96;
    spec.sites = std::max(1, (10 * sites + 95) / 96);
    spec.size = size;
    spec.seed = 11;
    const QString screenDir = QDir(tmp.path()).filePath(QStringLiteral("phantom"));
    phantom::generatePhantom(screenDir, spec);
    const Screen screen = openScreen(screenDir);

    run::RunConfig config;
    config.screens = {screenDir};
    config.models = {model};
    config.extractors.clear();
    for (const QString &e : a.values(QStringLiteral("extractor"))) config.extractors.push_back({e.toStdString(), {}});
    if (config.extractors.empty()) config.extractors = {{"handcrafted", ""}};
    config.protocol = parseProtocol(a.value(QStringLiteral("protocol"), QStringLiteral("paper")).toStdString());
    config.repeats = 1;
    config.crop = std::min(1024, size / 256 * 256);
    config.batchSize = a.intValue(QStringLiteral("batch-size"), config.batchSize);
    config.device = a.value(QStringLiteral("device"), QStringLiteral("auto"));
    const run::RunPlan full = run::planRun(config, {&screen});

    ModelPool models;
    run::runSources(models, config); // load once, outside the timing (a run loads its models before the first site)
    nlohmann::json report{{"model", model.toStdString()}, {"image_size", size}, {"runs", nlohmann::json::array()}};
    if (!json) std::printf("bench pipeline: %s, phantom %dx%d px, %d tiles per site\n", model.toUtf8().constData(), size, size, full.tilesPerSite);
    for (int scale : {1, 10}) {
        run::RunPlan plan = full;
        plan.work.resize(size_t(std::min<int>(int(full.work.size()), scale * sites)));
        run::ResultsStore store = run::ResultsStore::create(QDir(tmp.path()).filePath(QStringLiteral("run%1").arg(scale)), config, "bench");
        const run::TilePassReport r = run::runTilePass(models, config, plan, store);
        const double tilesPerSecond = double(r.tilesComputed) / r.wallSeconds;
        // Per reconstruction tile (the originals' features are part of the work, not separate tiles).
        const double busy = r.modelSeconds / r.wallSeconds;
        const double rss = peakRssMb();
        report["runs"].push_back({{"scale", scale}, {"sites", plan.work.size()}, {"tiles", r.tilesComputed},
                                  {"wall_s", r.wallSeconds}, {"tiles_per_s", tilesPerSecond}, {"model_busy_fraction", busy},
                                  {"model_s", r.modelSeconds}, {"feature_s", r.featureSeconds}, {"read_wait_s", r.readWaitSeconds},
                                  {"peak_rss_mb", rss}});
        if (!json)
            std::printf("  %2dx: %4zu sites %6lld tile-units in %7.2f s  %7.2f tiles/s  model busy %5.1f %% (features %.1f s, waiting for reads %.1f s)  peak RSS %.0f MB\n",
                        scale, plan.work.size(), (long long)r.tilesComputed, r.wallSeconds, tilesPerSecond, 100 * busy, r.featureSeconds,
                        r.readWaitSeconds, rss);
    }
    if (json) std::cout << report.dump(2) << std::endl;
    return 0;
}

} // namespace

static Registrar reg({"bench pipeline", "the run's tile pass end to end on a phantom: tiles/s, model busy share, peak RSS at 1x and 10x",
                      QStringLiteral("[--model M] [--sites N] [--json]"),
                      QStringLiteral("Generates a phantom screen (--size px, 96 wells), runs the tile pass of a run (originals +\n"
                                     "one model, --extractor features) over N and 10N sites into temporary stores. tiles/s counts\n"
                                     "tile x source units (originals and reconstruction); model busy = time inside the\n"
                                     "reconstructor / wall time; peak RSS is the process's maximum so far (getrusage).\n"
                                     "--model sd-vae-random: the full-size SD-VAE (sd14 config) with random weights, for timing."),
                      {value(QStringLiteral("model"), QStringLiteral("M"), QStringLiteral("bicubic8, jpeg:Q, sd-vae-random, sd-vae:PATH, ..."), QStringLiteral("bicubic8")),
                       integer(QStringLiteral("sites"), QStringLiteral("N"), QStringLiteral("sites of the 1x screen"), QStringLiteral("4"), 1, 100000),
                       integer(QStringLiteral("size"), QStringLiteral("PX"), QStringLiteral("phantom image edge"), QStringLiteral("1080"), 256, 4096),
                       list(QStringLiteral("extractor"), QStringLiteral("NAME"), QStringLiteral("feature extractors (weights from the catalog)"), QStringLiteral("handcrafted")),
                       value(QStringLiteral("protocol"), QStringLiteral("paper|corrected"), QStringLiteral("protocol"), QStringLiteral("paper")),
                       integer(QStringLiteral("batch-size"), QStringLiteral("N"), QStringLiteral("tiles per model call"), QStringLiteral("8"), 1, 4096),
                       value(QStringLiteral("device"), QStringLiteral("auto|cpu|cuda"), QStringLiteral("device"), QStringLiteral("auto")),
                       flag(QStringLiteral("json"), QStringLiteral("print JSON: tiles_per_s, model_busy_fraction, peak_rss_mb per scale"))},
                      runBenchPipeline});

} // namespace cprecon::cli
