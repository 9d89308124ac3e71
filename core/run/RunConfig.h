#pragma once
// The definition of a benchmark run (docs/user/run.md): what to reconstruct, with which models, which features and
// statistics, how often — saved as config.json inside the run, schema-versioned. The defaults reproduce the paper
// (docs/PROTOCOL.md of the shared material: SD-VAE, paper protocol, 256² tiles of a 1024 crop, triplets
// Mito/AGP/RNA + RNA/ER/DNA, InceptionV3 and OpenPhenom features, mean and median profiles, TVN, null 1e6, 3 repeats).
#include "image/Triplets.h"
#include "profiles/Aggregate.h"
#include "util/Protocol.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cprecon::run {

// A feature extractor of the run: inception (recipe A, torchvision weights — the paper's), inception-fid (recipe B,
// pytorch-fid weights), openphenom (the paper's double /255 under the paper protocol) or handcrafted (no weights).
struct ExtractorChoice {
    std::string name;
    std::string weights; // a checkpoint path; empty: found through the catalog (or none needed)
    bool operator==(const ExtractorChoice &o) const { return name == o.name && weights == o.weights; }
};
const std::vector<std::string> &extractorNames();    // the four names above
std::string catalogNameOf(const std::string &extractor); // registry entry holding its weights ("" for handcrafted)

struct RunConfig {
    static constexpr const char *kSchema = "cprecon.run-config/1";

    QStringList screens;       // screen paths, as the GUI opens them
    QStringList plates, wells; // subset (empty: all)
    QStringList cellLines, timePoints;
    QStringList models{QStringLiteral("sd-vae-v1-4")}; // reconstruction models (registry names or specs); >= 1
    Protocol protocol = Protocol::Paper;
    int tileSize = 256;
    int crop = 1024;
    TripletGrouping triplets;
    std::vector<ExtractorChoice> extractors{{"inception", ""}, {"openphenom", ""}};
    std::vector<profiles::Aggregation> aggregations{profiles::Aggregation::Mean, profiles::Aggregation::Median};
    int tvnComponents = 256;
    bool tvnWhiten = true;
    double tvnVarianceThreshold = 1e-6;
    int64_t nullSize = 1000000;
    uint64_t seed = 0;
    int repeats = 3;           // the paper: 3 full repeats, mean ± σ
    QStringList groupBy{QStringLiteral("Metadata_CellLine"), QStringLiteral("Metadata_TimepointHours")};
    QString device = QStringLiteral("auto");
    int batchSize = 8;
    int threads = 0;           // 0: all cores

    // Every field, with the schema; fromJson(toJson()) gives the same config.
    nlohmann::json toJson() const;
    // Missing keys take the defaults above. Unknown keys, wrong types and bad values are cprecon::Errors naming the
    // key and `origin` (the file).
    static RunConfig fromJson(const nlohmann::json &j, const std::string &origin);
    static RunConfig fromFile(const QString &path);
    // Checks what can be checked without opening a screen (throws cprecon::Error naming the key).
    void validate(const std::string &origin = {}) const;
    // The config minus how it is executed: threads and batch size never change a number (per-tile noise seeds;
    // thread-count independence is tested), so shards and resumes on other machines may set them as they like.
    nlohmann::json identityJson() const;
    // sha256 of identityJson(): the run's identity.
    std::string hash() const;
    // The keys whose values differ from `other`'s (resuming with a changed config is refused, naming them).
    std::vector<std::string> differences(const RunConfig &other) const;
};

} // namespace cprecon::run
