// cprecon-cli run / report / merge end to end on a phantom screen (3 plates x 96 wells x 2 sites) whose ground truth
// is known: every report file is written, FR on the originals recovers the true actives, two repeats give σ columns,
// a run killed with SIGKILL at random moments and resumed gives the same bytes as an uninterrupted run, and four
// shards merged give the same bytes as one unsharded run. Bad configs fail before any work, naming what is wrong.
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <csignal>

using cprecon::test::folderBytes;
using cprecon::test::runCli;

namespace {

QStringList readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Splits one CSV line (quoted fields may hold commas).
QStringList csvCells(const QString &line)
{
    QStringList cells;
    QString cur;
    bool quoted = false;
    for (QChar ch : line) {
        if (ch == QLatin1Char('"')) quoted = !quoted;
        else if (ch == QLatin1Char(',') && !quoted) {
            cells << cur;
            cur.clear();
        } else cur += ch;
    }
    cells << cur;
    return cells;
}

void compareFolders(const QString &a, const QString &b)
{
    const auto fa = folderBytes(a), fb = folderBytes(b);
    QCOMPARE(fa.keys(), fb.keys());
    QVERIFY(fa.size() > 10);
    for (auto it = fa.begin(); it != fa.end(); ++it) QVERIFY2(it.value() == fb.value(it.key()), qPrintable(it.key() + QStringLiteral(" differs")));
}

} // namespace

class TestRunCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_screen, m_reference;

    // The run of these tests: two cheap models, weight-free features, two repeats, a small null.
    QStringList runArgs(const QString &out) const
    {
        return {QStringLiteral("run"), QStringLiteral("--screen"), m_screen, QStringLiteral("--model"), QStringLiteral("bicubic8"),
                QStringLiteral("--model"), QStringLiteral("jpeg:10"), QStringLiteral("--extractor"), QStringLiteral("handcrafted"),
                QStringLiteral("--crop"), QStringLiteral("256"), QStringLiteral("--repeats"), QStringLiteral("2"),
                QStringLiteral("--null-size"), QStringLiteral("10000"), QStringLiteral("--out"), out};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_screen = m_dir.filePath(QStringLiteral("phantom"));
        QString out, err;
        QCOMPARE(runCli({QStringLiteral("phantom"), QStringLiteral("--out"), m_screen, QStringLiteral("--plates"), QStringLiteral("3"),
                         QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--sites"), QStringLiteral("2"),
                         QStringLiteral("--size"), QStringLiteral("256"), QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--quiet")},
                        &out, &err),
                 0);
        m_reference = m_dir.filePath(QStringLiteral("reference"));
        QCOMPARE(runCli(runArgs(m_reference), &out, &err), 0);
        QVERIFY2(out.contains(QStringLiteral("1728 (site, source) results computed")), qPrintable(out + err));
    }

    void fullRunWritesEveryReportFile()
    {
        const QString r = m_reference + QStringLiteral("/report/");
        for (const char *name : {"tile_metrics.csv", "triplet_metrics.csv", "metric_summary.csv", "box_mae.csv", "box_emd.csv",
                                 "box_ssim.csv", "fid.csv", "fr_table.csv", "fr_table.md",
                                 "fr_repeats.csv", "report.json", "activity_handcrafted_median_original.csv",
                                 "activity_handcrafted_mean_bicubic8.csv", "activity_handcrafted_median_jpeg-10_repeat1.csv",
                                 "site_profiles_handcrafted_original.csv", "site_profiles_handcrafted_jpeg-10.csv",
                                 "well_profiles_handcrafted_median_original.csv", "well_profiles_handcrafted_mean_bicubic8.csv"})
            QVERIFY2(QFileInfo::exists(r + QLatin1String(name)), name);
        // Per-tile metrics: 576 sites x 1 tile x 5 stains x 2 models (deterministic: repeat 0 stands for both).
        const QStringList tiles = readLines(r + QStringLiteral("tile_metrics.csv"));
        QCOMPARE(tiles.first(), QStringLiteral("model,repeat,Metadata_Plate,Metadata_Well,Metadata_Site,tile_row,tile_col,stain,mae,ssim,emd,"
                                               "Metadata_dataset,Metadata_CellLine,Metadata_TimepointHours"));
        QCOMPARE(tiles.size(), 1 + 576 * 5 * 2);
        // JPEG at quality 10 loses more than bicubic x8 on these images? Not a law: only check the numbers are sane.
        for (const QString &l : tiles.mid(1, 50)) {
            const QStringList c = csvCells(l);
            const double mae = c[8].toDouble(), ssim = c[9].toDouble(), emd = c[10].toDouble();
            QVERIFY(mae > 0 && mae < 0.2);
            QVERIFY(ssim > 0 && ssim <= 1);
            QVERIFY(emd >= 0 && emd <= mae + 1e-12); // sorting can only bring the intensities closer
        }
        // FID rows for both models, both triplets, the handcrafted extractor; 576 tiles each, rank warning set (d > n? no: d = 41 < 576).
        const QStringList fid = readLines(r + QStringLiteral("fid.csv"));
        QCOMPARE(fid.size(), 1 + 2 * 2);
        for (const QString &l : fid.mid(1)) {
            const QStringList c = csvCells(l);
            QVERIFY2(c[5].toDouble() > 0, qPrintable(l));
            QCOMPARE(c[6], QStringLiteral("576"));
            QCOMPARE(c[7], QStringLiteral("576"));
        }
        // The box-plot table draws exactly the quartiles of tile_metrics.csv (recomputed here: numpy's linear rule).
        {
            std::vector<double> mae;
            for (const QString &l : tiles.mid(1)) {
                const QStringList c = csvCells(l);
                if (c[0] == QLatin1String("bicubic8") && c[7] == QLatin1String("DNA")) mae.push_back(c[8].toDouble());
            }
            QCOMPARE(int(mae.size()), 576);
            std::sort(mae.begin(), mae.end());
            auto pct = [&](double p) {
                const double h = (double(mae.size()) - 1) * p / 100;
                const size_t lo = size_t(h);
                return mae[lo] + (h - double(lo)) * (mae[std::min(mae.size() - 1, lo + 1)] - mae[lo]);
            };
            const QStringList box = readLines(r + QStringLiteral("box_mae.csv"));
            const QStringList head = csvCells(box.first());
            bool found = false;
            for (const QString &l : box.mid(1)) {
                const QStringList c = csvCells(l);
                if (c[1] != QLatin1String("bicubic8") || c[int(head.indexOf(QStringLiteral("stain")))] != QLatin1String("DNA")) continue;
                found = true;
                QCOMPARE(c[int(head.indexOf(QStringLiteral("n")))], QStringLiteral("576"));
                QVERIFY(std::abs(c[int(head.indexOf(QStringLiteral("q1")))].toDouble() - pct(25)) < 1e-15);
                QVERIFY(std::abs(c[int(head.indexOf(QStringLiteral("median")))].toDouble() - pct(50)) < 1e-15);
                QVERIFY(std::abs(c[int(head.indexOf(QStringLiteral("q3")))].toDouble() - pct(75)) < 1e-15);
            }
            QVERIFY(found);
            // The paper protocol's SSIM box is of 1 - SSIM, labelled as the paper's "SSIM".
            QVERIFY(readLines(r + QStringLiteral("box_ssim.csv")).value(1).startsWith(QStringLiteral("1 - SSIM (paper's 'SSIM'),")));
        }
        // No KLD for the baselines (no posterior): the triplet table has only its header.
        QCOMPARE(readLines(r + QStringLiteral("triplet_metrics.csv")).size(), 1);
        const QString json = QString::fromUtf8(folderBytes(r).value(QStringLiteral("report.json")));
        QVERIFY(json.contains(QStringLiteral("\"protocol\": \"paper\"")));
        QVERIFY(json.contains(QStringLiteral("\"units_missing\": 0")));
    }

    void frOnTheOriginalsRecoversTheTrueActives()
    {
        QMap<QString, int> truth;
        {
            const QStringList lines = readLines(m_screen + QStringLiteral("/phantom_ground_truth.csv"));
            const QStringList head = csvCells(lines.first());
            for (const QString &l : lines.mid(1)) {
                const QStringList c = csvCells(l);
                truth[c[int(head.indexOf(QStringLiteral("broad_sample")))]] = c[int(head.indexOf(QStringLiteral("active")))].toInt();
            }
        }
        QCOMPARE(truth.size(), 44);
        const QStringList rows = readLines(m_reference + QStringLiteral("/report/activity_handcrafted_median_original.csv"));
        const QStringList head = csvCells(rows.first());
        const int id = int(head.indexOf(QStringLiteral("Metadata_broad_sample"))), call = int(head.indexOf(QStringLiteral("below_corrected_p")));
        QVERIFY(id >= 0 && call >= 0);
        int tp = 0, fp = 0;
        for (const QString &l : rows.mid(1)) {
            const QStringList c = csvCells(l);
            QVERIFY2(truth.contains(c[id]), qPrintable(c[id]));
            if (c[call] == QLatin1String("True")) (truth[c[id]] ? tp : fp)++;
        }
        const double precision = tp + fp > 0 ? double(tp) / double(tp + fp) : 0;
        QVERIFY2(precision >= 0.9 && tp >= 10, qPrintable(QStringLiteral("tp %1 fp %2").arg(tp).arg(fp)));
    }

    void twoRepeatsGiveSigmaColumns()
    {
        const QStringList fr = readLines(m_reference + QStringLiteral("/report/fr_table.csv"));
        const QStringList head = csvCells(fr.first());
        QCOMPARE(head.mid(0, 3), (QStringList{QStringLiteral("extractor"), QStringLiteral("data"), QStringLiteral("aggregation")}));
        QVERIFY2(head.value(4).endsWith(QLatin1String(" fr_sd")) && head.value(5).endsWith(QLatin1String(" n_repeats")), qPrintable(fr.first()));
        QCOMPARE(fr.size(), 1 + 3 * 2); // (original, bicubic8, jpeg:10) x (mean, median)
        for (const QString &l : fr.mid(1)) {
            const QStringList c = csvCells(l);
            QCOMPARE(c[5], QStringLiteral("2"));
            QVERIFY(c[3].toDouble() > 0 && c[3].toDouble() <= 1);
            QVERIFY(c[4].toDouble() >= 0 && c[4].toDouble() < 0.2); // the repeats differ in their null only
        }
        const QString md = QString::fromUtf8(folderBytes(m_reference + QStringLiteral("/report")).value(QStringLiteral("fr_table.md")));
        QVERIFY2(md.contains(QStringLiteral(" ± ")) && md.contains(QStringLiteral("**")), qPrintable(md));
    }

    void killedAtRandomMomentsResumesToTheSameBytes()
    {
        const QString run = m_dir.filePath(QStringLiteral("killed"));
        QStringList args = runArgs(run);
        QRandomGenerator rng(20261201);
        int kills = 0;
        // Ten kills at random moments (planning, creating the store, the tile pass, the analysis, the report), each
        // followed by a resume; the run then finishes with the bytes of an uninterrupted one.
        for (int attempt = 0; attempt < 14 && kills < 10; ++attempt) {
            QProcess p;
            QStringList a = args;
            // Resume once the store exists (a kill during the planning leaves nothing to resume).
            if (QFileInfo::exists(run + QStringLiteral("/results.sqlite"))) a << QStringLiteral("--resume");
            p.start(cprecon::test::cliPath(), a);
            QVERIFY(p.waitForStarted());
            const int ms = 300 + int(rng.bounded(2700));
            if (p.waitForFinished(ms)) break; // finished before the kill
            ::kill(pid_t(p.processId()), SIGKILL);
            QVERIFY(p.waitForFinished(10000));
            ++kills;
        }
        QCOMPARE(kills, 10);
        QString out, err;
        QStringList last = args;
        // Most kills land in the tile pass, so the store exists; it must then resume, never start again.
        QVERIFY(QFileInfo::exists(run + QStringLiteral("/results.sqlite")));
        last << QStringLiteral("--resume");
        QCOMPARE(runCli(last, &out, &err), 0);
        QVERIFY2(out.contains(QStringLiteral("already stored")), qPrintable(out));
        compareFolders(m_reference + QStringLiteral("/report"), run + QStringLiteral("/report"));
    }

    void fourShardsMergeToTheSameBytes()
    {
        QStringList shards;
        QString out, err;
        for (int i = 0; i < 4; ++i) {
            const QString s = m_dir.filePath(QStringLiteral("shard%1").arg(i));
            QStringList a = runArgs(s);
            a << QStringLiteral("--shard") << QStringLiteral("%1/4").arg(i);
            QCOMPARE(runCli(a, &out, &err), 0);
            QVERIFY2(out.contains(QStringLiteral("432 (site, source) results computed")), qPrintable(out));
            shards << s;
        }
        const QString merged = m_dir.filePath(QStringLiteral("merged"));
        QCOMPARE(runCli(QStringList{QStringLiteral("merge")} + shards + QStringList{QStringLiteral("--out"), merged}, &out, &err), 0);
        QVERIFY2(out.contains(QStringLiteral("1728 (site, source) results")), qPrintable(out));
        compareFolders(m_reference + QStringLiteral("/report"), merged + QStringLiteral("/report"));
        // A shard of another run is refused, naming what differs.
        const QString other = m_dir.filePath(QStringLiteral("other"));
        QStringList a = runArgs(other);
        a << QStringLiteral("--shard") << QStringLiteral("0/40") << QStringLiteral("--seed") << QStringLiteral("7");
        QCOMPARE(runCli(a, &out, &err), 0);
        QVERIFY(runCli({QStringLiteral("merge"), shards[0], other, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("bad"))}, &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("another config")) && err.contains(QStringLiteral("seed")), qPrintable(err));
    }

    void resumingWithAnotherConfigIsRefused()
    {
        QString out, err;
        QStringList a = runArgs(m_reference);
        a << QStringLiteral("--resume") << QStringLiteral("--protocol") << QStringLiteral("corrected");
        QVERIFY(runCli(a, &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("another config")) && err.contains(QStringLiteral("protocol")), qPrintable(err));
        // Without --resume an existing run is never overwritten.
        QVERIFY(runCli(runArgs(m_reference), &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("already holds a run")), qPrintable(err));
    }

    void logJsonGivesMachineReadableProgress()
    {
        QString out, err;
        QStringList a = runArgs(m_dir.filePath(QStringLiteral("json-run")));
        a << QStringLiteral("--plate") << QStringLiteral("PHANTOM-P01") << QStringLiteral("--well") << QStringLiteral("A01,B01")
          << QStringLiteral("--log-json") << QStringLiteral("--no-report");
        QCOMPARE(runCli(a, &out, &err), 0);
        int progress = 0;
        qint64 lastDone = -1, total = -1;
        for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            QJsonParseError e;
            const QJsonObject j = QJsonDocument::fromJson(line.toUtf8(), &e).object();
            QVERIFY2(e.error == QJsonParseError::NoError, qPrintable(line));
            QVERIFY2(j.contains(QStringLiteral("event")), qPrintable(line));
            if (j.value(QStringLiteral("event")).toString() != QLatin1String("progress")) continue;
            ++progress;
            const qint64 done = j.value(QStringLiteral("tiles_done")).toInteger();
            total = j.value(QStringLiteral("tiles_total")).toInteger();
            QVERIFY(done >= lastDone);
            lastDone = done;
            QVERIFY(j.contains(QStringLiteral("tiles_per_s")) && j.contains(QStringLiteral("eta_s")));
        }
        QCOMPARE(total, qint64(2 * 2 * 3)); // 2 wells x 2 sites x (originals + 2 models), 1 tile each
        QCOMPARE(lastDone, total);
        QCOMPARE(progress, 1 + 4);          // the start, then one per site
    }

    void benchPipelinePrintsItsFigures()
    {
        QString out, err;
        QCOMPARE(runCli({QStringLiteral("bench"), QStringLiteral("pipeline"), QStringLiteral("--sites"), QStringLiteral("1"),
                         QStringLiteral("--size"), QStringLiteral("256"), QStringLiteral("--json")},
                        &out, &err),
                 0);
        const QJsonObject j = QJsonDocument::fromJson(out.toUtf8()).object();
        const QJsonArray runs = j.value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].toObject().value(QStringLiteral("sites")).toInt(), 1);
        QCOMPARE(runs[1].toObject().value(QStringLiteral("sites")).toInt(), 10);
        for (const QJsonValue &v : runs) {
            const QJsonObject r = v.toObject();
            QVERIFY(r.value(QStringLiteral("tiles_per_s")).toDouble() > 0);
            const double busy = r.value(QStringLiteral("model_busy_fraction")).toDouble();
            QVERIFY(busy > 0 && busy < 1);
            QVERIFY(r.value(QStringLiteral("peak_rss_mb")).toDouble() > 10);
        }
    }

    void badConfigsGiveNamedErrors()
    {
        QString out, err;
        const QString run = m_dir.filePath(QStringLiteral("bad-run"));
        struct Case {
            QStringList extra;
            QString expected;
        };
        const Case cases[] = {
            {{QStringLiteral("--model"), QStringLiteral("sd-vae:/nonexistent/vae")}, QStringLiteral("/nonexistent/vae")},
            {{QStringLiteral("--model"), QStringLiteral("warp9")}, QStringLiteral("unknown reconstruction model 'warp9'")},
            {{QStringLiteral("--extractor"), QStringLiteral("inception=/nonexistent/inception.pth")}, QStringLiteral("/nonexistent/inception.pth")},
            {{QStringLiteral("--extractor"), QStringLiteral("resnet")}, QStringLiteral("unknown extractor 'resnet'")},
            {{QStringLiteral("--plate"), QStringLiteral("NOPE")}, QStringLiteral("plate 'NOPE' is not in the screens")},
            {{QStringLiteral("--group-by"), QStringLiteral("Metadata_Nonexistent")}, QStringLiteral("Metadata_Nonexistent")},
        };
        for (const Case &c : cases) {
            QDir(run).removeRecursively();
            QStringList a = runArgs(run);
            a << c.extra;
            QVERIFY2(runCli(a, &out, &err) != 0, qPrintable(c.expected));
            QVERIFY2(err.contains(c.expected), qPrintable(c.expected + QStringLiteral(" not in: ") + err));
        }
        // A config file with an unknown key names the key and the file.
        const QString cfg = m_dir.filePath(QStringLiteral("bad.json"));
        {
            QFile f(cfg);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"modles\": [\"bicubic8\"]}");
        }
        QDir(run).removeRecursively();
        QVERIFY(runCli({QStringLiteral("run"), QStringLiteral("--config"), cfg, QStringLiteral("--out"), run}, &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("modles")) && err.contains(cfg), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestRunCli)
#include "tst_run.moc"
