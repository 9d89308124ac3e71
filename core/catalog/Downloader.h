#pragma once
// Resumable, checksum-verifying HTTP(S) downloader for model weights. Runs its network I/O and hashing on its own
// thread (never blocks the caller's event loop); signals arrive in the thread that owns the Downloader.
//
// Per file: transfer into <destination>.part, resuming an existing .part with an HTTP Range request (also after a
// dropped connection, up to maxRetries times automatically), stream the bytes through sha256, check the file's
// ChecksumRule, then atomically rename .part → destination. A checksum mismatch deletes the .part and installs
// nothing; cancel and connection drops keep the .part so the next download resumes it.
#include "catalog/ModelRegistry.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <vector>

class QThread;

namespace cprecon::models {

struct DownloadItem {
    QUrl url;
    QString destination;   // final path; bytes go to destination + ".part" first
    ChecksumRule checksum; // empty = no check
    QString label;         // shown in progress and errors, e.g. "sd-vae-v1-4: vae/config.json"
    bool overwrite = false; // re-download even when the destination exists (and matches its checksum)
};

struct DownloadResult {
    enum class Outcome { Ok, Failed, Canceled };
    Outcome outcome = Outcome::Failed;
    QString error;         // human message: names the file, URL, HTTP status / expected and actual hash
    QString label;         // the item concerned by an error/cancel
    int httpStatus = 0;    // last HTTP status seen for that item (0 = none)
    QStringList installed; // destinations present after the run (downloaded or already there)
    bool ok() const { return outcome == Outcome::Ok; }
};

// The files of a registry model, into <root>/<model name>/<file path>, from the official URLs or from
// urlBase + "/" + <file path> (mirror / test server).
std::vector<DownloadItem> modelDownloadPlan(const KnownModel &model, const QString &root, const QString &urlBase = {});

class DownloadWorker;

class Downloader : public QObject {
    Q_OBJECT
public:
    explicit Downloader(QObject *parent = nullptr);
    ~Downloader() override; // cancels a running transfer (the .part stays) and joins the thread

    void setMaxRetries(int retries);       // automatic resumes after a dropped connection (default 3)
    void setTransferTimeoutMs(int ms);      // a transfer with no data for this long counts as dropped (default 60 s)
    void setRetryDelayMs(int ms);           // pause before a resume attempt (default 1000 ms × attempt)

    void start(std::vector<DownloadItem> items); // asynchronous; finished() reports the outcome
    void cancel();                               // thread-safe; keeps the .part for a later resume
    bool isRunning() const { return m_running.load(); }

    // Runs the items and waits (spinning a local event loop) — for the CLI and tests.
    DownloadResult runBlocking(std::vector<DownloadItem> items);

Q_SIGNALS:
    void fileStarted(int index, int count, const QString &label);
    void progress(qint64 bytesReceived, qint64 bytesTotal); // current file; total -1 when unknown
    void message(const QString &text);                       // "resuming at …", "retrying …", "verifying …"
    void finished(const cprecon::models::DownloadResult &result);

private:
    QThread *m_thread = nullptr;
    DownloadWorker *m_worker = nullptr;
    std::atomic_bool m_running{false};
};

} // namespace cprecon::models

Q_DECLARE_METATYPE(cprecon::models::DownloadResult)
