#include "run/BenchmarkRun.h"

#include "image/ImageReader.h"
#include "models/ModelPool.h"
#include "models/Reconstructor.h"
#include "nets/TorchRuntime.h"
#include "recon/SiteReconstruction.h"
#include "run/RunExtractors.h"
#include "run/SiteImages.h"
#include "run/WeightResolution.h"
#include "util/Error.h"

#include <QElapsedTimer>

#include <nlohmann/json.hpp>
#include <QFileInfo>

#include <opencv2/imgproc.hpp>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace cprecon::run {

namespace {

constexpr int kPhotoSize = 256; // PROTOCOL.md: natural images resized to 256 x 256

std::string u8(const QString &s) { return s.toStdString(); }

std::string siteLabel(const PlannedSite &s)
{
    return u8(s.plate->barcode) + "/" + u8(s.well->name) + "/" + std::to_string(s.site->number);
}

// A site as read: the pipeline's stack (Cell Painting) or the resized photo.
struct LoadedSite {
    size_t index = 0; // into the shard's site list
    std::optional<SiteStack> stack;
    cv::Mat photo;    // CV_8UC3, RGB, 256 x 256
    std::optional<Error> error; // the reader's failure, message, file and fix kept apart
    bool canceled = false;
};

cv::Mat readPhoto(const Site &site)
{
    if (site.channels.isEmpty()) throw Error("the photo has no image file", u8(site.plate + QLatin1Char('/') + site.well),
                                                    "check that the photo folder was copied completely");
    const cv::Mat rgb = readRgbImage(site.channels.front()); // all three planes are one file / record: decoded once
    // Area averaging when shrinking (an anti-aliased resize, as PIL's), bilinear when enlarging.
    const bool shrink = rgb.cols > kPhotoSize || rgb.rows > kPhotoSize;
    cv::Mat out;
    cv::resize(rgb, out, cv::Size(kPhotoSize, kPhotoSize), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

SiteInfo siteInfo(const PlannedSite &s, const RunPlan &plan)
{
    SiteInfo info;
    const Dataset &d = plan.datasets[size_t(s.dataset)];
    info.dataset = u8(d.label);
    info.natural = d.natural;
    const WellMetadata &m = s.well->meta;
    if (d.natural) {
        info.metadata["Metadata_broad_sample"] = u8(s.well->name);
        info.metadata["Metadata_negcon"] = "0";
        return info;
    }
    info.metadata["Metadata_broad_sample"] = u8(perturbationKey(m));
    info.metadata["Metadata_pert_iname"] = u8(m.perturbationName);
    info.metadata["Metadata_control_type"] = u8(controlLabel(m));
    info.metadata["Metadata_negcon"] = m.isNegativeControl() ? "1" : "0";
    for (const QString &col : plan.groupBy) info.metadata[u8(col)] = u8(datasetValue(*s.plate, *s.well, col));
    return info;
}

// Bounded producer/consumer hand-over of read sites (the reader stays `capacity` sites ahead at most).
class SiteQueue {
public:
    explicit SiteQueue(size_t capacity) : m_capacity(capacity) {}
    void push(LoadedSite s)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_space.wait(lock, [&] { return m_items.size() < m_capacity || m_closed; });
        if (m_closed) return;
        m_items.push_back(std::move(s));
        m_ready.notify_one();
    }
    LoadedSite pop()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_items.empty(); });
        LoadedSite s = std::move(m_items.front());
        m_items.pop_front();
        m_space.notify_one();
        return s;
    }
    void close() // the consumer is leaving: let the reader finish
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_closed = true;
        m_space.notify_all();
    }
    bool closed()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_closed;
    }

private:
    size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_ready, m_space;
    std::deque<LoadedSite> m_items;
    bool m_closed = false;
};

void addTileMetrics(const SiteReconstruction &rec, SiteResults &r)
{
    for (const StainReconstruction &s : rec.stains)
        for (const TileMetrics &m : s.tiles) r.tiles.push_back({m.row, m.col, u8(s.stain), m.mae, m.ssim, m.emd});
    for (const TripletReconstruction &t : rec.triplets)
        for (size_t i = 0; i < t.kld.size(); ++i)
            r.triplets.push_back({int(i) / rec.grid.cols, int(i) % rec.grid.cols, u8(t.name), t.kld[i]});
}

} // namespace

std::string formatDuration(double seconds)
{
    if (seconds < 0) return "--:--:--";
    const long s = long(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

SiteKey siteKey(const PlannedSite &site, const std::string &model, int repeat)
{
    return {model, repeat, u8(site.plate->barcode), u8(site.well->name), site.site->number};
}

std::vector<RunSource> runSources(ModelPool &models, const RunConfig &config, const std::atomic<bool> *cancel)
{
    std::vector<RunSource> out;
    for (const QString &m : config.models) {
        RunSource s;
        s.model = u8(m);
        s.spec = resolveModelSpec(s.model);
        ReconstructionRequest request;
        request.model = QString::fromStdString(s.spec);
        request.protocol = config.protocol;
        request.device = config.device;
        const auto pooled = models.acquire(s.spec, reconstructionRuntime(request), cancel);
        s.repeats = pooled->model->stochastic(config.protocol) ? std::max(1, config.repeats) : 1;
        out.push_back(s);
    }
    return out;
}

PipelineOptions runPipelineOptions(const RunConfig &config)
{
    PipelineOptions pipeline;
    pipeline.cropSize = config.crop;
    pipeline.tileSize = config.tileSize;
    pipeline.triplets = config.triplets;
    pipeline.keepIntermediates = false;
    return pipeline;
}

ReconstructionRequest runReconstructionRequest(const RunConfig &config, const std::string &spec, int repeat)
{
    ReconstructionRequest request;
    request.model = QString::fromStdString(spec);
    request.protocol = config.protocol;
    request.seed = config.seed + uint64_t(repeat);
    request.pipeline = runPipelineOptions(config);
    request.batchSize = config.batchSize;
    request.device = config.device;
    return request;
}

TilePassReport runTilePass(ModelPool &models, const RunConfig &config, const RunPlan &plan, ResultsStore &store,
                           const TilePassOptions &options)
{
    QElapsedTimer wall;
    wall.start();
    TilePassReport report;
    auto canceled = [&] { return options.cancel && options.cancel->load(); };

    std::vector<const PlannedSite *> mine;
    for (size_t i = 0; i < plan.work.size(); ++i)
        if (options.shard.contains(i)) mine.push_back(&plan.work[i]);
    report.sitesPlanned = int(mine.size());

    // The weights are part of the run's identity: a resume with other weights is refused. They are recorded once the
    // networks loaded from them, so a run stopped by an unreadable checkpoint resumes with the repaired file.
    nlohmann::json weightsMeta;
    {
        const auto weights = weightsIdentity(config);
        nlohmann::json j = nlohmann::json::object();
        for (const auto &[what, fileAndHash] : weights) j[what] = {{"file", fileAndHash.first}, {"sha256", fileAndHash.second}};
        const std::string stored = store.meta("weights");
        if (!stored.empty()) {
            const nlohmann::json before = nlohmann::json::parse(stored);
            for (const auto &[what, value] : j.items())
                if (before.contains(what) && before[what]["sha256"] != value["sha256"])
                    throw Error("the weights of " + what + " changed since the run started (sha256 " +
                                    before[what]["sha256"].get<std::string>().substr(0, 12) + "… then, " +
                                    value["sha256"].get<std::string>().substr(0, 12) + "… now)",
                                value["file"].get<std::string>(),
                                "resume with the original weights, or start a new run folder");
        }
        weightsMeta = std::move(j);
    }
    const std::vector<RunSource> sources = runSources(models, config, options.cancel);
    const RunExtractors extractors(config);
    store.setMeta("weights", weightsMeta.dump());
    const PipelineOptions pipeline = runPipelineOptions(config);

    // What each site still needs: the originals and every (model, repeat) the store lacks.
    struct Unit {
        const RunSource *source = nullptr; // null: the originals
        int repeat = 0;
    };
    auto missingUnits = [&](const PlannedSite &s) {
        std::vector<Unit> units;
        if (!store.hasSite(siteKey(s))) units.push_back({});
        for (const RunSource &src : sources)
            for (int r = 0; r < src.repeats; ++r)
                if (!store.hasSite(siteKey(s, src.model, r))) units.push_back({&src, r});
        return units;
    };
    int unitsPerSite = 1;
    for (const RunSource &src : sources) unitsPerSite += src.repeats;
    std::vector<std::vector<Unit>> todo(mine.size());
    std::vector<size_t> toRead;
    for (size_t i = 0; i < mine.size(); ++i) {
        todo[i] = missingUnits(*mine[i]);
        report.unitsResumed += unitsPerSite - int(todo[i].size());
        if (!todo[i].empty()) toRead.push_back(i);
    }

    RunProgress progress;
    progress.stage = "tiles";
    progress.device = torchrt::resolveDevice(reconstructionRuntime(runReconstructionRequest(config, "", 0)).device);
    progress.sitesTotal = int(mine.size());
    const int64_t tilesPerSite = std::max(1, plan.tilesPerSite);
    auto tilesOf = [&](const PlannedSite &s) { return plan.datasets[size_t(s.dataset)].natural ? int64_t(1) : tilesPerSite; };
    for (const PlannedSite *s : mine) progress.tilesTotal += tilesOf(*s) * unitsPerSite;
    for (size_t i = 0; i < mine.size(); ++i) progress.tilesDone += tilesOf(*mine[i]) * (unitsPerSite - int64_t(todo[i].size()));
    progress.sitesDone = int(mine.size() - toRead.size());
    if (options.progress) options.progress(progress);

    // The reader: up to two sites ahead of the models.
    SiteQueue queue(2);
    std::atomic<bool> stopReading{false};
    std::thread reader([&] {
        for (size_t i : toRead) {
            LoadedSite loaded;
            loaded.index = i;
            if (stopReading.load() || canceled()) {
                loaded.canceled = true;
                queue.push(std::move(loaded));
                return;
            }
            const PlannedSite &s = *mine[i];
            try {
                if (plan.datasets[size_t(s.dataset)].natural) loaded.photo = readPhoto(*s.site);
                else loaded.stack = loadSiteStack(*s.site, pipeline, QString::fromStdString(siteLabel(s)));
            } catch (const Error &e) {
                loaded.error = e;
            } catch (const std::exception &e) {
                loaded.error = Error(e.what());
            }
            const bool failed = loaded.error.has_value();
            queue.push(std::move(loaded));
            if (failed || queue.closed()) return;
        }
    });
    struct Joiner {
        SiteQueue &q;
        std::atomic<bool> &stop;
        std::thread &t;
        ~Joiner()
        {
            stop = true;
            q.close();
            t.join();
        }
    } joiner{queue, stopReading, reader};

    QElapsedTimer computing;
    computing.start();
    int64_t tilesHere = 0;
    for (size_t k = 0; k < toRead.size(); ++k) {
        QElapsedTimer waiting;
        waiting.start();
        LoadedSite loaded = queue.pop();
        report.readWaitSeconds += double(waiting.nsecsElapsed()) * 1e-9;
        if (loaded.canceled || canceled()) {
            report.canceled = true;
            break;
        }
        const PlannedSite &s = *mine[loaded.index];
        const std::string label = siteLabel(s);
        if (loaded.error) {
            const Error &e = *loaded.error;
            // The image pipeline's messages name the site already; a photo's do not.
            const bool named = e.message().find(label) != std::string::npos;
            throw Error((named ? "cannot read " : "cannot read site " + label + ": ") + e.message(), e.file(),
                        (e.fix().empty() ? std::string("fix or replace the file") : e.fix()) +
                            "; then resume the run (--resume): finished sites are kept",
                        e.row());
        }
        const bool natural = !loaded.stack.has_value();
        const SiteImages originals = natural ? photoImages(loaded.photo) : originalImages(*loaded.stack);
        const std::string noiseKey = label; // plate/well/site: the per-tile noise never depends on the shard
        try {
            for (const Unit &unit : todo[loaded.index]) {
                if (canceled()) throw Canceled();
                SiteResults results;
                if (!unit.source) {
                    results.key = siteKey(s);
                    results.info = siteInfo(s, plan);
                    extractors.measure(originals, results);
                } else {
                    results.key = siteKey(s, unit.source->model, unit.repeat);
                    const ReconstructionRequest request = runReconstructionRequest(config, unit.source->spec, unit.repeat);
                    const SiteReconstruction rec = natural ? reconstructPhoto(models, loaded.photo, request, noiseKey, options.cancel)
                                                           : reconstructStack(models, *loaded.stack, request, noiseKey, options.cancel);
                    report.modelSeconds += rec.modelSeconds;
                    addTileMetrics(rec, results);
                    extractors.measure(reconstructedImages(rec), results);
                }
                store.writeSite(results);
                ++report.unitsComputed;
                report.tilesComputed += tilesOf(s);
                tilesHere += tilesOf(s);
                progress.tilesDone += tilesOf(s);
            }
        } catch (const Canceled &) {
            report.canceled = true;
            break;
        }
        ++progress.sitesDone;
        progress.site = label;
        const double seconds = double(computing.nsecsElapsed()) * 1e-9;
        progress.tilesPerSecond = seconds > 0 ? double(tilesHere) / seconds : 0;
        progress.modelBusyFraction = seconds > 0 ? std::min(1.0, report.modelSeconds / seconds) : 0;
        progress.etaSeconds = progress.tilesPerSecond > 0 ? double(progress.tilesTotal - progress.tilesDone) / progress.tilesPerSecond : -1;
        if (options.progress) options.progress(progress);
    }
    report.featureSeconds = extractors.featureSeconds();
    report.wallSeconds = double(wall.nsecsElapsed()) * 1e-9;
    return report;
}

} // namespace cprecon::run
