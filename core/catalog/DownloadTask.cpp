#include "catalog/DownloadTask.h"

#include "catalog/ModelStatus.h"

namespace cprecon::models {

DownloadTask::DownloadTask(QString description, std::vector<DownloadItem> items)
    : Task(std::move(description)), m_items(std::move(items))
{
}

bool DownloadTask::run()
{
    Downloader downloader;
    QObject::connect(&downloader, &Downloader::fileStarted, [this](int index, int count, const QString &label) {
        setProgress(-1, QStringLiteral("[%1/%2] %3").arg(index + 1).arg(count).arg(label));
    });
    QObject::connect(&downloader, &Downloader::progress, [this](qint64 got, qint64 total) {
        if (total > 0) setProgress(double(got) / double(total), QStringLiteral("%1 / %2").arg(humanSize(got), humanSize(total)));
    });
    QObject::connect(&downloader, &Downloader::message, [this](const QString &text) { setProgress(-1, text); });
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (isCanceled()) return false;
        m_downloader = &downloader;
    }
    m_result = downloader.runBlocking(m_items);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_downloader = nullptr;
    }
    if (!m_result.ok()) setErrorMessage(m_result.error);
    return m_result.ok();
}

void DownloadTask::finishedOnOwner(bool) { m_delivered = m_result; }

void DownloadTask::onCancel()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_downloader) m_downloader->cancel(); // thread-safe; the transfer ends with Outcome::Canceled
}

} // namespace cprecon::models
