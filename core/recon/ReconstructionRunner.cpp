#include "recon/ReconstructionRunner.h"

#include "util/Error.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace cprecon {

ReconstructionRunner::ReconstructionRunner(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const cprecon::SiteReconstruction>>();
}

ReconstructionRunner::~ReconstructionRunner()
{
    for (auto &job : m_jobs) {
        job.cancel->store(true);
        job.watcher->disconnect(this);
        job.watcher->waitForFinished();
        delete job.watcher;
    }
}

bool ReconstructionRunner::isRunning(const QString &tag) const { return m_jobs.contains(tag); }

void ReconstructionRunner::cancel(const QString &tag)
{
    auto it = m_jobs.find(tag);
    if (it == m_jobs.end()) return;
    // The worker notices between tile batches; its watcher is deleted when it finishes (never delivered).
    it->cancel->store(true);
    auto *watcher = it->watcher;
    watcher->disconnect(this);
    connect(watcher, &QFutureWatcherBase::finished, watcher, &QObject::deleteLater);
    if (watcher->isFinished()) watcher->deleteLater();
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
    Job job;
    job.id = m_nextId++;
    job.key = key;
    job.cancel = std::make_shared<std::atomic<bool>>(false);
    job.error = std::make_shared<QString>();
    job.watcher = new QFutureWatcher<std::shared_ptr<const SiteReconstruction>>(this);
    const quint64 id = job.id;
    connect(job.watcher, &QFutureWatcherBase::finished, this, [this, tag, id] { onJobFinished(tag, id); });
    auto cancelFlag = job.cancel;
    auto error = job.error;
    QPointer<ReconstructionRunner> self(this);
    job.watcher->setFuture(QtConcurrent::run([site, siteLabel, request, cancelFlag, error, self, tag]()
                                                 -> std::shared_ptr<const SiteReconstruction> {
        try {
            auto progress = [self, tag, cancelFlag](int done, int total) {
                if (cancelFlag->load() || !self) return;
                QMetaObject::invokeMethod(self.data(), [self, tag, done, total] {
                    if (self) Q_EMIT self->progress(tag, done, total);
                }, Qt::QueuedConnection);
            };
            return std::make_shared<const SiteReconstruction>(
                reconstructSite(site, request, siteLabel, cancelFlag.get(), progress));
        } catch (const std::exception &e) {
            *error = QString::fromStdString(e.what());
            return nullptr;
        }
    }));
    m_jobs.insert(tag, job);
}

void ReconstructionRunner::onJobFinished(const QString &tag, quint64 id)
{
    auto it = m_jobs.find(tag);
    if (it == m_jobs.end() || it->id != id) return; // superseded
    Job job = *it;
    m_jobs.erase(it);
    auto result = job.watcher->result();
    job.watcher->deleteLater();
    if (!result) {
        Q_EMIT failed(tag, *job.error);
        return;
    }
    m_cache.insert(job.key, new std::shared_ptr<const SiteReconstruction>(result));
    Q_EMIT finished(tag, result, false);
}

} // namespace cprecon
