// cprecon-cli activity: phenotypic activity (copairs mAP recipe) and fraction retrieved from a profile table.
#include "CliRegistry.h"

#include "profiles/Activity.h"
#include "profiles/Aggregate.h"
#include "util/Error.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace cprecon::cli {

using namespace cprecon::profiles;

static NonFinitePolicy parsePolicy(const QString &s)
{
    if (s == QStringLiteral("drop-features")) return NonFinitePolicy::DropFeatures;
    if (s == QStringLiteral("drop-rows")) return NonFinitePolicy::DropRows;
    if (s == QStringLiteral("error")) return NonFinitePolicy::Error;
    throw Error("unknown --nonfinite '" + s.toStdString() + "'", "", "use drop-features, drop-rows or error");
}

static int runActivity(const Args &a)
{
    const auto t0 = std::chrono::steady_clock::now();
    ProfileReadOptions ro;
    ro.featurePrefix = a.value(QStringLiteral("feature-prefix")).toStdString();
    ro.featuresFromCol = a.intValue(QStringLiteral("features-from-col"), -1);
    if (!ro.featurePrefix.empty() && ro.featuresFromCol >= 0)
        throw Error("--feature-prefix and --features-from-col are exclusive", "", "pass only one of them");
    ro.nonFinite = parsePolicy(a.value(QStringLiteral("nonfinite"), QStringLiteral("drop-features")));

    ActivityOptions o;
    const std::string profilesPath = a.require(QStringLiteral("profiles")).toStdString();
    o.perturbationCol = a.require(QStringLiteral("perturbation-col")).toStdString();
    if (!a.has(QStringLiteral("control-query")))
        throw Error("missing option --control-query", "", "e.g. --control-query 'Metadata_control_type==negcon'");
    o.control = ControlQuery::parse(a.value(QStringLiteral("control-query")).toStdString());
    const std::string out = a.require(QStringLiteral("out")).toStdString();
    for (const auto &g : a.values(QStringLiteral("group-by"))) o.groupBy.push_back(g.trimmed().toStdString());
    o.nullSize = a.longValue(QStringLiteral("null-size"), 1000000);
    o.seed = static_cast<std::uint64_t>(a.longValue(QStringLiteral("seed"), 0));
    o.threshold = a.doubleValue(QStringLiteral("threshold"), 0.05);
    const QString cmp = a.value(QStringLiteral("p-compare"), QStringLiteral("gt"));
    if (cmp != QStringLiteral("gt") && cmp != QStringLiteral("ge"))
        throw Error("unknown --p-compare '" + cmp.toStdString() + "'", "", "gt (copairs <= 0.5, default) or ge (copairs 0.6)");
    o.pGreaterEqual = cmp == QStringLiteral("ge");
    o.tvn = a.has(QStringLiteral("tvn"));
    o.tvnOptions.whiten = !a.has(QStringLiteral("no-whiten"));
    o.tvnOptions.varianceThreshold = a.doubleValue(QStringLiteral("variance-threshold"), 1e-6);
    o.tvnOptions.maxComponents = a.intValue(QStringLiteral("tvn-components"), 256);
    o.plateCol = a.value(QStringLiteral("plate-col"), QStringLiteral("Metadata_Plate")).toStdString();
    const std::string wellCol = a.value(QStringLiteral("well-col"), QStringLiteral("Metadata_Well")).toStdString();

    ProfileTable table = readProfileTable(profilesPath, ro);
    std::cout << "profiles: " << profilesPath << " (" << table.rows() << " rows, " << table.features.cols() << " features)\n";
    if (a.has(QStringLiteral("aggregate"))) {
        table = aggregateWells(table, parseAggregation(a.value(QStringLiteral("aggregate")).toStdString()), o.plateCol, wellCol);
    }
    for (const auto &n : table.notes) std::cout << "note: " << n << "\n";

    const ActivityResult r = phenotypicActivity(table, o);
    for (const auto &n : r.notes) std::cout << "note: " << n << "\n";
    for (const auto &e : r.exclusions) std::cout << "excluded: " << e << "\n";
    writeActivityCsv(r, o.perturbationCol, out);
    if (a.has(QStringLiteral("ap-out"))) writeApCsv(r, table, a.value(QStringLiteral("ap-out")).toStdString());
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("settings: control %s, null_size %lld, seed %llu, threshold %g, p = (#{null %s mAP} + 1)/(null_size + 1), "
                "BH (fdr_bh)%s\n",
                o.control.text().c_str(), static_cast<long long>(o.nullSize), static_cast<unsigned long long>(o.seed), o.threshold,
                o.pGreaterEqual ? ">=" : ">", o.tvn ? ", TVN" : "");
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
        const auto &G = r.groups[g];
        const std::string name = r.groupBy.empty() ? "fraction_retrieved" : "fraction_retrieved[" + r.groupLabel(g) + "]";
        if (!G.evaluated) {
            std::printf("%s: excluded (%s)\n", name.c_str(), G.reason.c_str());
            continue;
        }
        std::printf("%s: %.6g\n", name.c_str(), G.fractionRetrieved);
        std::printf("  %d/%d perturbations active (corrected p < %g), %d with p < %g, %d control wells\n", G.nActive,
                    G.nPerturbations, o.threshold, G.nBelowP, o.threshold, G.nControls);
    }
    std::printf("wrote %s (%zu perturbations, %zu null configurations) in %.2f s\n", out.c_str(), r.perturbations.size(),
                r.nullConfigurations, secs);
    return 0;
}

static Registrar reg({"activity", "phenotypic activity (copairs mAP vs controls) and fraction retrieved",
                      QStringLiteral("--profiles FILE --perturbation-col COL --control-query 'COL==VALUE' --out result.csv"),
                      QStringLiteral("Queries: rows not matching --control-query; positives: other rows of the same perturbation;\n"
                                     "negatives: control rows (with a different perturbation label). Cosine similarity, AP per replicate,\n"
                                     "mAP per perturbation, permutation p-value, Benjamini-Hochberg; FR = share with corrected p < threshold.\n"
                                     "--control-query 'COL==' selects rows whose COL is empty. --group-by: each group is an independent\n"
                                     "dataset (own controls, TVN, BH). Features: --feature-prefix, --features-from-col (0-based), or all\n"
                                     "non-Metadata_ numeric columns. See docs/user/activity.md."),
                      {value(QStringLiteral("profiles"), QStringLiteral("FILE"), QStringLiteral("profile table (.csv or .csv.gz)")),
                       value(QStringLiteral("perturbation-col"), QStringLiteral("COL"), QStringLiteral("column naming the perturbation")),
                       value(QStringLiteral("control-query"), QStringLiteral("'COL==VALUE'"), QStringLiteral("rows that are negative controls")),
                       value(QStringLiteral("out"), QStringLiteral("FILE"), QStringLiteral("per-perturbation result CSV")),
                       value(QStringLiteral("feature-prefix"), QStringLiteral("P"), QStringLiteral("feature columns start with P")),
                       integer(QStringLiteral("features-from-col"), QStringLiteral("N"), QStringLiteral("features are the columns from N on (0-based)"), {}, 0),
                       value(QStringLiteral("nonfinite"), QStringLiteral("drop-features|drop-rows|error"), QStringLiteral("NaN / inf / empty feature values"),
                             QStringLiteral("drop-features")),
                       value(QStringLiteral("aggregate"), QStringLiteral("mean|median"), QStringLiteral("aggregate rows to wells first")),
                       value(QStringLiteral("plate-col"), QStringLiteral("COL"), QStringLiteral("plate column"), QStringLiteral("Metadata_Plate")),
                       value(QStringLiteral("well-col"), QStringLiteral("COL"), QStringLiteral("well column"), QStringLiteral("Metadata_Well")),
                       flag(QStringLiteral("tvn"), QStringLiteral("typical variation normalisation on the controls, then per-plate scaling")),
                       flag(QStringLiteral("no-whiten"), QStringLiteral("TVN without PCA whitening")),
                       number(QStringLiteral("variance-threshold"), QStringLiteral("V"), QStringLiteral("TVN: drop components of variance below V"), QStringLiteral("1e-6"), 0),
                       integer(QStringLiteral("tvn-components"), QStringLiteral("N"), QStringLiteral("TVN: at most N PCA components"), QStringLiteral("256"), 1),
                       integer(QStringLiteral("null-size"), QStringLiteral("N"), QStringLiteral("permutation null samples (1e6 accepted)"), QStringLiteral("1000000"), 1, 1e10),
                       integer(QStringLiteral("seed"), QStringLiteral("K"), QStringLiteral("null seed"), QStringLiteral("0"), 0),
                       number(QStringLiteral("threshold"), QStringLiteral("Q"), QStringLiteral("active when the corrected p < Q"), QStringLiteral("0.05"), 1e-300, 1),
                       value(QStringLiteral("p-compare"), QStringLiteral("gt|ge"), QStringLiteral("null > mAP (copairs <= 0.5) or >= (copairs 0.6)"), QStringLiteral("gt")),
                       list(QStringLiteral("group-by"), QStringLiteral("COL1,COL2"), QStringLiteral("independent datasets by these columns")),
                       value(QStringLiteral("ap-out"), QStringLiteral("FILE"), QStringLiteral("per-replicate average precision CSV"))},
                      runActivity});

} // namespace cprecon::cli
