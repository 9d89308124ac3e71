#pragma once
// Runs site reconstructions as Tasks for interactive views, with a result cache and the restart pattern (Qt's
// Mandelbrot example): a new request cancels the running one, whose result is then never delivered, so no stale
// image can appear. Results are delivered on the thread the runner lives in (the GUI thread) via signals.
#include "jobs/TaskManager.h"
#include "recon/SiteReconstruction.h"

#include <QCache>
#include <QMap>
#include <QObject>
#include <QPointer>

#include <memory>

namespace cprecon {

class ReconstructionRunner : public QObject {
    Q_OBJECT
public:
    // Runs its tasks on `tasks` (the window's TaskManager) with the models of `models` (the window's pool), or on
    // its own TaskManager / ModelPool where null.
    explicit ReconstructionRunner(TaskManager *tasks = nullptr, ModelPool *models = nullptr, QObject *parent = nullptr);
    ~ReconstructionRunner() override; // cancels its running tasks; their results are never delivered

    // Starts (or serves from cache) the reconstruction of `site` with `request`. `tag` is handed back with the
    // result so a view can run several models side by side (e.g. "main", "compare").
    void request(const QString &tag, const Site &site, const QString &siteLabel, const ReconstructionRequest &request);
    void cancel(const QString &tag); // drops the running task of this tag, if any
    bool isRunning(const QString &tag) const;
    int cacheHits() const { return m_cacheHits; }
    int started() const { return m_started; }
    void setCacheCapacityMb(int megabytes) { m_cache.setMaxCost(megabytes); }
    TaskManager *tasks() const { return m_tasks; }

Q_SIGNALS:
    void progress(const QString &tag, int done, int total);
    void finished(const QString &tag, std::shared_ptr<const cprecon::SiteReconstruction> result, bool fromCache);
    void failed(const QString &tag, const QString &message);

private:
    struct Job {
        QString key;
        QPointer<Task> task;
    };
    void onTaskFinished(const QString &tag, Task *task, bool ok, std::shared_ptr<const SiteReconstruction> result);

    std::unique_ptr<ModelPool> m_ownModels; // declared before m_ownTasks: the tasks are joined first
    std::unique_ptr<TaskManager> m_ownTasks;
    TaskManager *m_tasks = nullptr;
    ModelPool *m_models = nullptr;
    QMap<QString, Job> m_jobs; // running job per tag
    QCache<QString, std::shared_ptr<const SiteReconstruction>> m_cache{512}; // cost: megabytes of images
    int m_cacheHits = 0;
    int m_started = 0;
};

} // namespace cprecon
