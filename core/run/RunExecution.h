#pragma once
// A whole run, as `cprecon-cli run` and the app's Benchmark menu start it: check the config against its screens
// (before a new run's folder is created; a resumed run against its store), run or resume the tile pass, write the
// report. The CLI calls executeRun on its main thread; the app runs it as a BenchmarkTask on a worker.
#include "jobs/Task.h"
#include "run/BenchmarkRun.h"
#include "run/RunConfig.h"
#include "run/RunReport.h"
#include "screen/ScreenOpener.h"

#include <QMetaType>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(cprecon::run::RunProgress)

namespace cprecon {
class ModelPool;
}

namespace cprecon::run {

struct RunRequest {
    QString folder;                  // the run folder
    std::optional<RunConfig> config; // a new run's config; for a resume: the expected config (checked), or none
    bool resume = false;
    Shard shard;
    OpenOptions open;                // how the screens are opened (data root, channel map, metadata)
    bool writeReport = true;         // into <folder>/report when the run is complete and not sharded
    std::string appVersion;
};

struct RunOutcome {
    RunConfig config;
    std::vector<std::string> notes, warnings; // the plan's (and the report's notes)
    int sites = 0, datasets = 0;
    TilePassReport tiles;
    std::optional<ReportSummary> report;
    QString reportFolder;
    bool canceled = false;
};

struct RunCallbacks {
    std::function<void(const std::string &event, const std::string &text)> message; // "note", "warning", "plan", ...
    std::function<void(const RunProgress &)> progress;
};

// Throws cprecon::Error (named, with its fix); returns with canceled set when *cancel was raised.
RunOutcome executeRun(ModelPool &models, const RunRequest &request, const std::atomic<bool> *cancel = nullptr,
                      const RunCallbacks &callbacks = {});

// executeRun as a Task: progress (fraction of tile units, "tiles 120/576 · 3.2 tiles/s · ETA 0:01:40") and
// runProgress for a progress panel, messages as they come, the outcome on the owner's thread. Canceling stops between
// sites; the store stays resumable.
class BenchmarkTask final : public Task {
    Q_OBJECT
public:
    BenchmarkTask(ModelPool &models, RunRequest request, QObject *parent = nullptr);
    const std::optional<RunOutcome> &outcome() const { return m_outcome; } // after finished(true)
    // Any thread. A paused run stops after the site it is computing (everything computed is stored) and waits;
    // cancel() still ends it. runMessage("paused"/"resumed") reports it.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused.load(); }

Q_SIGNALS:
    void runProgress(const cprecon::run::RunProgress &progress); // on the owner's thread
    void runMessage(const QString &event, const QString &text);  // on the owner's thread

protected:
    bool run() override;
    void finishedOnOwner(bool ok) override;

private:
    ModelPool &m_models;
    RunRequest m_request;
    std::optional<RunOutcome> m_result, m_outcome;
    std::atomic<bool> m_paused{false};
};

} // namespace cprecon::run
