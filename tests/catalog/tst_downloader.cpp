// The model downloader against a loopback HTTP server started here, serving the real tiny-VAE fixture files:
// full download + checksum, dropped connection resumed with Range (automatic and on the next run), corrupted body,
// cancel + resume, 404, server ignoring Range, disk full, and a whole registry model installed and discovered.
#include "LoopbackHttpServer.h"
#include "TestSupport.h"

#include "catalog/Downloader.h"
#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace cprecon::models;
using cprecon::test::LoopbackHttpServer;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestDownloader : public QObject {
    Q_OBJECT

    QByteArray m_weights, m_config;
    QString m_weightsSha; // published by the fixture generator (fixtures/vae/tiny/meta.json), not computed here
    const QByteArray kWeightsPath = "/vae/diffusion_pytorch_model.safetensors";

    DownloadItem item(const LoopbackHttpServer &server, const QString &dir, const QString &sha = {})
    {
        DownloadItem it;
        it.url = QUrl(server.url(QString::fromLatin1(kWeightsPath)));
        it.destination = dir + QStringLiteral("/tiny/diffusion_pytorch_model.safetensors");
        it.checksum.sha256 = sha.isEmpty() ? m_weightsSha : sha;
        it.label = QStringLiteral("tiny-vae: diffusion_pytorch_model.safetensors");
        return it;
    }

    QByteArray tinyRegistryJson() const
    {
        return QStringLiteral(
                   "{\"models\": [{\"name\": \"tiny-vae\", \"kind\": \"vae\", \"hf_repo\": \"test/tiny-vae\","
                   " \"subfolder\": \"vae\", \"licence\": \"test\", \"files\": ["
                   " {\"path\": \"vae/config.json\"},"
                   " {\"path\": \"vae/diffusion_pytorch_model.safetensors\", \"weights\": true, \"sha256\": \"%1\"}]}]}")
            .arg(m_weightsSha)
            .toUtf8();
    }

    // Runs cprecon-cli without blocking this thread's event loop (the loopback server lives on it).
    int runCliAsync(const QStringList &args, const QProcessEnvironment &env, QString *out, QString *err)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        QSignalSpy done(&p, &QProcess::finished);
        p.start(cprecon::test::cliPath(), args);
        if (!p.waitForStarted(30000)) return -1;
        if (!done.wait(120000)) return -2;
        *out = QString::fromUtf8(p.readAllStandardOutput());
        *err = QString::fromUtf8(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    }

    std::unique_ptr<LoopbackHttpServer> server()
    {
        auto s = std::make_unique<LoopbackHttpServer>();
        s->files.insert(kWeightsPath, m_weights);
        s->files.insert("/vae/config.json", m_config);
        if (!s->listen()) return nullptr;
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CPRECON_REQUIRE_PATH(weights, cprecon::test::fixture(QStringLiteral("vae/tiny/diffusion_pytorch_model.safetensors")));
        CPRECON_REQUIRE_PATH(meta, cprecon::test::fixture(QStringLiteral("vae/tiny/meta.json")));
        m_weights = readAll(weights);
        m_config = readAll(cprecon::test::fixture(QStringLiteral("vae/tiny/config.json")));
        m_weightsSha = QJsonDocument::fromJson(readAll(meta)).object().value(QStringLiteral("weights_sha256")).toString();
        QVERIFY(m_weights.size() > 1000000);
        QCOMPARE(m_weightsSha.size(), 64);
    }

    void fullDownloadVerifiesChecksum()
    {
        auto srv = server();
        QVERIFY(srv);
        QTemporaryDir dir;
        Downloader d;
        QSignalSpy progress(&d, &Downloader::progress);
        const auto it = item(*srv, dir.path());
        const DownloadResult r = d.runBlocking({it});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.installed, QStringList{it.destination});
        QCOMPARE(readAll(it.destination), m_weights);
        QVERIFY(!QFile::exists(it.destination + QStringLiteral(".part")));
        QCOMPARE(srv->requests.size(), 1);
        QVERIFY(srv->requests[0].range.isEmpty());
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), qint64(m_weights.size()));
        QCOMPARE(progress.last().at(1).toLongLong(), qint64(m_weights.size()));

        // Present and matching: a second run does not touch the network.
        const DownloadResult again = d.runBlocking({it});
        QVERIFY2(again.ok(), qPrintable(again.error));
        QCOMPARE(srv->requests.size(), 1);
    }

    void droppedConnectionResumesWithRange()
    {
        auto srv = server();
        QVERIFY(srv);
        srv->dropAfterBytes = 1000003;
        srv->dropsLeft = 1;
        QTemporaryDir dir;
        Downloader d;
        d.setRetryDelayMs(10);
        QSignalSpy messages(&d, &Downloader::message);
        const auto it = item(*srv, dir.path());
        const DownloadResult r = d.runBlocking({it});
        QVERIFY2(r.ok(), qPrintable(r.error));
        // Qt's HTTP layer itself re-sends a plain GET (up to twice, QHttpNetworkConnectionChannel's reconnect
        // attempts) when the server closes early — more often on a loaded machine — and no client code can turn
        // that off. So the server's byte count is not ours to bound; what our downloader asks for is: it began
        // without Range, resumed once at the drop, and that resume fetched exactly the rest of the file.
        QVERIFY(srv->requests.size() >= 2);
        QVERIFY(srv->requests.first().range.isEmpty());
        QCOMPARE(srv->requests.last().range, QByteArray("bytes=1000003-"));
        int plain = 0, ranged = 0;
        qint64 rangedBytes = 0;
        for (const auto &rq : srv->requests) {
            if (rq.range.isEmpty()) {
                ++plain;
            } else {
                ++ranged;
                rangedBytes += rq.bodyBytes;
            }
        }
        QCOMPARE(ranged, 1);
        QCOMPARE(rangedBytes, qint64(m_weights.size() - 1000003)); // the rest, once: never the file again
        QVERIFY2(plain <= 3, qPrintable(QStringLiteral("%1 plain GETs: ours and at most Qt's two re-sends").arg(plain)));
        QCOMPARE(readAll(it.destination), m_weights);
        bool sawRetry = false;
        for (const auto &m : messages) sawRetry |= m.at(0).toString().contains(QStringLiteral("connection dropped"));
        QVERIFY(sawRetry);
    }

    void droppedConnectionKeepsPartThenNextRunResumes()
    {
        auto srv = server();
        QVERIFY(srv);
        srv->dropAfterBytes = 2500000;
        srv->dropsLeft = 1;
        QTemporaryDir dir;
        Downloader d;
        d.setMaxRetries(0);
        const auto it = item(*srv, dir.path());
        const DownloadResult r = d.runBlocking({it});
        QCOMPARE(r.outcome, DownloadResult::Outcome::Failed);
        QVERIFY2(r.error.contains(QStringLiteral("connection dropped")), qPrintable(r.error));
        QVERIFY2(r.error.contains(it.destination + QStringLiteral(".part")), qPrintable(r.error));
        QVERIFY(!QFile::exists(it.destination));
        QCOMPARE(QFileInfo(it.destination + QStringLiteral(".part")).size(), qint64(2500000));

        const DownloadResult r2 = d.runBlocking({it});
        QVERIFY2(r2.ok(), qPrintable(r2.error));
        QCOMPARE(srv->requests.last().range, QByteArray("bytes=2500000-"));
        QCOMPARE(readAll(it.destination), m_weights);
        QVERIFY(!QFile::exists(it.destination + QStringLiteral(".part")));
    }

    void corruptedFileIsNotInstalled()
    {
        auto srv = server();
        QVERIFY(srv);
        srv->corruptOffset = 123457;
        QTemporaryDir dir;
        Downloader d;
        const auto it = item(*srv, dir.path());
        const DownloadResult r = d.runBlocking({it});
        QCOMPARE(r.outcome, DownloadResult::Outcome::Failed);
        QVERIFY2(r.error.contains(QStringLiteral("checksum mismatch")), qPrintable(r.error));
        QVERIFY2(r.error.contains(it.label), qPrintable(r.error));
        QVERIFY2(r.error.contains(m_weightsSha), qPrintable(r.error)); // expected hash named
        QByteArray bad = m_weights;
        bad[123457] = char(bad[123457] ^ 0x5a);
        const QString actual = QString::fromLatin1(QCryptographicHash::hash(bad, QCryptographicHash::Sha256).toHex());
        QVERIFY2(r.error.contains(actual), qPrintable(r.error)); // actual hash named
        QVERIFY(!QFile::exists(it.destination));
        QVERIFY(!QFile::exists(it.destination + QStringLiteral(".part")));
    }

    void sha256PrefixRule()
    {
        auto srv = server();
        QVERIFY(srv);
        QTemporaryDir dir;
        Downloader d;
        auto it = item(*srv, dir.path());
        it.checksum = ChecksumRule{{}, m_weightsSha.left(8)}; // torch-hub style "-207577fc" name
        DownloadResult r = d.runBlocking({it});
        QVERIFY2(r.ok(), qPrintable(r.error));

        it.destination = dir.path() + QStringLiteral("/other.pth");
        it.checksum = ChecksumRule{{}, QStringLiteral("0cc3c7bd")};
        r = d.runBlocking({it});
        QCOMPARE(r.outcome, DownloadResult::Outcome::Failed);
        QVERIFY2(r.error.contains(QStringLiteral("sha256 starts with 0cc3c7bd")), qPrintable(r.error));
        QVERIFY(!QFile::exists(it.destination));
    }

    void cancelKeepsResumablePart()
    {
        auto srv = server();
        QVERIFY(srv);
        srv->trickleChunk = 65536;
        srv->trickleIntervalMs = 5;
        QTemporaryDir dir;
        Downloader d;
        const auto it = item(*srv, dir.path());
        QSignalSpy finished(&d, &Downloader::finished);
        connect(&d, &Downloader::progress, &d, [&d](qint64 got, qint64) {
            if (got > 300000) d.cancel();
        });
        d.start({it});
        QVERIFY(finished.wait(20000));
        const auto r = finished.at(0).at(0).value<DownloadResult>();
        QCOMPARE(r.outcome, DownloadResult::Outcome::Canceled);
        QVERIFY(!QFile::exists(it.destination));
        const qint64 kept = QFileInfo(it.destination + QStringLiteral(".part")).size();
        QVERIFY2(kept > 300000 && kept < m_weights.size(), qPrintable(QString::number(kept)));
        QVERIFY2(r.error.contains(QStringLiteral("resume")), qPrintable(r.error));
        QVERIFY(!d.isRunning());

        disconnect(&d, &Downloader::progress, &d, nullptr);
        srv->trickleChunk = 0;
        const DownloadResult r2 = d.runBlocking({it});
        QVERIFY2(r2.ok(), qPrintable(r2.error));
        QCOMPARE(srv->requests.last().range, QByteArray("bytes=") + QByteArray::number(kept) + '-');
        QCOMPARE(readAll(it.destination), m_weights);
    }

    void notFoundIsNamed()
    {
        auto srv = server();
        QVERIFY(srv);
        QTemporaryDir dir;
        Downloader d;
        auto it = item(*srv, dir.path());
        it.url = QUrl(srv->url(QStringLiteral("/no/such/file.safetensors")));
        const DownloadResult r = d.runBlocking({it});
        QCOMPARE(r.outcome, DownloadResult::Outcome::Failed);
        QCOMPARE(r.httpStatus, 404);
        QVERIFY2(r.error.contains(QStringLiteral("HTTP 404")), qPrintable(r.error));
        QVERIFY2(r.error.contains(it.url.toString()), qPrintable(r.error));
        QVERIFY2(r.error.contains(it.label), qPrintable(r.error));
        QVERIFY(!QFile::exists(it.destination));
        QVERIFY(!QFile::exists(it.destination + QStringLiteral(".part"))); // no empty .part posing as a partial download
        QCOMPARE(srv->requests.size(), 1); // a 404 is not retried
    }

    void serverIgnoringRangeRestartsFromZero()
    {
        auto srv = server();
        QVERIFY(srv);
        srv->honourRange = false;
        QTemporaryDir dir;
        Downloader d;
        const auto it = item(*srv, dir.path());
        QVERIFY(QDir().mkpath(QFileInfo(it.destination).absolutePath()));
        QFile part(it.destination + QStringLiteral(".part"));
        QVERIFY(part.open(QIODevice::WriteOnly));
        part.write(QByteArray(4096, 'x')); // stale bytes that must not end up in the file
        part.close();
        const DownloadResult r = d.runBlocking({it});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(srv->requests.size(), 1);
        QCOMPARE(srv->requests[0].range, QByteArray("bytes=4096-"));
        QCOMPARE(readAll(it.destination), m_weights);
    }

    void completePartIsInstalledAfter416()
    {
        auto srv = server();
        QVERIFY(srv);
        QTemporaryDir dir;
        Downloader d;
        const auto it = item(*srv, dir.path());
        QVERIFY(QDir().mkpath(QFileInfo(it.destination).absolutePath()));
        QFile part(it.destination + QStringLiteral(".part"));
        QVERIFY(part.open(QIODevice::WriteOnly));
        part.write(m_weights); // an earlier run got every byte but stopped before installing
        part.close();
        const DownloadResult r = d.runBlocking({it});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(srv->requests.last().range, QByteArray("bytes=") + QByteArray::number(m_weights.size()) + '-');
        QCOMPARE(readAll(it.destination), m_weights);
    }

    void diskFullIsReported()
    {
        if (!QFileInfo::exists(QStringLiteral("/dev/full"))) CPRECON_MISSING(QStringLiteral("no /dev/full on this system"));
        auto srv = server();
        QVERIFY(srv);
        QTemporaryDir dir;
        Downloader d;
        const auto it = item(*srv, dir.path());
        QVERIFY(QDir().mkpath(QFileInfo(it.destination).absolutePath()));
        // Every write to /dev/full fails with ENOSPC: the same error a full disk gives.
        QVERIFY(QFile::link(QStringLiteral("/dev/full"), it.destination + QStringLiteral(".part")));
        const DownloadResult r = d.runBlocking({it});
        QCOMPARE(r.outcome, DownloadResult::Outcome::Failed);
        QVERIFY2(r.error.contains(QStringLiteral("disk full")), qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("No space left on device")), qPrintable(r.error));
        QVERIFY(!QFile::exists(it.destination));
    }

    void registryModelDownloadAndDiscovery()
    {
        auto srv = server();
        QVERIFY(srv);
        const QByteArray json = tinyRegistryJson();
        const ModelRegistry reg = ModelRegistry::fromJson(json, QStringLiteral("test registry"));
        const KnownModel &m = reg.get(QStringLiteral("tiny-vae"));
        QTemporaryDir dir;
        const auto plan = modelDownloadPlan(m, dir.path(), srv->baseUrl() + QStringLiteral("/"));
        QCOMPARE(plan.size(), size_t(2));
        QCOMPARE(plan[0].url.toString(), srv->url(QStringLiteral("/vae/config.json")));
        QCOMPARE(plan[1].destination, dir.path() + QStringLiteral("/tiny-vae/vae/diffusion_pytorch_model.safetensors"));

        Downloader d;
        QSignalSpy started(&d, &Downloader::fileStarted);
        const DownloadResult r = d.runBlocking(plan);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(started.size(), 2);
        QCOMPARE(r.installed.size(), 2);

        DiscoveryConfig cfg;
        cfg.userModelRoots = {dir.path()};
        cfg.verifyChecksums = true;
        const ModelStatus st = WeightDiscovery(cfg).status(m);
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.source, QStringLiteral("user-folder"));
        QCOMPARE(st.path, dir.path() + QStringLiteral("/tiny-vae/vae"));
        QCOMPARE(st.files[1].verification, Verification::Verified);
        QCOMPARE(st.files[0].verification, Verification::NoReference);
    }

    void cliDownloadThenList()
    {
        if (!QFileInfo(cprecon::test::cliPath()).isExecutable()) CPRECON_MISSING(QStringLiteral("cprecon-cli not built"));
        auto srv = server();
        QVERIFY(srv);
        srv->dropAfterBytes = 3000000; // the CLI must resume this by itself
        srv->dropsLeft = 1;
        QTemporaryDir dir;
        const QString registry = dir.filePath(QStringLiteral("registry.json"));
        QFile f(registry);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tinyRegistryJson());
        f.close();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *v : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "TORCH_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"})
            env.remove(QString::fromLatin1(v));
        env.insert(QStringLiteral("HOME"), dir.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("home/share")));
        env.insert(QStringLiteral("CPRECON_MODEL_REGISTRY"), registry);
        env.insert(QStringLiteral("CPRECON_MODELS"), dir.filePath(QStringLiteral("models")));

        QString out, err;
        int rc = runCliAsync({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("tiny-vae"),
                              QStringLiteral("--url-base"), srv->baseUrl()},
                             env, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        const QString installed = dir.filePath(QStringLiteral("models/tiny-vae/vae"));
        QVERIFY2(out.contains(installed), qPrintable(out));
        QCOMPARE(readAll(installed + QStringLiteral("/diffusion_pytorch_model.safetensors")), m_weights);
        QCOMPARE(srv->requests.last().range, QByteArray("bytes=3000000-"));

        rc = runCliAsync({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--verify")},
                         env, &out, &err);
        QVERIFY2(rc == 0, qPrintable(err));
        const QJsonObject root = QJsonDocument::fromJson(out.toUtf8()).object();
        QJsonObject tiny, openphenom;
        for (const auto &v : root.value(QStringLiteral("models")).toArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("name")).toString() == QStringLiteral("tiny-vae")) tiny = o;
            if (o.value(QStringLiteral("name")).toString() == QStringLiteral("openphenom")) openphenom = o;
        }
        QCOMPARE(tiny.value(QStringLiteral("status")).toString(), QStringLiteral("available"));
        QCOMPARE(tiny.value(QStringLiteral("path")).toString(), installed);
        QCOMPARE(tiny.value(QStringLiteral("files")).toArray().at(1).toObject().value(QStringLiteral("verification")).toString(),
                 QStringLiteral("verified"));
        QCOMPARE(openphenom.value(QStringLiteral("status")).toString(), QStringLiteral("missing"));
        QVERIFY(openphenom.value(QStringLiteral("non_commercial")).toBool());

        // 404 through the CLI: named error, non-zero exit.
        rc = runCliAsync({QStringLiteral("models"), QStringLiteral("download"), QStringLiteral("tiny-vae"), QStringLiteral("--dir"),
                          dir.filePath(QStringLiteral("other")), QStringLiteral("--url-base"), srv->baseUrl() + QStringLiteral("/nothing-here")},
                         env, &out, &err);
        QCOMPARE(rc, 1);
        QVERIFY2(err.contains(QStringLiteral("HTTP 404")) && err.contains(QStringLiteral("tiny-vae: vae/config.json")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestDownloader)
#include "tst_downloader.moc"
