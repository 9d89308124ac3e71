#include "run/RunAnalysis.h"

#include "features/HandcraftedFeatures.h"
#include "image/Triplets.h"
#include "metrics/CovarianceAccumulator.h"
#include "metrics/Fid.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>

namespace cprecon::run {

namespace {

// Metadata columns of the profile tables, in order (the group_by columns follow).
const std::vector<std::string> kSiteMeta = {"Metadata_Plate", "Metadata_Well", "Metadata_Site", "Metadata_dataset",
                                            "Metadata_broad_sample", "Metadata_pert_iname", "Metadata_control_type",
                                            "Metadata_negcon"};

std::vector<std::string> featureNames(const std::string &extractor, int dim, bool natural)
{
    if (extractor == "handcrafted") {
        features::HandcraftedOptions o;
        if (natural) o.channelNames = {"R", "G", "B"};
        const features::HandcraftedExtractor fx(o);
        if (fx.featureCount() == dim) return fx.featureNames();
    }
    std::vector<std::string> names;
    char buf[64];
    for (int i = 0; i < dim; ++i) {
        std::snprintf(buf, sizeof buf, "%s_%04d", extractor.c_str(), i);
        names.emplace_back(buf);
    }
    return names;
}

void checkCanceled(const std::atomic<bool> *cancel)
{
    if (cancel && cancel->load()) throw Canceled("analysis canceled");
}

struct Moments {
    int64_t n = 0;
    double mean = 0, m2 = 0; // Welford
    void add(double x)
    {
        ++n;
        const double d = x - mean;
        mean += d / double(n);
        m2 += d * (x - mean);
    }
    double sd() const { return n > 1 ? std::sqrt(m2 / double(n - 1)) : 0.0; }
};


} // namespace

std::string datasetLabel(const std::vector<std::string> &groupBy, const std::vector<std::string> &values)
{
    if (groupBy.empty()) return "all wells";
    std::string s;
    for (size_t i = 0; i < groupBy.size(); ++i) s += (i ? ", " : "") + groupBy[i] + "=" + (i < values.size() ? values[i] : "");
    return s;
}

int storedRepeat(const ResultsStore &store, const std::string &model, int r)
{
    for (const auto &[m, rep] : store.sources())
        if (m == model && rep == r) return r;
    return 0;
}

profiles::ProfileTable siteProfiles(const ResultsStore &store, const std::map<SiteLocation, SiteInfo> &infos,
                                    const SourceRef &source, const std::string &extractor, bool natural)
{
    std::vector<std::string> groupBy;
    const std::string g = store.meta("group_by");
    if (!g.empty()) groupBy = nlohmann::json::parse(g).get<std::vector<std::string>>();
    profiles::ProfileTable t;
    t.source = store.databasePath().toStdString() + " (" + source.label() + ", " + extractor + ")";
    t.metaNames = kSiteMeta;
    if (!natural) t.metaNames.insert(t.metaNames.end(), groupBy.begin(), groupBy.end());
    t.meta.assign(t.metaNames.size(), {});
    std::vector<std::vector<float>> rows;
    store.forEachEmbedding(source.model, source.repeat, extractor, [&](const SiteLocation &loc, const std::vector<float> &v) {
        const auto it = infos.find(loc);
        if (it == infos.end() || it->second.natural != natural) return;
        const SiteInfo &info = it->second;
        auto value = [&](const std::string &col) {
            const auto m = info.metadata.find(col);
            return m == info.metadata.end() ? std::string() : m->second;
        };
        for (size_t c = 0; c < t.metaNames.size(); ++c) {
            const std::string &col = t.metaNames[c];
            t.meta[c].push_back(col == "Metadata_Plate" ? loc.plate : col == "Metadata_Well" ? loc.well
                                : col == "Metadata_Site" ? std::to_string(loc.site) : col == "Metadata_dataset" ? info.dataset
                                                                                                                 : value(col));
        }
        if (!rows.empty() && rows.front().size() != v.size())
            throw Error("the store holds " + extractor + " embeddings of two sizes (" + std::to_string(rows.front().size()) + ", " +
                            std::to_string(v.size()) + ")",
                        store.databasePath().toStdString(), "the store is damaged or was merged from different runs");
        rows.push_back(v);
    });
    const int dim = rows.empty() ? 0 : int(rows.front().size());
    t.featureNames = featureNames(extractor, dim, natural);
    t.features.resize(Eigen::Index(rows.size()), dim);
    for (size_t i = 0; i < rows.size(); ++i)
        for (int j = 0; j < dim; ++j) t.features(Eigen::Index(i), j) = rows[i][size_t(j)];
    return t;
}

RunTables analyseRun(const ResultsStore &store, const std::function<void(const std::string &)> &progress,
                     const std::atomic<bool> *cancel)
{
    const RunConfig &config = store.config();
    RunTables out;
    out.repeats = std::max(1, config.repeats);
    const std::string g = store.meta("group_by");
    if (!g.empty()) out.groupBy = nlohmann::json::parse(g).get<std::vector<std::string>>();
    const std::map<SiteLocation, SiteInfo> infos = store.siteInfos();
    std::set<std::string> datasetSet;
    for (const auto &[loc, info] : infos) datasetSet.insert(info.dataset);
    out.datasets.assign(datasetSet.begin(), datasetSet.end());
    auto say = [&](const std::string &s) {
        if (progress) progress(s);
    };
    std::vector<std::string> models;
    for (const QString &m : config.models) models.push_back(m.toStdString());

    // Pixel metrics and KLD summaries, and the pixel metrics' box plots, from one pass over the tiles.
    say("summaries");
    {
        using Group = std::tuple<std::string, int, std::string, std::string, std::string>;
        std::map<Group, Moments> acc;
        std::map<Group, std::vector<double>> boxValues;
        using WellGroup = std::tuple<std::string, int, std::string, std::string, std::string, std::string>;
        std::map<WellGroup, Moments> wellAcc;
        const bool paper = config.protocol == Protocol::Paper;
        auto datasetOf = [&](const SiteKey &k) {
            const auto it = infos.find({k.plate, k.well, k.site});
            return it == infos.end() ? std::string() : it->second.dataset;
        };
        store.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &r) {
            const std::string d = datasetOf(k);
            out.datasetSite.try_emplace(d, SiteLocation{k.plate, k.well, k.site});
            acc[{k.model, k.repeat, d, r.stain, "mae"}].add(r.mae);
            acc[{k.model, k.repeat, d, r.stain, "ssim"}].add(r.ssim);
            acc[{k.model, k.repeat, d, r.stain, "emd"}].add(r.emd);
            boxValues[{k.model, k.repeat, d, r.stain, "mae"}].push_back(r.mae);
            boxValues[{k.model, k.repeat, d, r.stain, "emd"}].push_back(r.emd);
            boxValues[{k.model, k.repeat, d, r.stain, "ssim"}].push_back(paper ? 1.0 - r.ssim : r.ssim);
            wellAcc[{k.model, k.repeat, k.plate, k.well, "mae", r.stain}].add(r.mae);
            wellAcc[{k.model, k.repeat, k.plate, k.well, "ssim", r.stain}].add(r.ssim);
            wellAcc[{k.model, k.repeat, k.plate, k.well, "emd", r.stain}].add(r.emd);
        });
        store.forEachTripletMetric([&](const SiteKey &k, const TripletMetricRow &r) {
            acc[{k.model, k.repeat, datasetOf(k), r.triplet, "kld"}].add(r.kld);
            wellAcc[{k.model, k.repeat, k.plate, k.well, "kld", r.triplet}].add(r.kld);
        });
        for (const auto &[key, m] : wellAcc) {
            const auto &[model, repeat, plate, well, metric, what] = key;
            out.wells.push_back({model, repeat, plate, well, metric, what, m.n, m.mean});
        }
        for (const auto &[key, m] : acc) {
            const auto &[model, repeat, dataset, what, metric] = key;
            out.summaries.push_back({model, repeat, dataset, what, metric, m.n, m.mean, m.sd()});
        }
        for (auto &[key, values] : boxValues) {
            const auto &[model, repeat, dataset, stain, metric] = key;
            out.boxes.push_back({model, repeat, dataset, stain, metric, boxStatistics(std::move(values))});
        }
    }

    // FID per dataset x triplet x model x repeat x extractor, from the per-tile features in site order.
    for (const std::string &extractor : store.tileFeatureExtractors()) {
        for (const std::string &triplet : {std::string("A"), std::string("B"), std::string("RGB")}) {
            checkCanceled(cancel);
            say("FID " + extractor + " triplet " + triplet);
            auto accumulate = [&](const std::string &model, int repeat) {
                std::map<std::string, metrics::CovarianceAccumulator> byDataset;
                store.forEachTileFeatures(model, repeat, extractor, triplet, [&](const SiteLocation &loc, const TileFeatures &f) {
                    const auto it = infos.find(loc);
                    if (it == infos.end()) return;
                    auto slot = byDataset.try_emplace(it->second.dataset, f.dim).first;
                    slot->second.add(f.values.data(), f.rows);
                });
                return byDataset;
            };
            const auto originals = accumulate("", 0);
            if (originals.empty()) continue;
            for (const std::string &model : models)
                for (const auto &[m, repeat] : store.sources()) {
                    if (m != model) continue;
                    const auto recon = accumulate(model, repeat);
                    for (const auto &[dataset, a] : originals) {
                        const auto it = recon.find(dataset);
                        if (it == recon.end()) continue;
                        const auto &b = it->second;
                        FidRow row{model, repeat, dataset, triplet, extractor};
                        row.nOriginal = a.count();
                        row.nReconstruction = b.count();
                        if (a.count() < 2 || b.count() < 2) {
                            row.fid = std::nan("");
                            row.rankWarning = true;
                            row.warnings.push_back("fewer than 2 tiles: no FID");
                        } else {
                            const metrics::GaussianStats sa{a.mean(), a.covariance(), a.count()};
                            const metrics::GaussianStats sb{b.mean(), b.covariance(), b.count()};
                            metrics::FidOptions fo;
                            fo.recommendedSamples = std::max<int64_t>(2048, a.dim());
                            const metrics::FidResult r = metrics::frechetDistance(sa, sb, fo);
                            row.fid = r.fid;
                            row.rankWarning = a.count() <= a.dim() || b.count() <= b.dim() || r.rank1 < a.dim() || r.rank2 < b.dim();
                            row.warnings = r.warnings;
                        }
                        out.fid.push_back(std::move(row));
                    }
                }
        }
    }

    // Profiles -> activity -> FR, per extractor x source x aggregation x repeat.
    std::vector<std::string> sourceModels{""};
    sourceModels.insert(sourceModels.end(), models.begin(), models.end());
    for (const std::string &extractor : store.embeddingExtractors())
        for (const std::string &model : sourceModels) {
            std::map<int, profiles::ProfileTable> sitesOfRepeat; // by stored repeat
            for (profiles::Aggregation agg : config.aggregations) {
                const std::string aggName = agg == profiles::Aggregation::Mean ? "mean" : "median";
                for (int r = 0; r < out.repeats; ++r) {
                    checkCanceled(cancel);
                    const int stored = model.empty() ? 0 : storedRepeat(store, model, r);
                    auto it = sitesOfRepeat.find(stored);
                    if (it == sitesOfRepeat.end())
                        it = sitesOfRepeat.emplace(stored, siteProfiles(store, infos, {model, stored}, extractor, false)).first;
                    const profiles::ProfileTable &sites = it->second;
                    if (sites.rows() == 0) continue;
                    const std::string data = model.empty() ? "original" : model;
                    say("activity " + extractor + " " + data + " " + aggName + " repeat " + std::to_string(r));
                    const profiles::ProfileTable wells = profiles::aggregateWells(sites, agg);
                    profiles::ActivityOptions ao;
                    ao.perturbationCol = "Metadata_broad_sample";
                    ao.control = {"Metadata_negcon", "1"};
                    ao.groupBy = out.groupBy;
                    ao.nullSize = config.nullSize;
                    ao.seed = config.seed + uint64_t(r);
                    ao.tvn = true;
                    ao.tvnOptions.whiten = config.tvnWhiten;
                    ao.tvnOptions.varianceThreshold = config.tvnVarianceThreshold;
                    ao.tvnOptions.maxComponents = config.tvnComponents;
                    ActivityTable table{extractor, data, aggName, r, {}};
                    try {
                        table.result = profiles::phenotypicActivity(wells, ao);
                    } catch (const Canceled &) {
                        throw;
                    } catch (const Error &e) {
                        // Nothing evaluable (e.g. no dataset has negative controls): no FR, said per dataset.
                        std::set<std::string> labels;
                        for (size_t i = 0; i < sites.rows(); ++i) labels.insert(sites.metaColumn("Metadata_dataset")[i]);
                        for (const std::string &label : labels) {
                            FrRow row{extractor, data, aggName, label, r};
                            row.reason = e.message();
                            out.fr.push_back(row);
                        }
                        continue;
                    }
                    for (const profiles::GroupActivity &ga : table.result.groups) {
                        FrRow row{extractor, data, aggName, datasetLabel(out.groupBy, ga.values), r};
                        row.evaluated = ga.evaluated;
                        row.reason = ga.reason;
                        row.nPerturbations = ga.nPerturbations;
                        row.nActive = ga.nActive;
                        row.fr = ga.fractionRetrieved;
                        out.fr.push_back(row);
                    }
                    out.activity.push_back(std::move(table));
                }
            }
        }
    for (const std::string &d : out.datasets)
        if (d.rfind("natural: ", 0) == 0) out.notes.push_back("dataset " + d + " is natural images: no fraction retrieved");
    return out;
}

} // namespace cprecon::run
