// Weight discovery on fake cache trees laid out like the real ones: HF hub cache (blobs named by sha256, relative
// symlinks from snapshots/<rev>/, refs/main, .incomplete downloads), torch hub checkpoints, the user models folder
// (incl. .part files), user-picked files/folders remembered in settings — with HOME/XDG/HF/TORCH env pointed here.
#include "TestSupport.h"

#include "catalog/FileHash.h"
#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"
#include "util/Error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <utime.h>

using namespace cprecon::models;

namespace {

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    return f.write(data) == data.size();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString sha256(const QByteArray &d)
{
    return QString::fromLatin1(QCryptographicHash::hash(d, QCryptographicHash::Sha256).toHex());
}

// A snapshot file as huggingface_hub stores it: content in blobs/<etag>, a relative symlink in snapshots/<rev>/.
// LFS files have etag = sha256(content); small git files a 40-hex git blob id.
bool addHfFile(const QString &repoDir, const QString &rev, const QString &relPath, const QByteArray &content, bool lfs,
               const QByteArray &storedContent = {})
{
    const QString etag = lfs ? sha256(content) : QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha1).toHex());
    const QString blob = repoDir + QStringLiteral("/blobs/") + etag;
    if (!QFileInfo::exists(blob) && !writeFile(blob, storedContent.isEmpty() ? content : storedContent)) return false;
    const QString link = repoDir + QStringLiteral("/snapshots/") + rev + QLatin1Char('/') + relPath;
    QDir().mkpath(QFileInfo(link).absolutePath());
    const int depth = relPath.count(QLatin1Char('/')) + 2; // snapshots/<rev>/[sub/]file -> ../../[../]blobs
    QString target;
    for (int i = 0; i < depth; ++i) target += QStringLiteral("../");
    target += QStringLiteral("blobs/") + etag;
    return QFile::link(target, link);
}

void setMtime(const QString &path, qint64 secondsAgo)
{
    struct utimbuf t;
    t.actime = t.modtime = static_cast<time_t>(QDateTime::currentSecsSinceEpoch() - secondsAgo);
    ::utime(QFile::encodeName(path).constData(), &t);
}

} // namespace

class TestDiscovery : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QByteArray m_weights, m_config;
    const ModelRegistry &reg() { return ModelRegistry::builtin(); }
    QString tmp(const QString &rel) const { return m_tmp.path() + QLatin1Char('/') + rel; }

private Q_SLOTS:
    void initTestCase()
    {
        CPRECON_REQUIRE_PATH(weights, cprecon::test::fixture(QStringLiteral("vae/tiny/diffusion_pytorch_model.safetensors")));
        m_weights = readAll(weights);
        m_config = readAll(cprecon::test::fixture(QStringLiteral("vae/tiny/config.json")));
        QVERIFY(m_tmp.isValid());
    }

    void init()
    {
        // Every default location lives under the temporary HOME; each test points the variables it needs.
        for (const char *v : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "TORCH_HOME", "CPRECON_MODELS", "XDG_CACHE_HOME"})
            qunsetenv(v);
        qputenv("HOME", m_tmp.path().toUtf8() + "/home");
        qputenv("XDG_DATA_HOME", m_tmp.path().toUtf8() + "/home/.local/share");
    }

    void environmentLocations()
    {
        qputenv("HF_HUB_CACHE", tmp(QStringLiteral("hubcache")).toUtf8());
        qputenv("HF_HOME", tmp(QStringLiteral("hfhome")).toUtf8());
        qputenv("TORCH_HOME", tmp(QStringLiteral("torchhome")).toUtf8());
        qputenv("CPRECON_MODELS", (tmp(QStringLiteral("m1")) + QLatin1Char(':') + tmp(QStringLiteral("m2"))).toUtf8());
        QSettings s(tmp(QStringLiteral("env.ini")), QSettings::IniFormat);
        setModelsFolder(s, tmp(QStringLiteral("fromsettings")));
        rememberPickedPath(s, QStringLiteral("openphenom"), tmp(QStringLiteral("picked/op")));
        const DiscoveryConfig c = DiscoveryConfig::fromEnvironment(&s);
        const QString home = tmp(QStringLiteral("home"));
        QCOMPARE(c.hfHubRoots, (QStringList{tmp(QStringLiteral("hubcache")), tmp(QStringLiteral("hfhome/hub")),
                                           home + QStringLiteral("/.cache/huggingface/hub")}));
        QCOMPARE(c.torchHubRoots, (QStringList{tmp(QStringLiteral("torchhome/hub/checkpoints")),
                                              home + QStringLiteral("/.cache/torch/hub/checkpoints")}));
        QCOMPARE(c.userModelRoots, (QStringList{tmp(QStringLiteral("m1")), tmp(QStringLiteral("m2")), tmp(QStringLiteral("fromsettings")),
                                               home + QStringLiteral("/.local/share/cprecon/models")}));
        QCOMPARE(c.downloadRoot(), tmp(QStringLiteral("m1")));
        QCOMPARE(c.pickedPaths.value(QStringLiteral("openphenom")), tmp(QStringLiteral("picked/op")));
        forgetPickedPath(s, QStringLiteral("openphenom"));
        QVERIFY(!DiscoveryConfig::fromEnvironment(&s).pickedPaths.contains(QStringLiteral("openphenom")));
    }

    void hfCacheSnapshotFromRefsMain()
    {
        const QString hub = tmp(QStringLiteral("hf1/hub"));
        const QString repo = hub + QStringLiteral("/models--CompVis--stable-diffusion-v1-4");
        QVERIFY(addHfFile(repo, QStringLiteral("aaaa1111"), QStringLiteral("vae/config.json"), m_config, false));
        QVERIFY(addHfFile(repo, QStringLiteral("aaaa1111"), QStringLiteral("vae/diffusion_pytorch_model.safetensors"), m_weights, true));
        QVERIFY(addHfFile(repo, QStringLiteral("bbbb2222"), QStringLiteral("vae/config.json"), m_config, false));
        QVERIFY(addHfFile(repo, QStringLiteral("bbbb2222"), QStringLiteral("vae/diffusion_pytorch_model.safetensors"), m_weights, true));
        QVERIFY(writeFile(repo + QStringLiteral("/refs/main"), "aaaa1111"));
        setMtime(repo + QStringLiteral("/snapshots/aaaa1111"), 3600); // older than bbbb2222, but refs/main wins
        qputenv("HF_HUB_CACHE", hub.toUtf8());

        DiscoveryConfig cfg = DiscoveryConfig::fromEnvironment(nullptr);
        cfg.pickedPaths.clear();
        const KnownModel &sd = reg().get(QStringLiteral("sd-vae-v1-4"));
        ModelStatus st = WeightDiscovery(cfg).status(sd);
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.source, QStringLiteral("hf-cache"));
        QCOMPARE(st.path, repo + QStringLiteral("/snapshots/aaaa1111/vae"));
        QCOMPARE(st.bytes, qint64(m_weights.size() + m_config.size()));
        QCOMPARE(st.files[1].verification, Verification::NotChecked);

        // refs/main naming a snapshot that is gone: fall back to the newest one.
        QVERIFY(writeFile(repo + QStringLiteral("/refs/main"), "cccc3333"));
        st = WeightDiscovery(cfg).status(sd);
        QCOMPARE(st.path, repo + QStringLiteral("/snapshots/bbbb2222/vae"));

        // Verification: the LFS blob name is the content's sha256.
        cfg.verifyChecksums = true;
        st = WeightDiscovery(cfg).status(sd);
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.files[1].verification, Verification::Verified);
        QCOMPARE(st.files[1].actualSha256, sha256(m_weights));
        QVERIFY(st.files[1].expected.contains(QStringLiteral("HF cache blob name")));
        QCOMPARE(st.files[0].verification, Verification::NoReference); // git blob id (sha1), not a sha256

        // Other models of the registry are not in this cache.
        QCOMPARE(WeightDiscovery(cfg).status(reg().get(QStringLiteral("sdxl-vae"))).state, ModelState::Missing);
    }

    void hfCacheCorruptBlobIsAMismatch()
    {
        const QString hub = tmp(QStringLiteral("hf2"));
        const QString repo = hub + QStringLiteral("/models--stabilityai--sd-vae-ft-mse");
        QByteArray bad = m_weights;
        bad[1000] = char(bad[1000] ^ 1);
        QVERIFY(addHfFile(repo, QStringLiteral("r1"), QStringLiteral("config.json"), m_config, false));
        QVERIFY(addHfFile(repo, QStringLiteral("r1"), QStringLiteral("diffusion_pytorch_model.safetensors"), m_weights, true, bad));
        qputenv("HF_HOME", tmp(QStringLiteral("unused-hf-home")).toUtf8());
        qputenv("HF_HUB_CACHE", hub.toUtf8());
        DiscoveryConfig cfg = DiscoveryConfig::fromEnvironment(nullptr);
        cfg.pickedPaths.clear();
        const KnownModel &m = reg().get(QStringLiteral("sd-vae-ft-mse"));
        QCOMPARE(WeightDiscovery(cfg).status(m).state, ModelState::Available); // cheap mode does not hash
        cfg.verifyChecksums = true;
        const ModelStatus st = WeightDiscovery(cfg).status(m);
        QCOMPARE(st.state, ModelState::ChecksumMismatch);
        QCOMPARE(st.files[1].verification, Verification::Mismatch);
        QVERIFY2(st.detail.contains(QStringLiteral("diffusion_pytorch_model.safetensors")), qPrintable(st.detail));
        QVERIFY2(st.detail.contains(sha256(m_weights)) && st.detail.contains(sha256(bad)), qPrintable(st.detail));
    }

    void hfIncompleteDownloadIsPartial()
    {
        const QString hub = tmp(QStringLiteral("hf3"));
        const QString repo = hub + QStringLiteral("/models--stabilityai--sdxl-vae");
        QVERIFY(addHfFile(repo, QStringLiteral("r1"), QStringLiteral("config.json"), m_config, false));
        QVERIFY(writeFile(repo + QStringLiteral("/blobs/") + sha256(m_weights) + QStringLiteral(".incomplete"), m_weights.left(5000)));
        qputenv("HF_HUB_CACHE", hub.toUtf8());
        const ModelStatus st = WeightDiscovery(DiscoveryConfig::fromEnvironment(nullptr)).status(reg().get(QStringLiteral("sdxl-vae")));
        QCOMPARE(st.state, ModelState::Partial);
        QCOMPARE(st.source, QStringLiteral("hf-cache"));
        QVERIFY2(st.detail.contains(QStringLiteral(".incomplete")) && st.detail.contains(QStringLiteral("5000 bytes")), qPrintable(st.detail));
    }

    void torchHubPrefixRule()
    {
        qputenv("TORCH_HOME", tmp(QStringLiteral("torch")).toUtf8());
        const QString file = tmp(QStringLiteral("torch/hub/checkpoints/inception_v3_google-0cc3c7bd.pth"));
        QVERIFY(writeFile(file, m_weights)); // not the real network: its sha256 cannot start with 0cc3c7bd
        DiscoveryConfig cfg = DiscoveryConfig::fromEnvironment(nullptr);
        const KnownModel &tv = reg().get(QStringLiteral("inception-torchvision"));
        ModelStatus st = WeightDiscovery(cfg).status(tv);
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.source, QStringLiteral("torch-hub"));
        QCOMPARE(st.path, file);
        cfg.verifyChecksums = true;
        st = WeightDiscovery(cfg).status(tv);
        QCOMPARE(st.state, ModelState::ChecksumMismatch);
        QVERIFY2(st.detail.contains(QStringLiteral("sha256 starts with 0cc3c7bd")), qPrintable(st.detail));
        QVERIFY2(st.detail.contains(file), qPrintable(st.detail));

        // The FID weights are not there at all.
        st = WeightDiscovery(cfg).status(reg().get(QStringLiteral("inception-fid")));
        QCOMPARE(st.state, ModelState::Missing);
        QVERIFY2(st.detail.contains(tmp(QStringLiteral("torch/hub/checkpoints"))), qPrintable(st.detail));
    }

    void userFolderAvailablePartialAndIncomplete()
    {
        const QString root = tmp(QStringLiteral("usermodels"));
        qputenv("CPRECON_MODELS", root.toUtf8());
        QVERIFY(writeFile(root + QStringLiteral("/sd-vae-ft-mse/config.json"), m_config));
        QVERIFY(writeFile(root + QStringLiteral("/sd-vae-ft-mse/diffusion_pytorch_model.bin"), m_weights)); // alternative name
        QVERIFY(writeFile(root + QStringLiteral("/openphenom/config.json"), "{}"));
        QVERIFY(writeFile(root + QStringLiteral("/openphenom/model.safetensors.part"), QByteArray(777, 'x')));
        QVERIFY(writeFile(root + QStringLiteral("/sdxl-vae/config.json"), m_config)); // weights never fetched
        // A flat folder holding a single-file model directly also counts.
        QVERIFY(writeFile(root + QStringLiteral("/vae-ft-mse-840000-ema-pruned.ckpt"), m_weights));

        const WeightDiscovery d(DiscoveryConfig::fromEnvironment(nullptr));
        ModelStatus st = d.status(reg().get(QStringLiteral("sd-vae-ft-mse")));
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.source, QStringLiteral("user-folder"));
        QCOMPARE(st.path, root + QStringLiteral("/sd-vae-ft-mse"));

        st = d.status(reg().get(QStringLiteral("openphenom")));
        QCOMPARE(st.state, ModelState::Partial);
        QCOMPARE(st.files[1].partialBytes, qint64(777));
        QVERIFY2(st.detail.contains(QStringLiteral("model.safetensors.part")), qPrintable(st.detail));

        st = d.status(reg().get(QStringLiteral("sdxl-vae")));
        QCOMPARE(st.state, ModelState::Missing);
        QVERIFY2(st.detail.contains(QStringLiteral("missing diffusion_pytorch_model.safetensors")), qPrintable(st.detail));

        st = d.status(reg().get(QStringLiteral("sd-vae-ft-mse-original")));
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.path, root + QStringLiteral("/vae-ft-mse-840000-ema-pruned.ckpt"));

        st = d.status(reg().get(QStringLiteral("bicubic8")));
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.source, QStringLiteral("builtin"));
    }

    void pickedPathsAreRemembered()
    {
        // A renamed single file and a full SD repository folder (with vae/ inside), picked by the user.
        const QString single = tmp(QStringLiteral("elsewhere/my-vae.safetensors"));
        QVERIFY(writeFile(single, m_weights));
        const QString sdRoot = tmp(QStringLiteral("elsewhere/stable-diffusion-v1-4"));
        QVERIFY(writeFile(sdRoot + QStringLiteral("/vae/config.json"), m_config));
        QVERIFY(writeFile(sdRoot + QStringLiteral("/vae/diffusion_pytorch_model.safetensors"), m_weights));

        QSettings s(tmp(QStringLiteral("picked.ini")), QSettings::IniFormat);
        rememberPickedPath(s, QStringLiteral("sd-vae-ft-mse-original"), single);
        rememberPickedPath(s, QStringLiteral("sd-vae-v1-4"), sdRoot);
        rememberPickedPath(s, QStringLiteral("openphenom"), tmp(QStringLiteral("elsewhere/does-not-exist")));
        s.sync();
        QSettings reread(tmp(QStringLiteral("picked.ini")), QSettings::IniFormat);
        const WeightDiscovery d(DiscoveryConfig::fromEnvironment(&reread));

        ModelStatus st = d.status(reg().get(QStringLiteral("sd-vae-ft-mse-original")));
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.source, QStringLiteral("picked"));
        QCOMPARE(st.path, single);

        st = d.status(reg().get(QStringLiteral("sd-vae-v1-4")));
        QCOMPARE(st.state, ModelState::Available);
        QCOMPARE(st.path, sdRoot + QStringLiteral("/vae"));

        st = d.status(reg().get(QStringLiteral("openphenom")));
        QCOMPARE(st.state, ModelState::Missing);
        QVERIFY2(st.detail.contains(QStringLiteral("does-not-exist")), qPrintable(st.detail));

        // checkPath: a diffusers weight file picked without its config.json is not enough.
        const QString lone = tmp(QStringLiteral("lone/diffusion_pytorch_model.safetensors"));
        QVERIFY(writeFile(lone, m_weights));
        st = d.checkPath(reg().get(QStringLiteral("sdxl-vae")), lone);
        QCOMPARE(st.state, ModelState::Missing);
        QVERIFY2(st.detail.contains(QStringLiteral("config.json")), qPrintable(st.detail));
    }

    void resolveWeightsByNameOrPath()
    {
        const QString root = tmp(QStringLiteral("resolve"));
        qputenv("CPRECON_MODELS", root.toUtf8());
        QVERIFY(writeFile(root + QStringLiteral("/sdxl-vae/config.json"), m_config));
        QVERIFY(writeFile(root + QStringLiteral("/sdxl-vae/diffusion_pytorch_model.safetensors"), m_weights));
        ModelKind kind = ModelKind::Baseline;
        QCOMPARE(resolveWeights(QStringLiteral("sdxl-vae"), &kind), root + QStringLiteral("/sdxl-vae"));
        QCOMPARE(kind, ModelKind::Vae);
        QCOMPARE(resolveWeights(root + QStringLiteral("/sdxl-vae/config.json")), root + QStringLiteral("/sdxl-vae/config.json"));
        try {
            resolveWeights(QStringLiteral("openphenom"));
            QFAIL("expected an error");
        } catch (const cprecon::Error &e) {
            QVERIFY2(QString::fromStdString(e.fix()).contains(QStringLiteral("models download openphenom")), e.what());
        }
        try {
            resolveWeights(QStringLiteral("no-such-thing"));
            QFAIL("expected an error");
        } catch (const cprecon::Error &e) {
            QCOMPARE(QString::fromStdString(e.file()), QStringLiteral("no-such-thing"));
        }
    }

    void hashCacheFollowsContent()
    {
        const QString f = tmp(QStringLiteral("hash/a.bin"));
        QVERIFY(writeFile(f, "hello"));
        QCOMPARE(sha256File(f), sha256("hello"));
        QFile::remove(f);
        QVERIFY(writeFile(tmp(QStringLiteral("hash/keep-inode-busy")), "x"));
        QVERIFY(writeFile(f, "hello world, longer"));
        QCOMPARE(sha256File(f), sha256("hello world, longer")); // size changed: cache entry not reused
    }
};

QTEST_GUILESS_MAIN(TestDiscovery)
#include "tst_discovery.moc"
