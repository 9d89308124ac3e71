#include "catalog/Downloader.h"

#include "catalog/FileHash.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QThread>
#include <QTimer>

#include <filesystem>
#include <system_error>

namespace cprecon::models {

std::vector<DownloadItem> modelDownloadPlan(const KnownModel &model, const QString &root, const QString &urlBase)
{
    std::vector<DownloadItem> items;
    for (const ModelFile &f : model.files) {
        DownloadItem it;
        it.url = ModelRegistry::downloadUrl(model, f, urlBase);
        it.destination = root + QLatin1Char('/') + model.name + QLatin1Char('/') + f.path;
        it.checksum = f.checksum;
        it.label = model.name + QStringLiteral(": ") + f.path;
        items.push_back(std::move(it));
    }
    return items;
}

namespace {

QString humanBytes(qint64 b)
{
    if (b < 0) return QStringLiteral("?");
    if (b < 1024 * 1024) return QStringLiteral("%1 bytes").arg(b);
    return QStringLiteral("%1 MB").arg(double(b) / 1e6, 0, 'f', 1);
}

// Loopback URLs (tests, local mirrors) must never go through a configured proxy.
class LoopbackAwareProxyFactory : public QNetworkProxyFactory {
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        const QString host = query.peerHostName();
        const QHostAddress addr(host);
        if (host == QLatin1String("localhost") || (!addr.isNull() && addr.isLoopback()))
            return {QNetworkProxy(QNetworkProxy::NoProxy)};
        return systemProxyForQuery(query);
    }
};

} // namespace

// Lives on the Downloader's thread; one transfer at a time, items in sequence.
class DownloadWorker : public QObject {
    Q_OBJECT
public:
    std::atomic_bool cancelRequested{false};
    std::atomic_int maxRetries{3};
    std::atomic_int timeoutMs{60000};
    std::atomic_int retryDelayMs{1000};

    void begin(std::vector<DownloadItem> items)
    {
        if (!m_nam) {
            m_nam = new QNetworkAccessManager(this);
            m_nam->setProxyFactory(new LoopbackAwareProxyFactory);
        }
        m_items = std::move(items);
        m_index = -1;
        m_result = DownloadResult{};
        nextItem();
    }

    void abortNow()
    {
        if (m_reply) m_reply->abort(); // finishes with OperationCanceledError -> handled as cancel
    }

Q_SIGNALS:
    void fileStarted(int index, int count, const QString &label);
    void progress(qint64 bytesReceived, qint64 bytesTotal);
    void message(const QString &text);
    void done(const cprecon::models::DownloadResult &result);

private:
    const DownloadItem &item() const { return m_items[static_cast<size_t>(m_index)]; }
    QString partPath() const { return item().destination + QStringLiteral(".part"); }

    void nextItem()
    {
        ++m_index;
        if (m_index >= static_cast<int>(m_items.size())) {
            m_result.outcome = DownloadResult::Outcome::Ok;
            Q_EMIT done(m_result);
            return;
        }
        if (cancelRequested) return finishCanceled();
        const DownloadItem &it = item();
        Q_EMIT fileStarted(m_index, static_cast<int>(m_items.size()), it.label);
        m_httpStatus = 0;
        m_retriesLeft = maxRetries.load();

        if (!it.overwrite && QFileInfo::exists(it.destination)) {
            QString actual;
            try {
                actual = it.checksum.isEmpty() ? QString() : sha256File(it.destination, &cancelRequested);
            } catch (const std::exception &e) {
                return fail(QString::fromUtf8(e.what()));
            }
            if (cancelRequested) return finishCanceled();
            if (it.checksum.isEmpty() || it.checksum.matches(actual)) {
                Q_EMIT message(QStringLiteral("%1: already present at %2").arg(it.label, it.destination));
                m_result.installed << it.destination;
                return nextItem();
            }
            Q_EMIT message(QStringLiteral("%1: existing file does not match (%2, got %3): downloading it again")
                               .arg(it.label, it.checksum.describe(), actual));
        }
        if (!QDir().mkpath(QFileInfo(it.destination).absolutePath()))
            return fail(QStringLiteral("cannot create folder %1 for %2 (check permissions or choose another --dir)")
                            .arg(QFileInfo(it.destination).absolutePath(), it.label));

        // Resume: re-hash what an earlier attempt left in the .part, then ask only for the rest.
        m_hash.reset();
        m_have = 0;
        const QFileInfo part(partPath());
        if (part.exists() && part.size() > 0) {
            QFile f(partPath());
            if (!f.open(QIODevice::ReadOnly))
                return fail(QStringLiteral("cannot read partial download %1: %2").arg(partPath(), f.errorString()));
            QByteArray buf(1 << 20, Qt::Uninitialized);
            for (qint64 n; (n = f.read(buf.data(), buf.size())) > 0;) {
                if (cancelRequested) return finishCanceled();
                m_hash.addData(QByteArrayView(buf.constData(), n));
                m_have += n;
            }
            Q_EMIT message(QStringLiteral("%1: resuming partial download at %2").arg(it.label, humanBytes(m_have)));
        }
        sendRequest();
    }

    void sendRequest()
    {
        if (cancelRequested) return finishCanceled();
        m_part.setFileName(partPath());
        if (!m_part.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
            return fail(QStringLiteral("cannot write %1: %2 (check permissions / free space)").arg(partPath(), m_part.errorString()));
        QNetworkRequest req(item().url);
        req.setRawHeader("User-Agent", "cprecon-model-downloader/0.1");
        req.setRawHeader("Accept-Encoding", "identity"); // byte offsets must refer to the file itself
        if (m_have > 0) req.setRawHeader("Range", QByteArray("bytes=") + QByteArray::number(m_have) + "-");
        req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        req.setTransferTimeout(timeoutMs.load());
        m_headersChecked = false;
        m_skipBody = false;
        m_rangeComplete = false;
        m_localError.clear();
        m_total = -1;
        m_progressClock.start();
        m_reply = m_nam->get(req);
        connect(m_reply, &QNetworkReply::readyRead, this, &DownloadWorker::onReadyRead);
        connect(m_reply, &QNetworkReply::finished, this, &DownloadWorker::onFinished);
    }

    // Interprets the status line once per response; sets m_skipBody when the body must not be written.
    void checkHeaders()
    {
        m_headersChecked = true;
        m_httpStatus = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const qint64 contentLength = m_reply->header(QNetworkRequest::ContentLengthHeader).isValid()
                                         ? m_reply->header(QNetworkRequest::ContentLengthHeader).toLongLong()
                                         : -1;
        if (m_httpStatus == 206) {
            static const QRegularExpression re(QStringLiteral("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)"));
            const auto mt = re.match(QString::fromLatin1(m_reply->rawHeader("Content-Range")));
            if (!mt.hasMatch() || mt.captured(1).toLongLong() != m_have) {
                // The server resumed somewhere else: start over rather than splice mismatched bytes.
                m_localError = QStringLiteral("server answered the resume request with Content-Range '%1' (expected start %2)")
                                   .arg(QString::fromLatin1(m_reply->rawHeader("Content-Range")))
                                   .arg(m_have);
                restartFromZero();
                m_skipBody = true;
                return;
            }
            m_total = mt.captured(3) == QLatin1String("*") ? (contentLength >= 0 ? m_have + contentLength : -1)
                                                          : mt.captured(3).toLongLong();
        } else if (m_httpStatus == 200) {
            if (m_have > 0) {
                Q_EMIT message(QStringLiteral("%1: server does not support resume; restarting from zero").arg(item().label));
                restartFromZero();
            }
            m_total = contentLength;
        } else if (m_httpStatus == 416 && m_have > 0) {
            m_rangeComplete = true; // nothing left to fetch: the .part already holds the whole file
            m_skipBody = true;
            return;
        } else {
            m_skipBody = true;
            return;
        }
        if (m_total > 0) {
            const QStorageInfo storage(QFileInfo(partPath()).absolutePath());
            const qint64 need = m_total - m_have;
            if (storage.isValid() && storage.bytesAvailable() >= 0 && storage.bytesAvailable() < need) {
                m_localError = QStringLiteral("not enough disk space for %1: need %2 more, %3 available on %4 (free space or use --dir)")
                                   .arg(item().label, humanBytes(need), humanBytes(storage.bytesAvailable()), storage.rootPath());
                m_fatal = true;
                m_skipBody = true;
                m_reply->abort();
            }
        }
    }

    void restartFromZero()
    {
        m_part.resize(0);
        m_hash.reset();
        m_have = 0;
    }

    void onReadyRead()
    {
        if (!m_reply) return;
        if (!m_headersChecked) checkHeaders();
        if (!m_reply) return;
        const QByteArray data = m_reply->readAll();
        if (m_skipBody || data.isEmpty()) return;
        const qint64 written = m_part.write(data);
        if (written != data.size()) {
            m_localError = QStringLiteral("cannot write %1 after %2: %3 (disk full?)")
                               .arg(partPath(), humanBytes(m_have), m_part.errorString());
            m_fatal = true;
            m_skipBody = true;
            m_reply->abort();
            return;
        }
        m_hash.addData(data);
        m_have += data.size();
        if (m_progressClock.elapsed() >= 100) {
            m_progressClock.restart();
            Q_EMIT progress(m_have, m_total);
        }
    }

    void onFinished()
    {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->deleteLater();
        if (!m_headersChecked) {
            m_reply = reply; // checkHeaders reads from it
            checkHeaders();
            m_reply = nullptr;
        }
        m_part.close();
        const DownloadItem &it = item();
        const QString url = it.url.toString();

        if (m_fatal) {
            m_fatal = false;
            return fail(m_localError);
        }
        if (cancelRequested) return finishCanceled();

        if (m_httpStatus >= 400 && !m_rangeComplete) {
            QString hint;
            if (m_httpStatus == 401 || m_httpStatus == 403)
                hint = QStringLiteral(" — the model may be gated: log in on the hub and accept its licence, fetch it with "
                                      "huggingface-cli or a browser, then use Locate (or put it in the models folder)");
            else if (m_httpStatus == 404)
                hint = QStringLiteral(" — the file is not at this URL (check the model name / --url-base)");
            return fail(QStringLiteral("HTTP %1 %2 from %3 while downloading %4%5")
                            .arg(m_httpStatus)
                            .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(), url, it.label, hint),
                        m_httpStatus);
        }

        if (!m_rangeComplete && m_httpStatus != 0 && m_httpStatus != 200 && m_httpStatus != 206)
            return fail(QStringLiteral("unexpected HTTP %1 %2 from %3 while downloading %4")
                            .arg(m_httpStatus)
                            .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(), url, it.label),
                        m_httpStatus);

        const bool networkError = reply->error() != QNetworkReply::NoError && !m_rangeComplete;
        const bool shortBody = m_total > 0 && m_have < m_total && !m_rangeComplete;
        if (networkError || shortBody || !m_localError.isEmpty()) {
            const QString why = !m_localError.isEmpty() ? m_localError
                                : networkError       ? reply->errorString()
                                                     : QStringLiteral("the body ended early");
            const QString drop =
                m_httpStatus == 0 && m_have == 0
                    ? QStringLiteral("could not reach %1 to download %2 from %3 (%4)").arg(it.url.host(), it.label, url, why)
                    : QStringLiteral("transfer interrupted (connection dropped) after %1 of %2 while downloading %3 from %4 (%5)")
                          .arg(humanBytes(m_have), humanBytes(m_total), it.label, url, why);
            if (m_retriesLeft > 0) {
                const int attempt = maxRetries.load() - m_retriesLeft + 1;
                --m_retriesLeft;
                Q_EMIT message(drop + QStringLiteral("; resuming (attempt %1 of %2)").arg(attempt).arg(maxRetries.load()));
                QTimer::singleShot(retryDelayMs.load() * attempt, this, &DownloadWorker::sendRequest);
                return;
            }
            if (m_have == 0) return fail(drop, m_httpStatus, true);
            return fail(drop + QStringLiteral("; the partial file %1 is kept — download again to resume").arg(partPath()),
                        m_httpStatus);
        }
        if (m_total > 0 && m_have > m_total)
            return fail(QStringLiteral("%1: received %2 but the server announced %3; the partial file %4 was deleted")
                            .arg(it.label, humanBytes(m_have), humanBytes(m_total), partPath()),
                        m_httpStatus, true);
        Q_EMIT progress(m_have, m_total > 0 ? m_total : m_have);

        Q_EMIT message(QStringLiteral("%1: verifying (%2)").arg(it.label, it.checksum.describe()));
        const QString actual = QString::fromLatin1(m_hash.result().toHex());
        if (!it.checksum.matches(actual))
            return fail(QStringLiteral("checksum mismatch for %1 (%2): expected %3, got sha256 %4; the file was not "
                                       "installed and the corrupt download was deleted")
                            .arg(it.label, url, it.checksum.describe(), actual),
                        m_httpStatus, true);

        std::error_code ec;
        std::filesystem::rename(QFile::encodeName(partPath()).toStdString(), QFile::encodeName(it.destination).toStdString(), ec);
        if (ec)
            return fail(QStringLiteral("cannot move %1 to %2: %3").arg(partPath(), it.destination, QString::fromStdString(ec.message())));
        rememberSha256(it.destination, actual);
        m_result.installed << it.destination;
        Q_EMIT message(QStringLiteral("%1: installed %2 (sha256 %3)").arg(it.label, it.destination, actual));
        nextItem();
    }

    void fail(const QString &error, int httpStatus = 0, bool deletePart = false)
    {
        if (m_part.isOpen()) m_part.close();
        if (m_index >= 0 && m_index < static_cast<int>(m_items.size())) {
            const QFileInfo part(partPath());
            if (deletePart || (part.isFile() && part.size() == 0)) QFile::remove(partPath()); // nothing to resume
        }
        m_result.outcome = DownloadResult::Outcome::Failed;
        m_result.error = error;
        m_result.label = m_index >= 0 && m_index < static_cast<int>(m_items.size()) ? item().label : QString();
        m_result.httpStatus = httpStatus;
        Q_EMIT done(m_result);
    }

    void finishCanceled()
    {
        if (m_part.isOpen()) m_part.close();
        if (m_index >= 0 && m_index < static_cast<int>(m_items.size()) && QFileInfo(partPath()).isFile() &&
            QFileInfo(partPath()).size() == 0)
            QFile::remove(partPath());
        m_result.outcome = DownloadResult::Outcome::Canceled;
        m_result.label = m_index >= 0 && m_index < static_cast<int>(m_items.size()) ? item().label : QString();
        const qint64 kept = m_index >= 0 && m_index < static_cast<int>(m_items.size()) ? QFileInfo(partPath()).size() : 0;
        m_result.error = kept > 0 ? QStringLiteral("download canceled; %1 kept in %2 — download again to resume")
                                        .arg(humanBytes(kept), partPath())
                                  : QStringLiteral("download canceled");
        Q_EMIT done(m_result);
    }

    QNetworkAccessManager *m_nam = nullptr;
    QNetworkReply *m_reply = nullptr;
    std::vector<DownloadItem> m_items;
    int m_index = -1;
    DownloadResult m_result;
    QFile m_part;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_have = 0;  // bytes in the .part (all hashed)
    qint64 m_total = -1;
    int m_httpStatus = 0;
    int m_retriesLeft = 0;
    bool m_headersChecked = false;
    bool m_skipBody = false;
    bool m_rangeComplete = false;
    bool m_fatal = false;
    QString m_localError;
    QElapsedTimer m_progressClock;
};

// ---------------------------------------------------------------------------------------------------------------

Downloader::Downloader(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<cprecon::models::DownloadResult>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("cprecon-downloader"));
    m_worker = new DownloadWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &DownloadWorker::fileStarted, this, &Downloader::fileStarted);
    connect(m_worker, &DownloadWorker::progress, this, &Downloader::progress);
    connect(m_worker, &DownloadWorker::message, this, &Downloader::message);
    connect(m_worker, &DownloadWorker::done, this, [this](const DownloadResult &r) {
        m_running = false;
        Q_EMIT finished(r);
    });
    m_thread->start();
}

Downloader::~Downloader()
{
    cancel();
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

void Downloader::setMaxRetries(int retries) { m_worker->maxRetries = std::max(0, retries); }
void Downloader::setTransferTimeoutMs(int ms) { m_worker->timeoutMs = std::max(0, ms); }
void Downloader::setRetryDelayMs(int ms) { m_worker->retryDelayMs = std::max(0, ms); }

void Downloader::start(std::vector<DownloadItem> items)
{
    m_running = true;
    m_worker->cancelRequested = false;
    QMetaObject::invokeMethod(m_worker, [w = m_worker, items = std::move(items)]() mutable { w->begin(std::move(items)); },
                              Qt::QueuedConnection);
}

void Downloader::cancel()
{
    if (!m_running) return;
    m_worker->cancelRequested = true;
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->abortNow(); }, Qt::QueuedConnection);
}

DownloadResult Downloader::runBlocking(std::vector<DownloadItem> items)
{
    DownloadResult result;
    QEventLoop loop;
    const auto c = connect(this, &Downloader::finished, &loop, [&](const DownloadResult &r) {
        result = r;
        loop.quit();
    });
    start(std::move(items));
    loop.exec();
    disconnect(c);
    return result;
}

} // namespace cprecon::models

#include "Downloader.moc"
