#include "profiles/Activity.h"

#include "profiles/Multitest.h"
#include "profiles/NullDistribution.h"
#include "util/Csv.h"
#include "util/Error.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace cprecon::profiles {

namespace {

std::string trimmed(std::string s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::string listSome(const std::vector<std::string> &names, std::size_t max = 10)
{
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < max; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > max) s += ", ... (" + std::to_string(names.size() - max) + " more)";
    return s;
}

struct PertWork {
    std::string label;
    std::vector<std::size_t> apIndex; // into the group's AP records (replicate order = table order)
    std::vector<int> configIndex;     // per replicate
    double map = 0;
    double p = 0;
};

// p-values of all perturbations, generating each configuration's null once and holding at most
// `budget` bytes of null vectors (configurations beyond that are processed in later batches).
void computePValues(std::vector<PertWork> &perts, const std::vector<NullConfig> &configs, const ActivityOptions &o)
{
    const std::size_t perConfig = static_cast<std::size_t>(o.nullSize) * sizeof(float);
    const std::size_t batch = std::max<std::size_t>(1, o.nullMemoryBytes / std::max<std::size_t>(1, perConfig));
    std::vector<char> done(perts.size(), 0);
    for (std::size_t b0 = 0; b0 < configs.size(); b0 += batch) {
        const std::size_t b1 = std::min(configs.size(), b0 + batch);
        const std::vector<NullConfig> part(configs.begin() + static_cast<std::ptrdiff_t>(b0), configs.begin() + static_cast<std::ptrdiff_t>(b1));
        const auto nulls = sortedNulls(part, o.nullSize, o.seed);
        for (std::size_t i = 0; i < perts.size(); ++i) {
            auto &pw = perts[i];
            const auto [lo, hi] = std::minmax_element(pw.configIndex.begin(), pw.configIndex.end());
            if (static_cast<std::size_t>(*lo) < b0 || static_cast<std::size_t>(*hi) >= b1) continue;
            std::vector<const std::vector<float> *> reps;
            for (int c : pw.configIndex) reps.push_back(&nulls[static_cast<std::size_t>(c) - b0]);
            pw.p = permutationPValue(pw.map, reps, o.pGreaterEqual);
            done[i] = 1;
        }
    }
    // Perturbations whose replicates span batches: regenerate their few configurations (deterministic).
    for (std::size_t i = 0; i < perts.size(); ++i) {
        if (done[i]) continue;
        auto &pw = perts[i];
        std::vector<int> uniq(pw.configIndex);
        std::sort(uniq.begin(), uniq.end());
        uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
        std::vector<NullConfig> part;
        for (int c : uniq) part.push_back(configs[static_cast<std::size_t>(c)]);
        const auto nulls = sortedNulls(part, o.nullSize, o.seed);
        std::vector<const std::vector<float> *> reps;
        for (int c : pw.configIndex)
            reps.push_back(&nulls[static_cast<std::size_t>(std::lower_bound(uniq.begin(), uniq.end(), c) - uniq.begin())]);
        pw.p = permutationPValue(pw.map, reps, o.pGreaterEqual);
    }
}

} // namespace

ControlQuery ControlQuery::parse(const std::string &text)
{
    const auto eq = text.find("==");
    if (eq == std::string::npos || eq == 0)
        throw Error("cannot parse control query '" + text + "'", "", "write it as COLUMN==VALUE, e.g. Metadata_control_type==negcon");
    ControlQuery q;
    q.column = trimmed(text.substr(0, eq));
    q.value = trimmed(text.substr(eq + 2));
    if (q.value.size() >= 2 && (q.value.front() == '\'' || q.value.front() == '"') && q.value.back() == q.value.front())
        q.value = q.value.substr(1, q.value.size() - 2);
    if (q.column.empty()) throw Error("control query '" + text + "' names no column", "", "write it as COLUMN==VALUE");
    return q;
}

std::string ActivityResult::groupLabel(std::size_t g) const
{
    std::string s;
    for (std::size_t i = 0; i < groupBy.size(); ++i) s += (i ? "," : "") + groupBy[i] + "=" + groups[g].values[i];
    return s;
}

ActivityResult phenotypicActivity(const ProfileTable &table, const ActivityOptions &o)
{
    if (o.nullSize < 1) throw Error("null_size must be >= 1", "", "pass --null-size N with N >= 1");
    if (!(o.threshold > 0.0 && o.threshold <= 1.0)) throw Error("threshold must be in (0, 1]", "", "pass --threshold Q with 0 < Q <= 1");
    const auto &pertCol = table.metaColumn(o.perturbationCol, "the perturbation column, --perturbation-col");
    const auto &ctrlCol = table.metaColumn(o.control.column, "the column of --control-query");
    std::vector<const std::vector<std::string> *> groupCols;
    for (const auto &g : o.groupBy) groupCols.push_back(&table.metaColumn(g, "a --group-by column"));
    const std::vector<std::string> *plateCol = o.tvn ? &table.metaColumn(o.plateCol, "needed by --tvn for per-plate scaling") : nullptr;

    ActivityResult res;
    res.groupBy = o.groupBy;
    // Partition rows by group values (sorted like pandas groupby).
    std::map<std::vector<std::string>, std::vector<std::size_t>> groupRows;
    for (std::size_t r = 0; r < table.rows(); ++r) {
        std::vector<std::string> key;
        for (const auto *c : groupCols) key.push_back((*c)[r]);
        groupRows[key].push_back(r);
    }
    std::set<NullConfig> allConfigs;
    for (const auto &[key, rowsAll] : groupRows) {
        const std::size_t gi = res.groups.size();
        res.groups.push_back({});
        GroupActivity &G = res.groups.back();
        G.values = key;
        const std::string where = o.groupBy.empty() ? std::string() : " in group " + res.groupLabel(gi);

        std::vector<std::size_t> rows;
        std::size_t unlabeled = 0;
        for (std::size_t r : rowsAll) {
            const bool isCtrl = ctrlCol[r] == o.control.value;
            if (!isCtrl && pertCol[r].empty()) { ++unlabeled; continue; }
            rows.push_back(r);
        }
        if (unlabeled)
            res.exclusions.push_back(std::to_string(unlabeled) + " non-control row(s) with an empty " + o.perturbationCol + where + " excluded");
        std::size_t nCtrl = 0;
        for (std::size_t r : rows) nCtrl += ctrlCol[r] == o.control.value;
        G.nControls = static_cast<int>(nCtrl);
        if (nCtrl == 0) {
            G.reason = "no negative controls (" + o.control.text() + ")";
            res.exclusions.push_back((o.groupBy.empty() ? std::string("dataset") : "group " + res.groupLabel(gi)) + " excluded: " + G.reason);
            continue;
        }

        // Features of the group (TVN-processed when asked).
        // Without TVN the table's matrix is used in place (no copy: 50k x 4k features stay one 1.6 GB matrix).
        RowMatrix tvnOut;
        const RowMatrix *M = &table.features;
        std::vector<unsigned char> isCtrl(rows.size()), kept(rows.size(), 1);
        for (std::size_t i = 0; i < rows.size(); ++i) isCtrl[i] = ctrlCol[rows[i]] == o.control.value;
        if (o.tvn) {
            RowMatrix X(static_cast<Eigen::Index>(rows.size()), table.features.cols());
            for (std::size_t i = 0; i < rows.size(); ++i) X.row(static_cast<Eigen::Index>(i)) = table.features.row(static_cast<Eigen::Index>(rows[i]));
            std::map<std::string, int> plateIds;
            std::vector<int> plate(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i)
                plate[i] = plateIds.emplace((*plateCol)[rows[i]], static_cast<int>(plateIds.size())).first->second;
            TvnResult t = tvnTransform(X, isCtrl, plate, o.tvnOptions);
            std::vector<std::string> plateNames(plateIds.size());
            for (const auto &[name, id] : plateIds) plateNames[static_cast<std::size_t>(id)] = name;
            for (auto &n : t.notes) {
                const auto pos = n.find("plate #");
                if (pos != std::string::npos) { // name the plate
                    const int id = std::stoi(n.substr(pos + 7));
                    n = n.substr(0, pos) + "plate " + plateNames[static_cast<std::size_t>(id)] + n.substr(n.find(' ', pos + 7));
                    res.exclusions.push_back(n + where);
                } else {
                    res.notes.push_back(n + where);
                }
            }
            tvnOut = std::move(t.tvn);
            M = &tvnOut;
            kept = t.rowKept;
        }

        // Perturbations (sorted by label, as pandas groupby) with their replicate rows.
        std::map<std::string, std::vector<std::size_t>> byPert; // label -> local rows
        std::map<std::string, int> labelId;
        std::vector<int> pid(rows.size(), -1);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (!kept[i]) continue;
            pid[i] = labelId.emplace(pertCol[rows[i]], static_cast<int>(labelId.size())).first->second;
            if (!isCtrl[i]) byPert[pertCol[rows[i]]].push_back(i);
        }
        for (std::size_t i = 0; i < rows.size(); ++i) if (!kept[i]) isCtrl[i] = 0;
        std::vector<std::string> singles;
        std::vector<std::vector<std::size_t>> reps;
        std::vector<PertWork> perts;
        for (const auto &[label, members] : byPert) {
            if (members.size() < 2) { singles.push_back(label); continue; }
            reps.push_back(members);
            perts.push_back({});
            perts.back().label = label;
        }
        if (!singles.empty())
            res.exclusions.push_back(std::to_string(singles.size()) + " perturbation(s) with < 2 replicates (no positive pairs)" + where +
                                     " excluded: " + listSome(singles));
        std::size_t ctrlLeft = 0;
        for (auto c : isCtrl) ctrlLeft += c;
        if (ctrlLeft == 0) {
            G.reason = "no negative controls left after TVN plate exclusions";
            res.exclusions.push_back((o.groupBy.empty() ? std::string("dataset") : "group " + res.groupLabel(gi)) + " excluded: " + G.reason);
            continue;
        }
        if (perts.empty()) {
            G.reason = "no perturbation with >= 2 replicates";
            res.exclusions.push_back((o.groupBy.empty() ? std::string("dataset") : "group " + res.groupLabel(gi)) + " excluded: " + G.reason);
            continue;
        }

        // Local row i -> row of M.
        auto mrow = [&](std::size_t i) { return o.tvn ? i : rows[i]; };
        std::vector<int> mpid(static_cast<std::size_t>(M->rows()), -1);
        std::vector<unsigned char> mctrl(static_cast<std::size_t>(M->rows()), 0);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            mpid[mrow(i)] = pid[i];
            mctrl[mrow(i)] = isCtrl[i];
        }
        for (auto &g : reps)
            for (auto &i : g) i = mrow(i);
        const auto ap = averagePrecision(*M, mpid, mctrl, reps);
        // mAP per perturbation, null configurations.
        std::map<NullConfig, int> cfgIndex;
        std::size_t k = 0;
        for (std::size_t pi = 0; pi < perts.size(); ++pi) {
            double s = 0;
            for (std::size_t m = 0; m < reps[pi].size(); ++m, ++k) {
                perts[pi].apIndex.push_back(k);
                s += ap[k].ap;
                cfgIndex.emplace(NullConfig{ap[k].nPos, ap[k].nTotal}, 0);
            }
            perts[pi].map = s / static_cast<double>(reps[pi].size());
        }
        std::vector<NullConfig> configs;
        for (auto &[c, idx] : cfgIndex) { idx = static_cast<int>(configs.size()); configs.push_back(c); allConfigs.insert(c); }
        for (auto &pw : perts)
            for (std::size_t a : pw.apIndex) pw.configIndex.push_back(cfgIndex.at(NullConfig{ap[a].nPos, ap[a].nTotal}));
        computePValues(perts, configs, o);

        std::vector<double> p;
        for (const auto &pw : perts) p.push_back(pw.p);
        const auto q = benjaminiHochberg(p);
        G.evaluated = true;
        G.nPerturbations = static_cast<int>(perts.size());
        for (std::size_t pi = 0; pi < perts.size(); ++pi) {
            PerturbationActivity pa;
            pa.group = gi;
            pa.perturbation = perts[pi].label;
            pa.nReplicates = static_cast<int>(reps[pi].size());
            pa.meanAveragePrecision = perts[pi].map;
            pa.pValue = p[pi];
            pa.correctedPValue = q[pi];
            pa.belowP = p[pi] < o.threshold;
            pa.belowCorrectedP = q[pi] < o.threshold;
            G.nActive += pa.belowCorrectedP;
            G.nBelowP += pa.belowP;
            res.perturbations.push_back(pa);
        }
        G.fractionRetrieved = static_cast<double>(G.nActive) / static_cast<double>(G.nPerturbations);
        for (ApRecord r : ap) {
            r.row = o.tvn ? rows[r.row] : r.row;
            res.ap.push_back(r);
        }
    }
    res.nullConfigurations = allConfigs.size();
    bool any = false;
    for (const auto &g : res.groups) any = any || g.evaluated;
    if (!any) {
        std::string why;
        for (const auto &e : res.exclusions) why += "\n  " + e;
        throw Error("no perturbation could be evaluated:" + why, table.source,
                    "check --perturbation-col, --control-query and that perturbations have >= 2 replicates");
    }
    return res;
}

void writeActivityCsv(const ActivityResult &r, const std::string &pertCol, const std::string &path)
{
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "w"), &std::fclose);
    if (!f) throw Error("cannot write result table", path, "check the folder exists and is writable");
    std::string line;
    for (const auto &g : r.groupBy) line += csvField(g) + ",";
    line += csvField(pertCol) + ",n_replicates,mean_average_precision,p_value,corrected_p_value,below_p,below_corrected_p\n";
    std::fputs(line.c_str(), f.get());
    for (const auto &p : r.perturbations) {
        line.clear();
        for (const auto &v : r.groups[p.group].values) line += csvField(v) + ",";
        char buf[160];
        std::snprintf(buf, sizeof buf, ",%d,%.17g,%.17g,%.17g,%s,%s\n", p.nReplicates, p.meanAveragePrecision, p.pValue,
                      p.correctedPValue, p.belowP ? "True" : "False", p.belowCorrectedP ? "True" : "False");
        line += csvField(p.perturbation) + buf;
        std::fputs(line.c_str(), f.get());
    }
}

void writeApCsv(const ActivityResult &r, const ProfileTable &t, const std::string &path)
{
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "w"), &std::fclose);
    if (!f) throw Error("cannot write AP table", path, "check the folder exists and is writable");
    std::string line;
    for (const auto &n : t.metaNames) line += csvField(n) + ",";
    line += "n_pos_pairs,n_total_pairs,average_precision\n";
    std::fputs(line.c_str(), f.get());
    for (const auto &a : r.ap) {
        line.clear();
        for (const auto &c : t.meta) line += csvField(c[a.row]) + ",";
        char buf[96];
        std::snprintf(buf, sizeof buf, "%d,%d,%.17g\n", a.nPos, a.nTotal, a.ap);
        line += buf;
        std::fputs(line.c_str(), f.get());
    }
}

} // namespace cprecon::profiles
