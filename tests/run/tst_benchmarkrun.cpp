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

#include <QTemporaryDir>

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
};

QTEST_GUILESS_MAIN(TestBenchmarkRun)
#include "tst_benchmarkrun.moc"
