#include "recon/ReconstructionRunner.h"

#include "util/Error.h"

namespace cprecon {

namespace {

// One site reconstruction as a Task: batches report progress, the cancel flag is checked between batches.
class ReconstructionTask final : public Task {
public:
    ReconstructionTask(ModelPool &models, const Site &site, QString siteLabel, ReconstructionRequest request)
        : Task(QStringLiteral("Reconstruct %1 with %2").arg(siteLabel, request.model)), m_models(models), m_site(site),
          m_siteLabel(std::move(siteLabel)), m_request(std::move(request))
    {
    }
    std::shared_ptr<const SiteReconstruction> result;

protected:
    bool run() override
    {
        m_result = std::make_shared<const SiteReconstruction>(
            reconstructSite(m_models, m_site, m_request, m_siteLabel, cancelFlag(), [this](int done, int total) {
                setProgress(total > 0 ? double(done) / total : -1.0, QStringLiteral("%1/%2").arg(done).arg(total));
            }));
        return true;
    }
    void finishedOnOwner(bool ok) override
    {
        if (ok) result = std::move(m_result);
    }

private:
    ModelPool &m_models;
    const Site m_site; // the task's own copy: the screen may be replaced meanwhile
    const QString m_siteLabel;
    const ReconstructionRequest m_request;
    std::shared_ptr<const SiteReconstruction> m_result;
};

} // namespace

ReconstructionRunner::ReconstructionRunner(TaskManager *tasks, ModelPool *models, QObject *parent)
    : QObject(parent), m_tasks(tasks), m_models(models)
{
    qRegisterMetaType<std::shared_ptr<const cprecon::SiteReconstruction>>();
    if (!m_models) {
        m_ownModels = std::make_unique<ModelPool>();
        m_models = m_ownModels.get();
    }
    if (!m_tasks) {
        m_ownTasks = std::make_unique<TaskManager>(2);
        m_tasks = m_ownTasks.get();
    }
}

ReconstructionRunner::~ReconstructionRunner()
{
    for (auto &job : m_jobs)
        if (job.task) {
            job.task->disconnect(this);
            job.task->cancel();
        }
}

bool ReconstructionRunner::isRunning(const QString &tag) const { return m_jobs.contains(tag); }

void ReconstructionRunner::cancel(const QString &tag)
{
    auto it = m_jobs.find(tag);
    if (it == m_jobs.end()) return;
    // The worker notices between tile batches; the task's end is never delivered.
    if (it->task) {
        it->task->disconnect(this);
        it->task->cancel();
    }
    m_jobs.erase(it);
}

void ReconstructionRunner::request(const QString &tag, const Site &site, const QString &siteLabel,
                                   const ReconstructionRequest &request)
{
    const QString key = reconstructionCacheKey(siteLabel, request);
    if (m_jobs.contains(tag) && m_jobs[tag].key == key) return; // already computing exactly this
    cancel(tag);
    if (auto *hit = m_cache.object(key)) {
        ++m_cacheHits;
        Q_EMIT finished(tag, *hit, true);
        return;
    }
    ++m_started;
    auto *task = new ReconstructionTask(*m_models, site, siteLabel, request);
    connect(task, &Task::progressChanged, this, [this, tag](double fraction, const QString &text) {
        const int slash = text.indexOf(QLatin1Char('/'));
        if (fraction >= 0 && slash > 0) Q_EMIT progress(tag, text.left(slash).toInt(), text.mid(slash + 1).toInt());
    });
    connect(task, &Task::finished, this, [this, tag, task](bool ok) { onTaskFinished(tag, task, ok, task->result); });
    m_jobs.insert(tag, Job{key, task});
    m_tasks->addTask(task);
}

void ReconstructionRunner::onTaskFinished(const QString &tag, Task *task, bool ok, std::shared_ptr<const SiteReconstruction> result)
{
    auto it = m_jobs.find(tag);
    if (it == m_jobs.end() || it->task != task) return; // superseded
    const QString key = it->key;
    m_jobs.erase(it);
    if (!ok || !result) {
        if (task->status() != Task::Status::Canceled) Q_EMIT failed(tag, task->errorMessage());
        return;
    }
    qint64 bytes = 0;
    for (const auto &s : result->stains)
        bytes += qint64(s.original.total() * s.original.elemSize() + s.reconstruction.total() * s.reconstruction.elemSize() +
                        s.reconstructionFloat.total() * s.reconstructionFloat.elemSize());
    m_cache.insert(key, new std::shared_ptr<const SiteReconstruction>(result), int(std::max<qint64>(1, bytes >> 20)));
    Q_EMIT finished(tag, result, false);
}

} // namespace cprecon
