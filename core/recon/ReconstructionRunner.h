#pragma once
// Runs site reconstructions on a worker thread for interactive views, with a result cache and the restart pattern
// (Qt's Mandelbrot example): a new request cancels the running one, whose result is then never delivered, so no
// stale image can appear. Results are delivered on the thread the runner lives in (the GUI thread) via signals.
#include "recon/SiteReconstruction.h"

#include <QCache>
#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>

namespace cprecon {

class ReconstructionRunner : public QObject {
    Q_OBJECT
public:
    explicit ReconstructionRunner(QObject *parent = nullptr);
    ~ReconstructionRunner() override; // cancels and waits for the running job

    // Starts (or serves from cache) the reconstruction of `site` with `request`. `tag` is handed back with the
    // result so a view can run several models side by side (e.g. "main", "compare").
    void request(const QString &tag, const Site &site, const QString &siteLabel, const ReconstructionRequest &request);
    void cancel(const QString &tag); // drops the running job of this tag, if any
    bool isRunning(const QString &tag) const;
    int cacheHits() const { return m_cacheHits; }
    int started() const { return m_started; }
    void setCacheCapacity(int entries) { m_cache.setMaxCost(entries); }

Q_SIGNALS:
    void progress(const QString &tag, int done, int total);
    void finished(const QString &tag, std::shared_ptr<const cprecon::SiteReconstruction> result, bool fromCache);
    void failed(const QString &tag, const QString &message);

private:
    struct Job {
        quint64 id = 0;
        QString key;
        std::shared_ptr<std::atomic<bool>> cancel;
        QFutureWatcher<std::shared_ptr<const SiteReconstruction>> *watcher = nullptr;
        std::shared_ptr<QString> error;
    };
    void onJobFinished(const QString &tag, quint64 id);

    QMap<QString, Job> m_jobs; // running job per tag
    QCache<QString, std::shared_ptr<const SiteReconstruction>> m_cache{24};
    quint64 m_nextId = 1;
    int m_cacheHits = 0;
    int m_started = 0;
};

} // namespace cprecon
