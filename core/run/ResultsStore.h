#pragma once
// A run's results on disk (docs/user/run.md#the-store): <run>/config.json and <run>/results.sqlite, an SQLite
// database in WAL mode with synchronous=FULL. Each site's results — its per-tile metrics, per-triplet KLD and
// per-site embeddings — are written in one transaction together with the site's entry in `sites`, so after a
// kill -9 or a power loss a site is either complete or absent, never torn, and a resumed run computes exactly the
// sites that are absent. A failed write (disk full, read-only folder) rolls back and leaves the store as it was.
#include "run/RunConfig.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace cprecon::run {

// One site of one source: model "" = the originals (their features are computed once, whatever the repeat).
struct SiteKey {
    std::string model;
    int repeat = 0;
    std::string plate, well;
    int site = 0;
    bool operator<(const SiteKey &o) const;
    bool operator==(const SiteKey &o) const;
};

struct TileMetricRow {
    int tileRow = 0, tileCol = 0;
    std::string stain;
    double mae = 0, ssim = 0, emd = 0;
};

struct TripletMetricRow {
    int tileRow = 0, tileCol = 0;
    std::string triplet; // "A" | "B"
    double kld = 0;
};

// Where a site is: screen plate, well, site number (the originals' part of a SiteKey).
struct SiteLocation {
    std::string plate, well;
    int site = 0;
    bool operator<(const SiteLocation &o) const;
};

// What the reports need to know about a site, written with its originals: its dataset (the group_by values) and
// the well's metadata columns (Metadata_broad_sample, Metadata_pert_iname, Metadata_control_type,
// Metadata_negcon = "1"/"0", the group_by columns).
struct SiteInfo {
    std::string dataset;                         // dataset label, e.g. "Metadata_CellLine=U2OS, ..."
    bool natural = false;                        // a natural-image dataset (no FR)
    std::map<std::string, std::string> metadata; // column -> value
};

// Per-tile features of one triplet (rows = tiles in row-major grid order), kept for FID: FID's statistics are
// accumulated from these in site-key order after the tile pass, so a sharded run merges to exactly the same sums.
struct TileFeatures {
    int rows = 0, dim = 0;
    std::vector<float> values; // rows x dim
};

struct SiteResults {
    SiteKey key;
    std::optional<SiteInfo> info;     // with the originals (model "")
    std::vector<TileMetricRow> tiles;
    std::vector<TripletMetricRow> triplets;
    std::map<std::string, std::vector<float>> embeddings; // extractor -> the site's embedding (mean over its tiles)
    std::map<std::pair<std::string, std::string>, TileFeatures> tileFeatures; // (extractor, triplet) -> FID features
};

class ResultsStore {
public:
    static constexpr int kSchemaVersion = 1;

    // A new run in `dir` (created when missing): writes config.json and an empty store. Refuses a folder that
    // already holds a run (resume it instead).
    static ResultsStore create(const QString &dir, const RunConfig &config, const std::string &appVersion);
    // An existing run. With `expected`, a different config is refused, naming the keys that changed.
    static ResultsStore open(const QString &dir, const RunConfig *expected = nullptr);
    ResultsStore(ResultsStore &&) noexcept;
    ResultsStore &operator=(ResultsStore &&) noexcept;
    ~ResultsStore();

    const RunConfig &config() const { return m_config; }
    QString folder() const { return m_dir; }
    QString databasePath() const;
    std::string meta(const std::string &key) const; // run identity: config_hash, app_version, created, ...
    void setMeta(const std::string &key, const std::string &value);

    void writeSite(const SiteResults &results); // one transaction; throws cprecon::Error naming the file
    bool hasSite(const SiteKey &key) const;
    std::vector<SiteKey> sites() const;          // every complete site, in key order
    int64_t tileMetricCount() const;
    void forEachTileMetric(const std::function<void(const SiteKey &, const TileMetricRow &)> &f) const;
    void forEachTripletMetric(const std::function<void(const SiteKey &, const TripletMetricRow &)> &f) const;
    std::vector<float> embedding(const SiteKey &key, const std::string &extractor) const; // empty when absent
    // Every embedding of one source and extractor, in site order.
    void forEachEmbedding(const std::string &model, int repeat, const std::string &extractor,
                          const std::function<void(const SiteLocation &, const std::vector<float> &)> &f) const;
    std::map<SiteLocation, SiteInfo> siteInfos() const;
    // The (model, repeat) pairs with at least one complete site, and the extractors with FID features.
    std::vector<std::pair<std::string, int>> sources() const;
    std::vector<std::string> embeddingExtractors() const;
    std::vector<std::string> tileFeatureExtractors() const;
    // FID features of one source, extractor and triplet, in site order.
    void forEachTileFeatures(const std::string &model, int repeat, const std::string &extractor, const std::string &triplet,
                             const std::function<void(const SiteLocation &, const TileFeatures &)> &f) const;

    // Adds every site of `shard` (a store of the same config) that this store lacks, in one transaction.
    // Returns the number of sites added. Refuses a store with another config, naming the keys that differ.
    int mergeFrom(const ResultsStore &shard);

    // Tests: limit the database's size to simulate a full disk (SQLite's max_page_count).
    void limitPagesForTesting(int pages);

private:
    ResultsStore() = default;
    void exec(const char *sql) const;
    [[noreturn]] void fail(const std::string &what, int sqliteCode = -1) const; // code: SQLite's, else the last

    QString m_dir;
    RunConfig m_config;
    sqlite3 *m_db = nullptr;
};

} // namespace cprecon::run
