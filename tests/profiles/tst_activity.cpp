// Phenotypic activity against the copairs fixture (fixtures/retrieval): AP, mAP, BH exactly; p-values and
// fraction retrieved statistically (the README's bounds); the null sampler against exact enumeration.
#include "TestSupport.h"
#include "profiles/Activity.h"
#include "profiles/Multitest.h"
#include "profiles/NullDistribution.h"
#include "util/Error.h"

#include <QFile>
#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace cprecon;
using namespace cprecon::profiles;

namespace {

// Minimal CSV reader for the fixture's result tables (quoted "indices" lists included).
std::vector<std::map<std::string, std::string>> readCsv(const QString &path)
{
    std::vector<std::map<std::string, std::string>> rows;
    std::ifstream in(path.toStdString());
    std::string line;
    std::vector<std::string> header;
    auto split = [](const std::string &l) {
        std::vector<std::string> f;
        std::string cur;
        bool q = false;
        for (char c : l) {
            if (c == '"') q = !q;
            else if (c == ',' && !q) { f.push_back(cur); cur.clear(); }
            else cur += c;
        }
        f.push_back(cur);
        return f;
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto f = split(line);
        if (header.empty()) { header = f; continue; }
        std::map<std::string, std::string> m;
        for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) m[header[i]] = f[i];
        rows.push_back(m);
    }
    return rows;
}

ActivityOptions fixtureOptions(std::int64_t nullSize, std::uint64_t seed)
{
    ActivityOptions o;
    o.perturbationCol = "Metadata_broad_sample";
    o.control = ControlQuery::parse("Metadata_control_type == 'negcon'");
    o.nullSize = nullSize;
    o.seed = seed;
    return o;
}

} // namespace

class TestActivity : public QObject {
    Q_OBJECT
    ProfileTable m_table;
    bool m_loaded = false;

    const ProfileTable &table()
    {
        if (!m_loaded) {
            m_table = readProfileTable(test::fixture(QStringLiteral("retrieval/profiles.csv")).toStdString());
            m_loaded = true;
        }
        return m_table;
    }

private Q_SLOTS:
    void controlQueryParsing()
    {
        auto q = ControlQuery::parse("Metadata_control_type==negcon");
        QCOMPARE(q.column, std::string("Metadata_control_type"));
        QCOMPARE(q.value, std::string("negcon"));
        q = ControlQuery::parse(" Metadata_pert_iname == \"DMSO\" ");
        QCOMPARE(q.value, std::string("DMSO"));
        q = ControlQuery::parse("Metadata_control_type==");
        QCOMPARE(q.value, std::string());
        QVERIFY_THROWS_EXCEPTION(Error, ControlQuery::parse("Metadata_control_type=negcon"));
    }

    void benjaminiHochbergMatchesStatsmodels()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("retrieval/map_seed0_ns10000.csv")));
        for (const char *file : {"map_seed0_ns10000.csv", "map_seed3_ns10000.csv", "map_seed1_ns100000.csv"}) {
            const auto rows = readCsv(test::fixture(QStringLiteral("retrieval/") + QString::fromLatin1(file)));
            QCOMPARE(rows.size(), std::size_t(360));
            std::vector<double> p;
            for (const auto &r : rows) p.push_back(std::stod(r.at("p_value")));
            const auto q = benjaminiHochberg(p);
            for (std::size_t i = 0; i < rows.size(); ++i)
                QVERIFY2(std::abs(q[i] - std::stod(rows[i].at("corrected_p_value"))) <= 1e-9, file);
        }
        // Hand-checked: step-up with the running minimum and clipping at 1.
        const auto q = benjaminiHochberg({0.01, 0.04, 0.03, 0.5});
        QVERIFY(std::abs(q[0] - 0.04) < 1e-15 && std::abs(q[1] - 0.04 * 4 / 3) < 1e-15 && std::abs(q[2] - 0.04 * 4 / 3) < 1e-15 && q[3] == 0.5);
    }

    void averagePrecisionMatchesFixture()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("retrieval/ap_seed0.csv")));
        const auto res = phenotypicActivity(table(), fixtureOptions(1000, 0));
        const auto &plate = table().metaColumn("Metadata_Plate");
        const auto &well = table().metaColumn("Metadata_Well");
        std::map<std::string, const ApRecord *> byWell;
        for (const auto &a : res.ap) byWell[plate[a.row] + "/" + well[a.row]] = &a;
        const auto ref = readCsv(path);
        QCOMPARE(ref.size(), std::size_t(1440));
        QCOMPARE(res.ap.size(), ref.size());
        double worst = 0;
        for (const auto &r : ref) {
            const auto it = byWell.find(r.at("Metadata_Plate") + "/" + r.at("Metadata_Well"));
            QVERIFY(it != byWell.end());
            QCOMPARE(it->second->nPos, std::stoi(r.at("n_pos_pairs")));
            QCOMPARE(it->second->nTotal, std::stoi(r.at("n_total_pairs")));
            worst = std::max(worst, std::abs(it->second->ap - std::stod(r.at("average_precision"))));
        }
        qInfo("max |AP - copairs| = %.3g", worst);
        QVERIFY(worst <= 1e-9);
    }

    void meanAveragePrecisionPValuesAndFractionRetrieved()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("retrieval/map_seed0_ns10000.csv")));
        const double ns = 10000;
        // Reference p per compound: the mean over the fixture's five NS=1e4 seeds (one reference seed alone is as
        // noisy as ours; the README bound describes one estimator's noise around the true p).
        std::map<std::string, double> refMap, refP, refQ;
        for (int s = 0; s < 5; ++s) {
            const auto ref = readCsv(test::fixture(QStringLiteral("retrieval/map_seed%1_ns10000.csv").arg(s)));
            QCOMPARE(ref.size(), std::size_t(360));
            for (const auto &r : ref) {
                const auto &name = r.at("Metadata_broad_sample");
                refMap[name] = std::stod(r.at("mean_average_precision"));
                refP[name] += std::stod(r.at("p_value")) / 5;
                refQ[name] += std::stod(r.at("corrected_p_value")) / 5;
            }
        }
        // Exact null for the fixture's single configuration (3 positives among 99): all C(99,3) rankings.
        std::vector<float> exact;
        for (int a = 1; a <= 99; ++a)
            for (int b = a + 1; b <= 99; ++b)
                for (int c = b + 1; c <= 99; ++c)
                    exact.push_back(static_cast<float>((1.0 / a + 2.0 / b + 3.0 / c) / 3.0));
        std::sort(exact.begin(), exact.end());
        auto bound = [&](double p) { return 4 * std::sqrt(p * (1 - p) / ns) + 2 / ns; };
        for (std::uint64_t seed : {0u, 1u, 7u}) {
            const auto res = phenotypicActivity(table(), fixtureOptions(10000, seed));
            QCOMPARE(res.groups.size(), std::size_t(1));
            QCOMPARE(res.groups[0].nPerturbations, 360);
            QCOMPARE(res.nullConfigurations, std::size_t(1));
            qInfo("seed %d: FR %.5f (%d/360), %d below p", int(seed), res.groups[0].fractionRetrieved, res.groups[0].nActive,
                  res.groups[0].nBelowP);
            QVERIFY(std::abs(res.groups[0].fractionRetrieved - 0.24722) <= 0.01);
            double worstMap = 0;
            int pOut = 0, qOut = 0, exactOut = 0;
            for (const auto &p : res.perturbations) {
                worstMap = std::max(worstMap, std::abs(p.meanAveragePrecision - refMap.at(p.perturbation)));
                const double pr = refP.at(p.perturbation), qr = refQ.at(p.perturbation);
                const auto above = exact.end() - std::upper_bound(exact.begin(), exact.end(), static_cast<float>(p.meanAveragePrecision));
                const double pe = (ns * static_cast<double>(above) / static_cast<double>(exact.size()) + 1) / (ns + 1);
                if (std::abs(p.pValue - pr) > bound(pr))
                    qInfo("%s: p %.6g vs reference mean %.6g (bound %.3g)", p.perturbation.c_str(), p.pValue, pr, bound(pr));
                pOut += std::abs(p.pValue - pr) > bound(pr);
                exactOut += std::abs(p.pValue - pe) > bound(pe);
                qOut += std::abs(p.correctedPValue - qr) > 3 * bound(qr);
            }
            QVERIFY(worstMap <= 1e-9);
            QVERIFY2(pOut == 0, qPrintable(QStringLiteral("%1 p-values outside the bound").arg(pOut)));
            QVERIFY2(exactOut == 0, qPrintable(QStringLiteral("%1 p-values outside the bound around the exact p").arg(exactOut)));
            QVERIFY2(qOut == 0, qPrintable(QStringLiteral("%1 corrected p-values outside the bound").arg(qOut)));
        }
    }

    void seedDeterminismAndThreadIndependence()
    {
        const NullConfig c{3, 99};
        const auto a = test::withThreads(1, [&] { return sortedNull(c, 200000, 5); }), b = test::withThreads(3, [&] { return sortedNull(c, 200000, 5); }),
                   d = sortedNull(c, 200000, 6);
        QVERIFY(a == b);
        QVERIFY(a != d);
        QVERIFY(std::is_sorted(a.begin(), a.end()));
    }

    void nullMatchesExactDistribution()
    {
        // n_pos = 2 among 6: all 15 rank pairs equally likely; compare the sampled mean and P(AP = 1).
        for (NullConfig c : {NullConfig{2, 6}, NullConfig{5, 7}, NullConfig{30, 40}}) {
            const auto v = sortedNull(c, 400000, 1);
            // Exact mean of AP under random ranking, by enumeration (small) or by linearity (large).
            double exact = 0;
            if (c.nTotal <= 7) {
                int count = 0;
                for (int mask = 0; mask < (1 << c.nTotal); ++mask) {
                    if (__builtin_popcount(static_cast<unsigned>(mask)) != c.nPos) continue;
                    double s = 0;
                    int tp = 0;
                    for (int r = 0; r < c.nTotal; ++r)
                        if (mask >> r & 1) s += static_cast<double>(++tp) / (r + 1);
                    exact += s / c.nPos;
                    ++count;
                }
                exact /= count;
            } else {
                // E[AP] = (1/k) sum_r P(pos at r) E[tp_r | pos at r] / r = (1/k) sum_r (k/m)(1 + (k-1)(r-1)/(m-1)) / r
                const double k = c.nPos, m = c.nTotal;
                for (int r = 1; r <= c.nTotal; ++r) exact += (1.0 / m) * (1 + (k - 1) * (r - 1) / (m - 1)) / r;
            }
            double mean = 0, sq = 0;
            for (float x : v) { mean += x; sq += double(x) * x; }
            mean /= v.size();
            const double sd = std::sqrt(sq / v.size() - mean * mean);
            QVERIFY2(std::abs(mean - exact) < 5 * sd / std::sqrt(double(v.size())),
                     qPrintable(QStringLiteral("mean %1 vs exact %2").arg(mean).arg(exact)));
        }
        QCOMPARE(sortedNull({4, 4}, 10, 0).front(), 1.0f); // all positives: AP is 1
    }

    void pValueSemantics()
    {
        const std::vector<float> null{0.1f, 0.2f, 0.2f, 0.5f};
        QCOMPARE(permutationPValue(0.2, {&null}), (1.0 + 1) / 5);             // strict >: only 0.5
        QCOMPARE(permutationPValue(0.2, {&null}, true), (3.0 + 1) / 5);       // >= (copairs 0.6)
        QCOMPARE(permutationPValue(0.05, {&null, &null}), (4.0 + 1) / 5);
        const std::vector<float> other{0.3f, 0.3f, 0.3f, 0.3f};
        // Element-wise mean of the replicates' sorted nulls: 0.2, 0.25, 0.25, 0.4.
        QCOMPARE(permutationPValue(0.25, {&null, &other}), (1.0 + 1) / 5);
    }

    void nullBatchingDoesNotChangeResults()
    {
        // Perturbations with 2..6 replicates -> several (n_pos, n_total) configurations; a 1-byte null budget
        // forces one configuration per batch. p-values must be identical, and independent of the thread count.
        ProfileTable t;
        t.metaNames = {"Metadata_pert", "Metadata_type"};
        t.meta.assign(2, {});
        Rng rng(3);
        std::vector<std::vector<double>> rows;
        auto add = [&](const std::string &pert, bool ctrl, double shift) {
            t.meta[0].push_back(pert);
            t.meta[1].push_back(ctrl ? "negcon" : "trt");
            std::vector<double> v(6);
            for (auto &x : v) x = static_cast<double>(rng.below(1000000)) / 1e6 - 0.5 + shift;
            rows.push_back(v);
        };
        for (int c = 0; c < 30; ++c) add("DMSO", true, 0);
        for (int p = 0; p < 40; ++p)
            for (int r = 0; r < 2 + p % 5; ++r) add("c" + std::to_string(p), false, p % 3 == 0 ? 0.4 : 0.0);
        t.features.resize(static_cast<Eigen::Index>(rows.size()), 6);
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (int f = 0; f < 6; ++f) t.features(static_cast<Eigen::Index>(i), f) = rows[i][static_cast<std::size_t>(f)] + (f == 0 ? 1.0 : 0.0);
        ActivityOptions o;
        o.perturbationCol = "Metadata_pert";
        o.control = ControlQuery::parse("Metadata_type==negcon");
        o.nullSize = 20000;
        const auto a = test::withThreads(1, [&] { return phenotypicActivity(t, o); });
        QCOMPARE(a.nullConfigurations, std::size_t(5));
        o.nullMemoryBytes = 1;
        const auto b = test::withThreads(3, [&] { return phenotypicActivity(t, o); });
        QCOMPARE(a.perturbations.size(), std::size_t(40));
        for (std::size_t i = 0; i < a.perturbations.size(); ++i) {
            QCOMPARE(a.perturbations[i].pValue, b.perturbations[i].pValue);
            QCOMPARE(a.perturbations[i].meanAveragePrecision, b.perturbations[i].meanAveragePrecision);
        }
    }

    void averagePrecisionByHandAndTies()
    {
        // Rows: 0-2 controls, 3-5 compound A. Query 3 = (1,0): positives 4 (identical: sim 1) and 5 (sim 0.6);
        // negatives: control 0 identical (sim 1, tie with the positive -> positive first), 1 (0.8), 2 (-1).
        // Ranking: pos(1) neg0(1) neg1(0.8) pos(0.6) neg2 -> AP = (1/1 + 2/4) / 2 = 0.75.
        RowMatrix X(6, 2);
        X << 2, 0,  0.8, 0.6,  -1, 0,  1, 0,  3, 0,  0.6, 0.8;
        const std::vector<int> pert{0, 0, 0, 1, 1, 1};
        const std::vector<unsigned char> ctrl{1, 1, 1, 0, 0, 0};
        const auto ap = averagePrecision(X, pert, ctrl, {{3, 4, 5}});
        QCOMPARE(ap.size(), std::size_t(3));
        QCOMPARE(ap[0].row, std::size_t(3));
        QCOMPARE(ap[0].nPos, 2);
        QCOMPARE(ap[0].nTotal, 5);
        QVERIFY(std::abs(ap[0].ap - 0.75) < 1e-15);
        // Query 5 = (0.6,0.8): positives 3 and 4 (both 0.6); negatives 1 (0.96), 0 (0.6, tie), 2 (-0.6).
        // Ranking: neg1, pos, pos, neg0, neg2 -> AP = (1/2 + 2/3) / 2.
        QVERIFY(std::abs(ap[2].ap - (0.5 + 2.0 / 3.0) / 2) < 1e-15);
    }

    void badInput()
    {
        QTemporaryDir dir;
        auto write = [&](const char *name, const char *text) {
            const QString p = dir.filePath(QString::fromLatin1(name));
            QFile f(p);
            f.open(QIODevice::WriteOnly);
            f.write(text);
            return p.toStdString();
        };
        ActivityOptions o;
        o.perturbationCol = "Metadata_pert";
        o.control = ControlQuery::parse("Metadata_type==negcon");
        o.nullSize = 1000;
        // Missing metadata column: named error.
        const auto t1 = readProfileTable(write("a.csv", "Metadata_pert,f1,f2\na,1,2\na,2,1\n"));
        try {
            phenotypicActivity(t1, o);
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("Metadata_type") != std::string::npos);
        }
        // No controls at all.
        const auto t2 = readProfileTable(write("b.csv", "Metadata_pert,Metadata_type,f1,f2\na,,1,2\na,,2,1\nb,,1,1\nb,,3,1\n"));
        QVERIFY_THROWS_EXCEPTION(Error, phenotypicActivity(t2, o));
        // Singletons are excluded and reported, the rest evaluated.
        const auto t3 = readProfileTable(write("c.csv",
            "Metadata_pert,Metadata_type,f1,f2\nd,negcon,1,0.1\nd,negcon,0.9,-0.2\na,,0,1\na,,0.1,1\nb,,1,1\n"));
        const auto r3 = phenotypicActivity(t3, o);
        QCOMPARE(r3.perturbations.size(), std::size_t(1));
        bool reported = false;
        for (const auto &e : r3.exclusions) reported = reported || e.find("< 2 replicates") != std::string::npos;
        QVERIFY(reported);
        for (const auto &p : r3.perturbations) QVERIFY(std::isfinite(p.pValue) && std::isfinite(p.meanAveragePrecision));
        // Only singletons: nothing to evaluate -> error listing the exclusions.
        const auto t4 = readProfileTable(write("d.csv", "Metadata_pert,Metadata_type,f1,f2\nd,negcon,1,0.1\na,,0,1\nb,,1,1\n"));
        QVERIFY_THROWS_EXCEPTION(Error, phenotypicActivity(t4, o));
        // All-zero profile: cosine undefined -> named error, no NaN.
        const auto t5 = readProfileTable(write("e.csv", "Metadata_pert,Metadata_type,f1,f2\nd,negcon,1,0.1\na,,0,0\na,,1,1\n"));
        QVERIFY_THROWS_EXCEPTION(Error, phenotypicActivity(t5, o));
        // Group without controls: excluded and reported; the other group is evaluated.
        o.groupBy = {"Metadata_line"};
        const auto t6 = readProfileTable(write("f.csv",
            "Metadata_line,Metadata_pert,Metadata_type,f1,f2\nA,d,negcon,1,0.1\nA,a,,0,1\nA,a,,0.1,1\nB,a,,0,1\nB,a,,1,0\n"));
        const auto r6 = phenotypicActivity(t6, o);
        QCOMPARE(r6.groups.size(), std::size_t(2));
        QVERIFY(r6.groups[0].evaluated && !r6.groups[1].evaluated);
        QVERIFY(r6.groups[1].reason.find("no negative controls") != std::string::npos);
        QCOMPARE(r6.groupLabel(1), std::string("Metadata_line=B"));
    }
};

QTEST_GUILESS_MAIN(TestActivity)
#include "tst_activity.moc"
