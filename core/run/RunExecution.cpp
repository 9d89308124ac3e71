#include "run/RunExecution.h"

#include "jobs/ComputeBudget.h"
#include "jobs/HeapPolicy.h"
#include "models/ModelPool.h"
#include "run/RunPlan.h"
#include "util/Error.h"

#include <QDir>
#include <QMetaObject>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

namespace cprecon::run {

namespace {
std::string u8(const QString &s) { return s.toStdString(); }
} // namespace

RunOutcome executeRun(ModelPool &models, const RunRequest &request, const std::atomic<bool> *cancel, const RunCallbacks &callbacks)
{
    auto say = [&](const std::string &event, const std::string &text) {
        if (callbacks.message) callbacks.message(event, text);
    };
    // A new run is checked against its screens before its folder is created; a resumed one against its store.
    std::optional<ResultsStore> resumed;
    if (request.resume) resumed = ResultsStore::open(request.folder, request.config ? &*request.config : nullptr);
    else if (!request.config) throw Error("a new run needs its config", u8(request.folder), "give --config or the run's flags");
    RunOutcome outcome;
    outcome.config = resumed ? resumed->config() : *request.config;
    const RunConfig &config = outcome.config;

    OpenOptions open = request.open;
    open.cancel = cancel;
    std::vector<Screen> screens;
    for (const QString &path : config.screens) {
        screens.push_back(openScreen(path, open));
        if (screens.back().synthetic) say("note", "PHANTOM screen " + u8(path) + ": synthetic images, not biology");
    }
    std::vector<const Screen *> pointers;
    for (const Screen &s : screens) pointers.push_back(&s);
    const RunPlan plan = planRun(config, pointers);
    outcome.notes = plan.notes;
    outcome.warnings = plan.warnings;
    outcome.sites = int(plan.work.size());
    outcome.datasets = int(plan.datasets.size());
    for (const std::string &n : plan.notes) say("note", "note: " + n);
    for (const std::string &w : plan.warnings) say("warning", "warning: " + w);

    ResultsStore store = resumed ? std::move(*resumed) : ResultsStore::create(request.folder, config, request.appVersion);
    std::vector<std::string> groupBy;
    for (const QString &c : plan.groupBy) groupBy.push_back(u8(c));
    store.setMeta("group_by", nlohmann::json(groupBy).dump());
    store.setMeta("planned_sites", std::to_string(plan.work.size()));
    const Shard &shard = request.shard;
    say("plan", "run " + u8(store.folder()) + ": " + std::to_string(plan.work.size()) + " sites in " +
                    std::to_string(plan.datasets.size()) + " dataset(s), " + std::to_string(config.models.size()) + " model(s)" +
                    (shard.count > 1 ? ", shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) : ""));

    TilePassOptions o;
    o.shard = shard;
    o.cancel = cancel;
    o.progress = callbacks.progress;
    outcome.tiles = runTilePass(models, config, plan, store, o);
    heap::releaseFreeMemory(); // the networks' activations kept for reuse during the pass (jobs/HeapPolicy.h)
    const TilePassReport &r = outcome.tiles;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "tile pass: %d (site, source) results computed, %d already stored; %.1f s (model %.1f s, features %.1f s, waiting for reads %.1f s)",
                  r.unitsComputed, r.unitsResumed, r.wallSeconds, r.modelSeconds, r.featureSeconds, r.readWaitSeconds);
    say("tiles", buf);
    if (r.canceled) {
        outcome.canceled = true;
        say("interrupted", "interrupted: resume the run (--resume " + u8(store.folder()) + "); nothing stored is lost");
        return outcome;
    }
    if (shard.count > 1) {
        say("done", "shard done: merge the shards with cprecon-cli merge SHARD... --out RUN");
        return outcome;
    }
    if (request.writeReport) {
        outcome.reportFolder = QDir(store.folder()).filePath(QStringLiteral("report"));
        try {
            outcome.report = writeReport(store, outcome.reportFolder, request.appVersion, [&](const std::string &stage) { say("analysis", stage); },
                                         cancel);
        } catch (const Canceled &) {
            outcome.canceled = true;
            say("interrupted", "interrupted while writing the report: cprecon-cli report writes it again");
            return outcome;
        }
        for (const std::string &n : outcome.report->notes) say("note", "note: " + n);
        say("report", "report: " + u8(outcome.reportFolder) + " (" + std::to_string(outcome.report->files.size()) + " files)");
    }
    return outcome;
}

BenchmarkTask::BenchmarkTask(ModelPool &models, RunRequest request, QObject *parent)
    : Task(QStringLiteral("Benchmark run %1").arg(request.folder), parent), m_models(models), m_request(std::move(request))
{
    qRegisterMetaType<cprecon::run::RunProgress>();
}

void BenchmarkTask::setPaused(bool paused) { m_paused.store(paused); }

bool BenchmarkTask::run()
{
    RunCallbacks callbacks;
    callbacks.message = [this](const std::string &event, const std::string &text) {
        const QString e = QString::fromStdString(event), t = QString::fromStdString(text);
        QMetaObject::invokeMethod(this, [this, e, t] { Q_EMIT runMessage(e, t); }, Qt::QueuedConnection);
    };
    callbacks.progress = [this, &callbacks](const RunProgress &p) {
        const double f = p.tilesTotal > 0 ? double(p.tilesDone) / double(p.tilesTotal) : -1.0;
        QString text = QStringLiteral("tiles %1/%2").arg(p.tilesDone).arg(p.tilesTotal);
        if (p.tilesPerSecond > 0) text += QStringLiteral(" · %1 tiles/s").arg(p.tilesPerSecond, 0, 'f', 2);
        if (p.etaSeconds >= 0) text += QStringLiteral(" · ETA ") + QString::fromStdString(formatDuration(p.etaSeconds));
        setProgress(f, text);
        QMetaObject::invokeMethod(this, [this, p] { Q_EMIT runProgress(p); }, Qt::QueuedConnection);
        // Between sites: a paused run waits here (its finished sites are stored; the reader has at most two ahead).
        if (m_paused.load() && !isCanceled()) {
            callbacks.message("paused", "paused after " + std::to_string(p.tilesDone) + " tiles; everything computed is stored");
            while (m_paused.load() && !isCanceled()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            if (!isCanceled()) callbacks.message("resumed", "resumed");
        }
    };
    m_result = executeRun(m_models, m_request, cancelFlag(), callbacks);
    return !m_result->canceled;
}

void BenchmarkTask::finishedOnOwner(bool ok)
{
    m_outcome = std::move(m_result);
    (void)ok;
}

} // namespace cprecon::run
