// The run's store: results round-trip; a site is complete or absent after kill -9 at any moment; a full disk rolls
// back and leaves the store usable; a write-ahead log torn by a power cut still opens, without the torn site; a
// changed config or an occupied folder is refused, naming why.
#include "TestSupport.h"

#include "run/ResultsStore.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <csignal>
#include <thread>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace cprecon;
using namespace cprecon::run;

namespace {
const char *const kStains[] = {"DNA", "ER", "RNA", "AGP", "Mito"};

// A site as a run would store it: 4x4 tiles x 5 stains, 2 triplets, two embeddings; values derived from the key.
SiteResults makeSite(const std::string &model, int repeat, int well, int embeddingDim = 64)
{
    SiteResults r;
    r.key = {model, repeat, "P1", "A" + std::to_string(10 + well), 1};
    const double base = well * 0.001 + repeat * 0.1 + (model.empty() ? 0.0 : 0.5);
    for (int tr = 0; tr < 4; ++tr)
        for (int tc = 0; tc < 4; ++tc) {
            for (const char *s : kStains) r.tiles.push_back({tr, tc, s, base + tr, base + tc, base});
            r.triplets.push_back({tr, tc, "A", base * 2});
            r.triplets.push_back({tr, tc, "B", base * 3});
        }
    for (const char *e : {"inception", "handcrafted"}) {
        std::vector<float> v(static_cast<size_t>(embeddingDim));
        for (int i = 0; i < embeddingDim; ++i) v[size_t(i)] = float(base + i);
        r.embeddings[e] = v;
    }
    return r;
}

RunConfig config()
{
    RunConfig c;
    c.models = {QStringLiteral("bicubic8"), QStringLiteral("jpeg:10")};
    c.extractors = {{"handcrafted", ""}};
    return c;
}

// Every stored site has all its rows, and no row belongs to a site that is not stored.
void checkNoTornSite(const ResultsStore &s, int *complete)
{
    std::map<SiteKey, int> tiles, triplets;
    s.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &) { ++tiles[k]; });
    s.forEachTripletMetric([&](const SiteKey &k, const TripletMetricRow &) { ++triplets[k]; });
    const std::vector<SiteKey> sites = s.sites();
    for (const SiteKey &k : sites) {
        QCOMPARE(tiles[k], 80);
        QCOMPARE(triplets[k], 32);
        QVERIFY(!s.embedding(k, "inception").empty());
    }
    QCOMPARE(int(tiles.size()), int(sites.size()));
    QCOMPARE(int(triplets.size()), int(sites.size()));
    *complete = int(sites.size());
}
} // namespace

class TestResultsStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resultsRoundTrip()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        {
            ResultsStore s = ResultsStore::create(run, config(), "0.1.0");
            s.writeSite(makeSite("bicubic8", 0, 1));
            s.writeSite(makeSite("", 0, 1));
            s.writeSite(makeSite("jpeg:10", 1, 2));
        }
        QVERIFY(QFileInfo::exists(run + QStringLiteral("/config.json")));
        const RunConfig c = config();
        ResultsStore s = ResultsStore::open(run, &c);
        QCOMPARE(s.meta("config_hash"), c.hash());
        QCOMPARE(s.meta("app_version"), std::string("0.1.0"));
        QCOMPARE(s.config().hash(), c.hash());
        const std::vector<SiteKey> sites = s.sites();
        QCOMPARE(int(sites.size()), 3);
        QCOMPARE(sites[0].model, std::string("")); // originals first, in key order
        QVERIFY(s.hasSite(makeSite("jpeg:10", 1, 2).key));
        QVERIFY(!s.hasSite(makeSite("jpeg:10", 0, 2).key));
        QCOMPARE(s.tileMetricCount(), int64_t(3 * 80));
        const SiteResults want = makeSite("jpeg:10", 1, 2);
        QCOMPARE(s.embedding(want.key, "handcrafted"), want.embeddings.at("handcrafted"));
        QVERIFY(s.embedding(want.key, "openphenom").empty());
        int seen = 0;
        s.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &t) {
            if (!(k == want.key)) return;
            QVERIFY(t.mae == 2 * 0.001 + want.key.repeat * 0.1 + 0.5 + t.tileRow); // as makeSite wrote it, exactly
            ++seen;
        });
        QCOMPARE(seen, 80);
        int complete = 0;
        checkNoTornSite(s, &complete);
        QCOMPARE(complete, 3);
    }

    void refusalsNameWhy()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        ResultsStore::create(run, config(), "0.1.0");
        try {
            ResultsStore::create(run, config(), "0.1.0");
            QFAIL("a second run in the same folder was accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("already holds a run")), e.what());
        }
        RunConfig changed = config();
        changed.repeats = 5;
        try {
            ResultsStore::open(run, &changed);
            QFAIL("a changed config was accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("changed: repeats")), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, ResultsStore::open(dir.filePath(QStringLiteral("nothing"))));
        // A file where the run folder must be (works as root, unlike a permission test).
        const QString file = dir.filePath(QStringLiteral("afile"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("x");
        }
        try {
            ResultsStore::create(file, config(), "0.1.0");
            QFAIL("a file was accepted as the run folder");
        } catch (const Error &e) {
            QCOMPARE(QString::fromStdString(e.file()), file);
        }
    }

    void killNineNeverTearsASite()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        ResultsStore::create(run, config(), "0.1.0");
        std::mt19937 rng(11);
        int previous = 0;
        for (int round = 0; round < 6; ++round) {
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) { // writes sites as fast as it can until it is killed
                try {
                    ResultsStore s = ResultsStore::open(run);
                    for (int well = 0;; ++well) {
                        const SiteResults r = makeSite(round % 2 ? "jpeg:10" : "bicubic8", round, well, 4096);
                        if (!s.hasSite(r.key)) s.writeSite(r);
                    }
                } catch (...) {
                }
                _exit(3);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(40 + int(rng() % 160)));
            kill(child, SIGKILL);
            int status = 0;
            waitpid(child, &status, 0);
            QVERIFY2(WIFSIGNALED(status), "the writer was killed, not finished");
            ResultsStore s = ResultsStore::open(run);
            int complete = 0;
            checkNoTornSite(s, &complete);
            QVERIFY2(complete > previous, qPrintable(QStringLiteral("round %1: %2 sites").arg(round).arg(complete)));
            previous = complete;
        }
    }

    // A kill inside create(): the folder then holds either no store (the run starts again) or a complete one (it
    // resumes) — never a results.sqlite without its tables, which could neither resume nor start again.
    void killNineDuringCreateLeavesNoHalfStore()
    {
        std::mt19937 rng(5);
        int fresh = 0, complete = 0;
        for (int round = 0; round < 40; ++round) {
            QTemporaryDir dir;
            const QString run = dir.filePath(QStringLiteral("run"));
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                try {
                    ResultsStore::create(run, config(), "0.1.0");
                } catch (...) {
                }
                _exit(0);
            }
            std::this_thread::sleep_for(std::chrono::microseconds(int(rng() % 6000)));
            kill(child, SIGKILL);
            waitpid(child, nullptr, 0);
            if (!QFileInfo::exists(run + QStringLiteral("/results.sqlite"))) {
                ++fresh;
                ResultsStore::create(run, config(), "0.1.0"); // starts again, over whatever create left
            } else {
                ++complete;
            }
            const ResultsStore s = ResultsStore::open(run, nullptr); // opens: tables and identity are there
            QCOMPARE(s.meta("config_hash"), config().hash());
            QCOMPARE(int(s.sites().size()), 0);
        }
        qInfo("kills inside create: %d before the store existed, %d after", fresh, complete);
    }

    // Power loss: the disk keeps the write-ahead log cut inside the last transaction (torn) or with its last frames
    // scrambled (a sector written half). The store still opens, with every earlier site and without the torn one.
    void tornLastTransactionStillOpens()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        ResultsStore s = ResultsStore::create(run, config(), "0.1.0");
        s.writeSite(makeSite("bicubic8", 0, 1, 2048));
        s.writeSite(makeSite("bicubic8", 0, 2, 2048));
        const QString wal = s.databasePath() + QStringLiteral("-wal");
        const qint64 before = QFileInfo(wal).size();
        s.writeSite(makeSite("bicubic8", 0, 3, 2048));
        const qint64 after = QFileInfo(wal).size();
        QVERIFY2(before > 0 && after > before + 8192, "the last site's transaction is in the write-ahead log");
        std::mt19937 rng(3);
        for (const bool scramble : {false, true}) {
            // The disk as the power cut left it: the files copied while the writer still had them open.
            const QString image = dir.filePath(scramble ? QStringLiteral("scrambled") : QStringLiteral("cut"));
            QVERIFY(QDir().mkpath(image));
            for (const QFileInfo &f : QDir(run).entryInfoList(QDir::Files))
                if (!f.fileName().endsWith(QLatin1String("-shm"))) QVERIFY(QFile::copy(f.filePath(), image + QLatin1Char('/') + f.fileName()));
            QFile w(image + QStringLiteral("/results.sqlite-wal"));
            QVERIFY(w.open(QIODevice::ReadWrite));
            const qint64 middle = before + (after - before) / 2;
            if (scramble) {
                QByteArray noise(int(after - middle), Qt::Uninitialized);
                for (char &c : noise) c = char(rng());
                QVERIFY(w.seek(middle));
                QCOMPARE(w.write(noise), noise.size());
            } else {
                QVERIFY(w.resize(middle));
            }
            w.close();
            const ResultsStore torn = ResultsStore::open(image);
            int complete = 0;
            checkNoTornSite(torn, &complete);
            QCOMPARE(complete, 2);
            QVERIFY(!torn.hasSite(makeSite("bicubic8", 0, 3).key));
        }
    }

    void fullDiskRollsBackAndKeepsTheStore()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        ResultsStore s = ResultsStore::create(run, config(), "0.1.0");
        s.writeSite(makeSite("bicubic8", 0, 1));
        s.limitPagesForTesting(40); // about 160 kB: the next site's 1 MB embedding does not fit
        try {
            s.writeSite(makeSite("bicubic8", 0, 2, 250000));
            QFAIL("a write beyond the disk's end was accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.fix()).contains(QStringLiteral("free disk space")), e.what());
            QCOMPARE(QString::fromStdString(e.file()), s.databasePath());
        }
        int complete = 0;
        checkNoTornSite(s, &complete);
        QCOMPARE(complete, 1);
        QVERIFY(!s.hasSite(makeSite("bicubic8", 0, 2).key));
        s.limitPagesForTesting(1 << 30);
        s.writeSite(makeSite("bicubic8", 0, 2)); // usable again once there is room
        QCOMPARE(int(s.sites().size()), 2);
    }
};

QTEST_GUILESS_MAIN(TestResultsStore)
#include "tst_resultsstore.moc"
