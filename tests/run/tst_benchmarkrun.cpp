// The full path of a run on real data: the bundled CPJUMP1 site and the natural photos, through the tiny
// SD-VAE fixture (paper protocol: sampled latents, two repeats) with the InceptionV3 fixture weights and the
// handcrafted features — every stored number finite, the originals computed once, the repeats different where the
// seed matters, FID for every dataset and triplet (RGB for the photos), KLD present, FR not claimed where it cannot
// be computed.
#include "TestSupport.h"

#include "models/ModelPool.h"
#include "run/BenchmarkRun.h"
#include "run/RunAnalysis.h"
#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QDir>
#include <QTemporaryDir>

#include <lmdb.h>

#include <cmath>
#include <set>

using namespace cprecon;
using namespace cprecon::run;

class TestBenchmarkRun : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void realSitesAndPhotosThroughTheTinyVaeAndInception()
    {
        CPRECON_REQUIRE_PATH(vae, test::fixture(QStringLiteral("vae/tiny")));
        CPRECON_REQUIRE_PATH(inception, test::fixture(QStringLiteral("inception/weights.safetensors")));
        CPRECON_REQUIRE_PATH(cpjump1, test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1")));
        CPRECON_REQUIRE_PATH(natural, test::data(QStringLiteral("natural")));
        std::vector<Screen> screens{openScreen(cpjump1), openScreen(natural)};
        std::vector<const Screen *> pointers;
        for (const Screen &s : screens) pointers.push_back(&s);

        RunConfig c;
        c.models = {QStringLiteral("sd-vae:") + vae};
        c.extractors = {{"inception", inception.toStdString()}, {"handcrafted", ""}};
        c.protocol = Protocol::Paper;
        c.repeats = 2;
        c.nullSize = 1000;
        c.aggregations = {profiles::Aggregation::Mean};
        const RunPlan plan = planRun(c, pointers);
        QCOMPARE(int(plan.work.size()), 1 + 29);
        int naturalSets = 0;
        for (const Dataset &d : plan.datasets) naturalSets += d.natural ? 1 : 0;
        QCOMPARE(naturalSets, 1);

        ResultsStore store = ResultsStore::create(m_dir.filePath(QStringLiteral("run")), c, "test");
        store.setMeta("group_by", "[]");
        ModelPool models;
        const std::vector<RunSource> sources = runSources(models, c);
        QCOMPARE(int(sources.size()), 1);
        QCOMPARE(sources.front().repeats, 2); // sampled latents: the seed matters, so both repeats are computed
        const TilePassReport r = runTilePass(models, c, plan, store);
        QVERIFY(!r.canceled);
        QCOMPARE(r.unitsComputed, 30 * 3); // originals once + two repeats
        QVERIFY(r.modelSeconds > 0 && r.featureSeconds > 0);

        // Embeddings: present and finite; Inception = both triplets concatenated (4096) for a Cell Painting site, one
        // RGB triplet (2048) for a photo.
        const std::string model = c.models.front().toStdString();
        for (const std::pair<std::string, int> &src : std::vector<std::pair<std::string, int>>{{"", 0}, {model, 0}, {model, 1}}) {
            int cp = 0, photos = 0;
            store.forEachEmbedding(src.first, src.second, "inception", [&](const SiteLocation &loc, const std::vector<float> &v) {
                const bool photo = loc.plate == "natural";
                QCOMPARE(int(v.size()), photo ? 2048 : 4096);
                for (float x : v) QVERIFY(std::isfinite(x));
                (photo ? photos : cp)++;
            });
            QCOMPARE(cp, 1);
            QCOMPARE(photos, 29);
        }
        // The repeats differ (sampled latents), the originals exist once.
        const SiteKey a{model, 0, "BR00117010", "A01", 1}, b{model, 1, "BR00117010", "A01", 1};
        QVERIFY(store.embedding(a, "inception") != store.embedding(b, "inception"));
        QVERIFY(!store.hasSite({"", 1, "BR00117010", "A01", 1}));

        const RunTables t = analyseRun(store);
        // KLD: per triplet and tile, finite and positive (a VAE posterior is never exactly the prior).
        int kld = 0;
        for (const SummaryRow &s : t.summaries)
            if (s.metric == "kld") {
                ++kld;
                QVERIFY(std::isfinite(s.mean) && s.mean > 0);
            }
        QVERIFY(kld >= 2 * 3); // (A, B) for the sites' datasets, RGB for the photos; two repeats
        // FID: every dataset, every triplet it has, both extractors, both repeats.
        std::set<std::string> seen;
        for (const FidRow &f : t.fid) {
            QVERIFY2(std::isfinite(f.fid) && f.fid >= 0, f.dataset.c_str());
            QVERIFY(f.rankWarning); // 16 tiles a site, 29 photos: far below the feature dimension
            seen.insert(f.dataset + "|" + f.triplet + "|" + f.extractor + "|" + std::to_string(f.repeat));
        }
        for (const std::string &d : t.datasets) {
            const bool photo = d.rfind("natural: ", 0) == 0;
            for (const char *ex : {"inception", "handcrafted"})
                for (int rep = 0; rep < 2; ++rep)
                    for (const char *trip : {"A", "B", "RGB"})
                        QCOMPARE(seen.count(d + "|" + trip + "|" + ex + "|" + std::to_string(rep)), size_t(photo == (std::string(trip) == "RGB") ? 1 : 0));
        }
        // FR: the bundled site is one well, without negative controls: no fraction is claimed.
        for (const FrRow &f : t.fr) QVERIFY2(!f.evaluated && !f.reason.empty(), f.dataset.c_str());
    }

    void weightsArePartOfTheRunsIdentity()
    {
        // The weights' sha256 is recorded; resuming after the checkpoint changed is refused, naming it.
        CPRECON_REQUIRE_PATH(vae, test::fixture(QStringLiteral("vae/tiny")));
        CPRECON_REQUIRE_PATH(natural, test::data(QStringLiteral("natural")));
        const QString copy = m_dir.filePath(QStringLiteral("tiny-vae"));
        QVERIFY(QDir().mkpath(copy));
        for (const QString &f : QDir(vae).entryList(QDir::Files)) QVERIFY(QFile::copy(QDir(vae).filePath(f), QDir(copy).filePath(f)));
        const Screen screen = openScreen(natural);
        RunConfig c;
        c.models = {QStringLiteral("sd-vae:") + copy};
        c.extractors = {{"handcrafted", ""}};
        c.protocol = Protocol::Corrected;
        c.repeats = 1;
        RunPlan plan = planRun(c, {&screen});
        plan.work.resize(2);
        ResultsStore store = ResultsStore::create(m_dir.filePath(QStringLiteral("weights-run")), c, "test");
        {
            ModelPool models;
            runTilePass(models, c, plan, store);
        }
        const std::string recorded = store.meta("weights");
        QVERIFY2(recorded.find("diffusion_pytorch_model.safetensors") != std::string::npos && recorded.find("sha256") != std::string::npos,
                 recorded.c_str());
        {
            QFile f(QDir(copy).filePath(QStringLiteral("diffusion_pytorch_model.safetensors")));
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(f.size() - 1));
            char last = 0;
            QVERIFY(f.getChar(&last));
            QVERIFY(f.seek(f.size() - 1));
            QVERIFY(f.putChar(char(last ^ 0x01))); // one bit of one weight: the same file, other weights
        }
        ModelPool models;
        QString message;
        try {
            runTilePass(models, c, plan, store);
        } catch (const Error &e) {
            message = QString::fromStdString(e.what());
        }
        QVERIFY2(message.contains(QStringLiteral("changed since the run started")) && message.contains(QStringLiteral("diffusion_pytorch_model")),
                 qPrintable(message));
    }

    void lsunLmdbIsANaturalDataset()
    {
        // An LMDB export as LSUN publishes it (key = image id, value = the encoded image), written here from the
        // bundled photos: it opens as a natural-image screen and runs like a photo folder.
        CPRECON_REQUIRE_PATH(natural, test::data(QStringLiteral("natural")));
        const QString db = m_dir.filePath(QStringLiteral("church_outdoor_train_lmdb"));
        QVERIFY(QDir().mkpath(db));
        QStringList photos = QDir(natural).entryList({QStringLiteral("*.png"), QStringLiteral("*.jpg")}, QDir::Files, QDir::Name).mid(0, 6);
        QCOMPARE(photos.size(), 6);
        {
            MDB_env *env = nullptr;
            QCOMPARE(mdb_env_create(&env), 0);
            mdb_env_set_mapsize(env, size_t(256) << 20);
            QCOMPARE(mdb_env_open(env, QFile::encodeName(db).constData(), 0, 0644), 0);
            MDB_txn *txn = nullptr;
            QCOMPARE(mdb_txn_begin(env, nullptr, 0, &txn), 0);
            MDB_dbi dbi = 0;
            QCOMPARE(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
            for (int i = 0; i < photos.size(); ++i) {
                QFile f(QDir(natural).filePath(photos[i]));
                QVERIFY(f.open(QIODevice::ReadOnly));
                QByteArray bytes = f.readAll(), key = QByteArray::number(1000 + i).toHex();
                MDB_val k{size_t(key.size()), key.data()}, v{size_t(bytes.size()), bytes.data()};
                QCOMPARE(mdb_put(txn, dbi, &k, &v, 0), 0);
            }
            QCOMPARE(mdb_txn_commit(txn), 0);
            mdb_env_close(env);
        }
        const Screen screen = openScreen(db);
        QCOMPARE(screen.kind, ScreenKind::NaturalImages);
        QCOMPARE(screen.plates.size(), 1);
        QCOMPARE(screen.plates.front().wells.size(), 6);

        RunConfig c;
        c.models = {QStringLiteral("bicubic8")};
        c.extractors = {{"handcrafted", ""}};
        c.repeats = 1;
        c.nullSize = 100;
        const RunPlan plan = planRun(c, {&screen});
        QCOMPARE(int(plan.datasets.size()), 1);
        QVERIFY(plan.datasets.front().natural);
        ResultsStore store = ResultsStore::create(m_dir.filePath(QStringLiteral("lsun-run")), c, "test");
        store.setMeta("group_by", "[]");
        ModelPool models;
        const TilePassReport r = runTilePass(models, c, plan, store);
        QCOMPARE(r.unitsComputed, 12);
        int rows = 0;
        store.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &m) {
            if (k.model != "bicubic8") return;
            ++rows;
            QVERIFY(m.stain == "R" || m.stain == "G" || m.stain == "B");
            QVERIFY(m.mae > 0 && m.mae < 0.5);
        });
        QCOMPARE(rows, 6 * 3);
        const RunTables t = analyseRun(store);
        QCOMPARE(int(t.fid.size()), 1);
        QCOMPARE(t.fid.front().triplet, std::string("RGB"));
        QCOMPARE(t.fid.front().dataset, std::string("natural: church_outdoor_train_lmdb"));
        QVERIFY(t.fr.empty()); // natural images: no fraction retrieved
    }
};

QTEST_GUILESS_MAIN(TestBenchmarkRun)
#include "tst_benchmarkrun.moc"
