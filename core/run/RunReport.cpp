#include "run/RunReport.h"

#include "run/ReportTables.h"

#include "profiles/ProfileTable.h"
#include "util/Csv.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

namespace cprecon::run {

namespace {

using File = std::unique_ptr<FILE, int (*)(FILE *)>;

std::string num(double v) { return reportNumber(v); }

class Writer {
public:
    Writer(const QString &dir, std::vector<std::string> &files) : m_dir(dir), m_files(files) {}
    File open(const std::string &name)
    {
        const std::string path = QDir(m_dir).filePath(QString::fromStdString(name)).toStdString();
        File f(std::fopen(path.c_str(), "w"), &std::fclose);
        if (!f) throw Error("cannot write the report file", path, "check the folder exists, is writable and the disk has space");
        m_files.push_back(name);
        return f;
    }
    std::string path(const std::string &name) const { return QDir(m_dir).filePath(QString::fromStdString(name)).toStdString(); }
    void added(const std::string &name) { m_files.push_back(name); }
    static void put(FILE *f, const std::string &line, const std::string &name)
    {
        if (std::fputs(line.c_str(), f) < 0) throw Error("writing the report failed", name, "check free disk space");
    }

private:
    QString m_dir;
    std::vector<std::string> &m_files;
};

std::string repeatSuffix(int r) { return r == 0 ? std::string() : "_repeat" + std::to_string(r); }

} // namespace

std::string fileSafeName(const std::string &model)
{
    std::string s = model;
    if (s.rfind("sd-vae:", 0) == 0) {
        std::string path = s.substr(7, s.find('|') == std::string::npos ? std::string::npos : s.find('|') - 7);
        while (!path.empty() && path.back() == '/') path.pop_back();
        s = "sd-vae-" + QFileInfo(QString::fromStdString(path)).fileName().toStdString();
    }
    for (char &c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '-';
    return s;
}

ReportSummary writeReport(const ResultsStore &store, const QString &outDir, const std::string &appVersion,
                          const std::function<void(const std::string &)> &progress, const std::atomic<bool> *cancel,
                          const RunTables *precomputed)
{
    if (!QDir().mkpath(outDir)) throw Error("cannot create the report folder", outDir.toStdString(), "check the parent folder's permissions");
    ReportSummary summary;
    Writer w(outDir, summary.files);
    const RunConfig &config = store.config();
    std::optional<RunTables> computed;
    if (!precomputed) computed = analyseRun(store, progress, cancel);
    const RunTables &tables = precomputed ? *precomputed : *computed;
    const std::map<SiteLocation, SiteInfo> infos = store.siteInfos();
    const std::vector<std::string> &groupBy = tables.groupBy;

    auto datasetColumns = [&](const std::string &plate, const std::string &well, int site) {
        std::string s;
        const auto it = infos.find({plate, well, site});
        s += csvField(it == infos.end() ? std::string() : it->second.dataset);
        for (const std::string &col : groupBy) {
            std::string v;
            if (it != infos.end()) {
                const auto m = it->second.metadata.find(col);
                if (m != it->second.metadata.end()) v = m->second;
            }
            s += "," + csvField(v);
        }
        return s;
    };
    std::string datasetHeader = "Metadata_dataset";
    for (const std::string &col : groupBy) datasetHeader += "," + csvField(col);

    // Per-tile tables, streamed in key order: the tile's key, its values, the site's dataset columns.
    const std::string tileKeyHeader = "model,repeat,Metadata_Plate,Metadata_Well,Metadata_Site,tile_row,tile_col,";
    auto tileKey = [](const SiteKey &k, int row, int col) {
        return csvField(k.model) + "," + std::to_string(k.repeat) + "," + csvField(k.plate) + "," + csvField(k.well) + "," +
               std::to_string(k.site) + "," + std::to_string(row) + "," + std::to_string(col) + ",";
    };
    {
        const std::string name = "tile_metrics.csv";
        File f = w.open(name);
        Writer::put(f.get(), tileKeyHeader + "stain,mae,ssim,emd," + datasetHeader + "\n", name);
        store.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &r) {
            Writer::put(f.get(), tileKey(k, r.tileRow, r.tileCol) + csvField(r.stain) + "," + num(r.mae) + "," + num(r.ssim) + "," +
                                     num(r.emd) + "," + datasetColumns(k.plate, k.well, k.site) + "\n", name);
        });
    }
    {
        const std::string name = "triplet_metrics.csv";
        File f = w.open(name);
        Writer::put(f.get(), tileKeyHeader + "triplet,kld," + datasetHeader + "\n", name);
        store.forEachTripletMetric([&](const SiteKey &k, const TripletMetricRow &r) {
            Writer::put(f.get(), tileKey(k, r.tileRow, r.tileCol) + csvField(r.triplet) + "," + num(r.kld) + "," +
                                     datasetColumns(k.plate, k.well, k.site) + "\n", name);
        });
    }
    // Box plots of the pixel metrics (computed by the analysis): exactly what the figures draw.
    for (const char *metric : {"mae", "emd", "ssim"}) {
        const std::string name = std::string("box_") + metric + ".csv";
        File f = w.open(name);
        Writer::put(f.get(), boxCsv(tables, infos, metric, config.protocol), name);
    }
    {
        const std::string name = "metric_summary.csv";
        File f = w.open(name);
        Writer::put(f.get(), "model,repeat,dataset,stain_or_triplet,metric,n,mean,sd\n", name);
        for (const SummaryRow &s : tables.summaries)
            Writer::put(f.get(), csvField(s.model) + "," + std::to_string(s.repeat) + "," + csvField(s.dataset) + "," + csvField(s.key) + "," +
                                     s.metric + "," + std::to_string(s.n) + "," + num(s.mean) + "," + num(s.sd) + "\n",
                        name);
    }
    {
        const std::string name = "fid.csv";
        File f = w.open(name);
        Writer::put(f.get(), "model,repeat,dataset,triplet,extractor,fid,n_original,n_reconstruction,rank_warning\n", name);
        for (const FidRow &r : tables.fid)
            Writer::put(f.get(), csvField(r.model) + "," + std::to_string(r.repeat) + "," + csvField(r.dataset) + "," + r.triplet + "," +
                                     r.extractor + "," + num(r.fid) + "," + std::to_string(r.nOriginal) + "," +
                                     std::to_string(r.nReconstruction) + "," + (r.rankWarning ? "True" : "False") + "\n",
                        name);
    }

    // FR: every repeat, then mean and σ over repeats (rows extractor x data x aggregation, columns datasets).
    {
        const std::string name = "fr_repeats.csv";
        File f = w.open(name);
        Writer::put(f.get(), "extractor,data,aggregation,dataset,repeat,evaluated,n_perturbations,n_active,fraction_retrieved,reason\n", name);
        for (const FrRow &r : tables.fr)
            Writer::put(f.get(), r.extractor + "," + csvField(r.data) + "," + r.aggregation + "," + csvField(r.dataset) + "," +
                                     std::to_string(r.repeat) + "," + (r.evaluated ? "True" : "False") + "," +
                                     std::to_string(r.nPerturbations) + "," + std::to_string(r.nActive) + "," +
                                     (r.evaluated ? num(r.fr) : "") + "," + csvField(r.reason) + "\n",
                        name);
    }
    const FrTable fr = frTable(tables);
    {
        File f = w.open("fr_table.csv");
        Writer::put(f.get(), frTableCsv(fr), "fr_table.csv");
    }
    {
        File f = w.open("fr_table.md");
        Writer::put(f.get(), frTableMarkdown(fr, config.protocol), "fr_table.md");
    }

    // Activity per extractor x aggregation x data x repeat.
    for (const ActivityTable &a : tables.activity) {
        const std::string name = "activity_" + a.extractor + "_" + a.aggregation + "_" + fileSafeName(a.data) + repeatSuffix(a.repeat) + ".csv";
        profiles::writeActivityCsv(a.result, "Metadata_broad_sample", w.path(name));
        w.added(name);
    }

    // Site and well profiles.
    std::vector<std::pair<std::string, int>> sources;
    for (const auto &[m, r] : store.sources()) sources.emplace_back(m, r);
    for (const std::string &extractor : store.embeddingExtractors())
        for (const auto &[model, repeat] : sources)
            for (bool natural : {false, true}) {
                const profiles::ProfileTable sites = siteProfiles(store, infos, {model, repeat}, extractor, natural);
                if (sites.rows() == 0) continue;
                const std::string data = fileSafeName(model.empty() ? "original" : model) + repeatSuffix(repeat);
                const std::string name = "site_profiles_" + extractor + "_" + data + (natural ? "_natural" : "") + ".csv";
                profiles::writeProfileTable(sites, w.path(name));
                w.added(name);
                if (natural) continue;
                for (profiles::Aggregation agg : config.aggregations) {
                    const std::string aggName = agg == profiles::Aggregation::Mean ? "mean" : "median";
                    const std::string wname = "well_profiles_" + extractor + "_" + aggName + "_" + data + ".csv";
                    profiles::writeProfileTable(profiles::aggregateWells(sites, agg), w.path(wname));
                    w.added(wname);
                }
            }

    // How complete the run is: every site's originals and each model's repeats.
    {
        std::set<SiteKey> present;
        for (const SiteKey &k : store.sites()) present.insert(k);
        int perSite = 1;
        for (const QString &m : config.models) {
            bool stochastic = false;
            for (const auto &[mm, r] : sources) stochastic |= mm == m.toStdString() && r > 0;
            perSite += stochastic ? std::max(1, config.repeats) : 1;
        }
        const std::string planned = store.meta("planned_sites");
        if (!planned.empty()) summary.unitsMissing = std::max(0, std::stoi(planned) * perSite - int(present.size()));
        if (summary.unitsMissing > 0)
            summary.notes.push_back("the run is not finished: " + std::to_string(summary.unitsMissing) +
                                    " (site, source) results are missing; resume it (--resume) for the full tables");
    }
    summary.notes.insert(summary.notes.end(), tables.notes.begin(), tables.notes.end());

    nlohmann::json j;
    j["schema"] = "cprecon.report/1";
    j["app_version"] = appVersion;
    j["config_hash"] = store.meta("config_hash");
    j["protocol"] = std::string(protocolName(config.protocol));
    j["settings"] = config.identityJson(); // what decides the numbers (threads and batch size do not)
    j["datasets"] = tables.datasets;
    j["group_by"] = groupBy;
    j["repeats"] = tables.repeats;
    j["notes"] = summary.notes;
    j["units_missing"] = summary.unitsMissing;
    j["columns"] = {
        {"mae", "mean |x - x̂| per tile and stain, [0, 1] scale, on the model's float output"},
        {"ssim", "SSIM (11x11 Gaussian window, σ 1.5, valid region). The paper plots 1 - SSIM (MONAI SSIMLoss) labelled 'SSIM'"},
        {"emd", "1-D Wasserstein distance of the pixel intensities, [0, 1] scale"},
        {"kld", "0.5 Σ(μ² + exp(logvar) - logvar - 1) over the triplet's latent elements (VAE only)"},
        {"fid", "Fréchet distance, float64, per dataset and triplet, originals vs reconstructions; rank_warning: n ≤ d or a singular covariance"},
        {"fraction_retrieved", "share of perturbations (negative controls excluded) with BH-corrected p < 0.05 (copairs 0.5 phenotypic activity, TVN on the dataset's negative controls)"}};
    summary.files.push_back("report.json");
    j["files"] = summary.files;
    File f = w.open("report.json");
    summary.files.pop_back(); // open() listed it again
    Writer::put(f.get(), j.dump(2) + "\n", "report.json");
    return summary;
}

} // namespace cprecon::run
