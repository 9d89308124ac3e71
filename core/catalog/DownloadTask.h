#pragma once
// A model download as a Task (jobs/Task.h), for the GUI: the Downloader's transfer runs from the task's worker
// (its network I/O on the Downloader's own thread), progress arrives as the task's progress, cancel() keeps the
// .part for a later resume. result() is valid on the owner's thread once finished(ok) has been emitted.
#include "catalog/Downloader.h"
#include "jobs/Task.h"

#include <mutex>
#include <vector>

namespace cprecon::models {

class DownloadTask final : public Task {
public:
    DownloadTask(QString description, std::vector<DownloadItem> items);
    const DownloadResult &result() const { return m_delivered; }

protected:
    bool run() override;
    void finishedOnOwner(bool ok) override;
    void onCancel() override;

private:
    std::vector<DownloadItem> m_items;
    std::mutex m_mutex;                // guards m_downloader against cancel() from another thread
    Downloader *m_downloader = nullptr; // lives on the worker during run()
    DownloadResult m_result, m_delivered;
};

} // namespace cprecon::models
