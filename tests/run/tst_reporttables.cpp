// The tables the report and every figure share: the worst tiles of a store equal a brute-force sort of all its tiles
// (ties by site key and tile), whatever `count`; the FR table's mean, σ (ddof 1) and bold column maxima; box CSV
// rows of one repeat; per-well means of the analysis equal the mean over the well's tiles.
#include "TestSupport.h"

#include "run/ReportTables.h"
#include "run/RunAnalysis.h"
#include "run/RunResults.h"
#include "util/Error.h"

#include <QTemporaryDir>

#include <algorithm>
#include <random>

using namespace cprecon;
using namespace cprecon::run;

namespace {
const char *const kStains[] = {"DNA", "ER", "RNA", "AGP", "Mito"};

// A site of random tile metrics (2x2 tiles), with a few exact ties.
SiteResults randomSite(std::mt19937 &rng, const std::string &model, const std::string &well)
{
    std::uniform_real_distribution<double> u(0, 1);
    SiteResults r;
    r.key = {model, 0, "P1", well, 1};
    for (int tr = 0; tr < 2; ++tr)
        for (int tc = 0; tc < 2; ++tc)
            for (const char *s : kStains) {
                const double mae = std::round(u(rng) * 200) / 200; // 201 levels: ties happen
                r.tiles.push_back({tr, tc, s, mae, 1 - mae / 2, u(rng)});
            }
    return r;
}
} // namespace

class TestReportTables : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void worstTilesEqualABruteForceSort()
    {
        QTemporaryDir dir;
        RunConfig c;
        c.models = {QStringLiteral("bicubic8")};
        c.extractors = {{"handcrafted", ""}};
        ResultsStore store = ResultsStore::create(dir.filePath(QStringLiteral("run")), c, "test");
        std::mt19937 rng(7);
        std::vector<RankedTile> all;
        for (int w = 1; w <= 30; ++w) {
            char well[8];
            std::snprintf(well, sizeof well, "B%02d", w);
            const SiteResults s = randomSite(rng, "bicubic8", well);
            store.writeSite(s);
            for (const TileMetricRow &t : s.tiles) all.push_back({s.key, t.tileRow, t.tileCol, t.stain, t.mae, t.ssim, t.emd, 0});
        }
        store.writeSite(randomSite(rng, "", "B01")); // the originals have no tile metrics of their own model
        for (const std::string metric : {"mae", "ssim", "emd"})
            for (const std::string stain : {"", "RNA"})
                for (int count : {1, 7, 50, 10000}) {
                    std::vector<RankedTile> want;
                    for (RankedTile t : all) {
                        if (!stain.empty() && t.stain != stain) continue;
                        t.value = metric == "mae" ? t.mae : metric == "ssim" ? t.ssim : t.emd;
                        want.push_back(t);
                    }
                    std::stable_sort(want.begin(), want.end(), [&](const RankedTile &a, const RankedTile &b) {
                        const double ba = metric == "ssim" ? -a.value : a.value, bb = metric == "ssim" ? -b.value : b.value;
                        if (ba != bb) return ba > bb;
                        return std::tie(a.key, a.tileRow, a.tileCol, a.stain) < std::tie(b.key, b.tileRow, b.tileCol, b.stain);
                    });
                    if (int(want.size()) > count) want.resize(size_t(count));
                    const std::vector<RankedTile> got = worstTiles(store, "bicubic8", 0, metric, stain, count);
                    QCOMPARE(got.size(), want.size());
                    for (size_t i = 0; i < got.size(); ++i) {
                        QVERIFY(got[i].key == want[i].key);
                        QCOMPARE(got[i].tileRow, want[i].tileRow);
                        QCOMPARE(got[i].tileCol, want[i].tileCol);
                        QCOMPARE(got[i].stain, want[i].stain);
                        QCOMPARE(got[i].value, want[i].value);
                    }
                }
        QVERIFY_THROWS_EXCEPTION(Error, worstTiles(store, "bicubic8", 0, "psnr", "", 3));
        QVERIFY(worstTiles(store, "jpeg:10", 0, "mae", "", 5).empty()); // a model the run does not have

        // The analysis' per-well means are the means over each well's tiles.
        const RunTables tables = analyseRun(store);
        int checked = 0;
        for (const WellMetricRow &w : tables.wells) {
            if (w.metric != "mae" || w.model != "bicubic8") continue;
            double sum = 0;
            int n = 0;
            for (const RankedTile &t : all)
                if (t.key.well == w.well && t.stain == w.key) sum += t.mae, ++n;
            QCOMPARE(w.n, int64_t(n));
            QVERIFY(std::abs(w.mean - sum / n) < 1e-13); // a running mean: another summation order than sum / n
            ++checked;
        }
        QCOMPARE(checked, 30 * 5);
    }

    void frTableMeanSigmaAndBold()
    {
        RunTables t;
        t.repeats = 3;
        t.datasets = {"Metadata_CellLine=A549, Metadata_TimepointHours=24", "Metadata_CellLine=U2OS, Metadata_TimepointHours=",
                      "natural: LSUN"};
        auto fr = [&](const std::string &data, const std::string &dataset, int repeat, bool evaluated, double value) {
            FrRow r{"inception", data, "mean", dataset, repeat};
            r.evaluated = evaluated;
            r.fr = value;
            if (!evaluated) r.reason = "no negative controls";
            t.fr.push_back(r);
        };
        for (int r = 0; r < 3; ++r) {
            fr("original", t.datasets[0], r, true, 0.5 + 0.1 * r); // 0.5 0.6 0.7: mean 0.6, sd 0.1
            fr("sd-vae", t.datasets[0], r, true, 0.6);             // ties the maximum: both bold
            fr("original", t.datasets[1], r, false, 0);
            fr("sd-vae", t.datasets[1], r, false, 0);
        }
        const FrTable table = frTable(t);
        QCOMPARE(int(table.datasets.size()), 2); // natural images have no FR column
        QCOMPARE(int(table.rows.size()), 2);
        const FrCell &o = table.rows[0].cells[0];
        QVERIFY(std::abs(o.mean - 0.6) < 1e-15 && std::abs(o.sd - 0.1) < 1e-15);
        QVERIFY(o.best && table.rows[1].cells[0].best);
        QVERIFY(!table.rows[0].cells[1].evaluated() && !table.rows[0].cells[1].best);
        QCOMPARE(table.rows[0].cells[1].reason, std::string("no negative controls"));
        const std::string md = frTableMarkdown(table, Protocol::Paper);
        QVERIFY(md.find("**0.600 ± 0.100**") != std::string::npos);
        QVERIFY(md.find("| U2OS, — |") != std::string::npos); // an empty group_by value is named, not left blank
        QVERIFY(md.find("n/a") != std::string::npos);
        const std::string csv = frTableCsv(table);
        QVERIFY(csv.rfind("extractor,data,aggregation,", 0) == 0);
        // Row 1: the original's mean, σ and repeat count for the first dataset, then the empty second dataset.
        const size_t row = csv.find("\ninception,original,mean,") + 1;
        const std::string line = csv.substr(row, csv.find('\n', row) - row);
        QStringList f = QString::fromStdString(line).split(QLatin1Char(','));
        QCOMPARE(f.size(), 9);
        QVERIFY(std::abs(f[3].toDouble() - 0.6) < 1e-15 && std::abs(f[4].toDouble() - 0.1) < 1e-15);
        QCOMPARE(f[5], QStringLiteral("3"));
        QVERIFY(f[6].isEmpty() && f[7].isEmpty() && f[8] == QLatin1String("0"));
    }

    void boxCsvOfOneRepeat()
    {
        RunTables t;
        t.groupBy = {"Metadata_CellLine"};
        t.datasets = {"Metadata_CellLine=U2OS"};
        t.datasetSite["Metadata_CellLine=U2OS"] = {"P1", "A01", 1};
        std::map<SiteLocation, SiteInfo> infos;
        infos[{"P1", "A01", 1}] = {"Metadata_CellLine=U2OS", false, {{"Metadata_CellLine", "U2OS"}}};
        for (int r = 0; r < 2; ++r) t.boxes.push_back({"sd-vae", r, "Metadata_CellLine=U2OS", "DNA", "ssim", boxStatistics({0.1, 0.2, 0.3 + r})});
        const std::string all = boxCsv(t, infos, "ssim", Protocol::Paper), first = boxCsv(t, infos, "ssim", Protocol::Paper, 0);
        QCOMPARE(std::count(all.begin(), all.end(), '\n'), 3L);
        QCOMPARE(std::count(first.begin(), first.end(), '\n'), 2L);
        QVERIFY2(first.find("\n1 - SSIM (paper's 'SSIM'),sd-vae,0,Metadata_CellLine=U2OS,U2OS,DNA,3,0.15") != std::string::npos, first.c_str());
        QVERIFY(boxCsv(t, infos, "ssim", Protocol::Corrected).find("SSIM,sd-vae") != std::string::npos);
    }
};

QTEST_MAIN(TestReportTables)
#include "tst_reporttables.moc"
