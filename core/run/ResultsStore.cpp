#include "run/ResultsStore.h"

#include "util/Error.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <tuple>

namespace cprecon::run {

namespace {
// A store is read while a run writes it (the app's results views, a second `report`): in WAL mode readers and the
// one writer rarely meet on a lock, and when they do (a checkpoint, the WAL index being rebuilt) they wait rather
// than fail with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 10000;

const char *const kSchema = R"SQL(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sites (model TEXT, repeat INTEGER, plate TEXT, well TEXT, site INTEGER,
                    PRIMARY KEY (model, repeat, plate, well, site)) WITHOUT ROWID;
CREATE TABLE tile_metrics (model TEXT, repeat INTEGER, plate TEXT, well TEXT, site INTEGER,
                           tile_row INTEGER, tile_col INTEGER, stain TEXT, mae REAL, ssim REAL, emd REAL,
                           PRIMARY KEY (model, repeat, plate, well, site, tile_row, tile_col, stain)) WITHOUT ROWID;
CREATE TABLE triplet_metrics (model TEXT, repeat INTEGER, plate TEXT, well TEXT, site INTEGER,
                              tile_row INTEGER, tile_col INTEGER, triplet TEXT, kld REAL,
                              PRIMARY KEY (model, repeat, plate, well, site, tile_row, tile_col, triplet)) WITHOUT ROWID;
CREATE TABLE site_embeddings (model TEXT, repeat INTEGER, extractor TEXT, plate TEXT, well TEXT, site INTEGER,
                              dim INTEGER, data BLOB,
                              PRIMARY KEY (model, repeat, extractor, plate, well, site)) WITHOUT ROWID;
CREATE TABLE site_info (plate TEXT, well TEXT, site INTEGER, dataset TEXT, natural INTEGER, metadata TEXT,
                        PRIMARY KEY (plate, well, site)) WITHOUT ROWID;
CREATE TABLE tile_features (model TEXT, repeat INTEGER, extractor TEXT, triplet TEXT, plate TEXT, well TEXT,
                            site INTEGER, rows INTEGER, dim INTEGER, data BLOB,
                            PRIMARY KEY (model, repeat, extractor, triplet, plate, well, site)) WITHOUT ROWID;
)SQL";

// Tables a shard's sites live in (all but meta), for mergeFrom.
const char *const kSiteTables[] = {"sites", "tile_metrics", "triplet_metrics", "site_embeddings", "site_info", "tile_features"};

std::vector<float> floatBlob(sqlite3_stmt *stmt, int column, size_t expected, const std::function<void(const std::string &)> &fail)
{
    const void *blob = sqlite3_column_blob(stmt, column);
    const size_t bytes = size_t(sqlite3_column_bytes(stmt, column));
    if (bytes != expected * sizeof(float))
        fail("a feature blob has " + std::to_string(bytes) + " bytes, expected " + std::to_string(expected * sizeof(float)));
    std::vector<float> v(expected);
    if (expected > 0) std::memcpy(v.data(), blob, bytes);
    return v;
}

// A prepared statement, finalised with its scope.
class Statement {
public:
    Statement(sqlite3 *db, const char *sql, const std::function<void(const std::string &)> &fail) : m_fail(fail)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) m_fail(sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement &bind(int i, const std::string &s)
    {
        sqlite3_bind_text(m_stmt, i, s.data(), int(s.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement &bind(int i, int64_t v)
    {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    Statement &bind(int i, int v) { return bind(i, int64_t(v)); }
    Statement &bind(int i, double v)
    {
        sqlite3_bind_double(m_stmt, i, v);
        return *this;
    }
    Statement &bindBlob(int i, const void *data, int bytes)
    {
        sqlite3_bind_blob(m_stmt, i, data, bytes, SQLITE_TRANSIENT);
        return *this;
    }
    Statement &bindKey(const SiteKey &k, int first)
    {
        return bind(first, k.model).bind(first + 1, k.repeat).bind(first + 2, k.plate).bind(first + 3, k.well).bind(first + 4, k.site);
    }
    // One execution of an INSERT / UPDATE; the statement is reset for the next.
    void run(sqlite3 *db)
    {
        if (sqlite3_step(m_stmt) != SQLITE_DONE) m_fail(sqlite3_errmsg(db));
        sqlite3_reset(m_stmt);
    }
    bool row() { return sqlite3_step(m_stmt) == SQLITE_ROW; }
    std::string text(int c) const
    {
        const auto *p = sqlite3_column_text(m_stmt, c);
        return p ? std::string(reinterpret_cast<const char *>(p), size_t(sqlite3_column_bytes(m_stmt, c))) : std::string();
    }
    int64_t integer(int c) const { return sqlite3_column_int64(m_stmt, c); }
    double real(int c) const { return sqlite3_column_double(m_stmt, c); }
    SiteKey key(int first) const { return {text(first), int(integer(first + 1)), text(first + 2), text(first + 3), int(integer(first + 4))}; }
    sqlite3_stmt *get() const { return m_stmt; }

private:
    sqlite3_stmt *m_stmt = nullptr;
    std::function<void(const std::string &)> m_fail;
};

std::string u8(const QString &s) { return s.toStdString(); }

} // namespace

bool SiteKey::operator<(const SiteKey &o) const
{
    return std::tie(model, repeat, plate, well, site) < std::tie(o.model, o.repeat, o.plate, o.well, o.site);
}
bool SiteLocation::operator<(const SiteLocation &o) const
{
    return std::tie(plate, well, site) < std::tie(o.plate, o.well, o.site);
}

bool SiteKey::operator==(const SiteKey &o) const
{
    return std::tie(model, repeat, plate, well, site) == std::tie(o.model, o.repeat, o.plate, o.well, o.site);
}

QString ResultsStore::databasePath() const { return QDir(m_dir).filePath(QStringLiteral("results.sqlite")); }

void ResultsStore::fail(const std::string &what, int sqliteCode) const
{
    const int code = (sqliteCode >= 0 ? sqliteCode : m_db ? sqlite3_extended_errcode(m_db) : SQLITE_ERROR) & 0xff;
    const std::string file = u8(databasePath());
    // Each cause with its own literal message and fix (docs/user/troubleshooting.md is generated from them).
    if (code == SQLITE_FULL)
        throw Error("results store: the disk is full (" + what + ")", file,
                    "free disk space and resume the run (--resume): finished sites are kept");
    if (code == SQLITE_IOERR)
        throw Error("results store: write error (" + what + ")", file,
                    "check free disk space, quotas and file size limits (ulimit -f) and the disk, then resume the run "
                    "(--resume): finished sites are kept");
    if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM)
        throw Error("results store: cannot write to the run folder (" + what + ")", file,
                    "check the folder's permissions (or that its file system is not read-only)");
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        throw Error("results store: the file is damaged (" + what + ")", file, "start a new run folder");
    throw Error("results store: " + what, file, "check the run folder");
}

void ResultsStore::exec(const char *sql) const
{
    char *msg = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        const std::string what = msg ? msg : "unknown error";
        sqlite3_free(msg);
        fail(what);
    }
}

ResultsStore ResultsStore::create(const QString &dir, const RunConfig &config, const std::string &appVersion)
{
    config.validate(u8(dir + QStringLiteral("/config.json")));
    const QFileInfo fi(dir);
    if (fi.exists() && !fi.isDir())
        throw Error("the run folder is a file", u8(dir), "choose a folder for the run (--out)");
    if (!QDir().mkpath(dir)) throw Error("cannot create the run folder", u8(dir), "check the parent folder's permissions");
    ResultsStore s;
    s.m_dir = QDir(dir).absolutePath();
    s.m_config = config;
    if (QFileInfo::exists(s.databasePath()))
        throw Error("the folder already holds a run", u8(s.m_dir), "resume it (--resume) or choose a new folder");
    QSaveFile cfg(QDir(s.m_dir).filePath(QStringLiteral("config.json")));
    if (!cfg.open(QIODevice::WriteOnly) || cfg.write(QByteArray::fromStdString(config.toJson().dump(2) + "\n")) < 0 || !cfg.commit())
        throw Error("cannot write config.json: " + u8(cfg.errorString()), u8(cfg.fileName()), "check free disk space and permissions");
    // The store appears complete or not at all: the schema and the run's identity are written into
    // results.sqlite.new (rollback journal, one transaction), which is then renamed into place. A kill -9 before the
    // rename leaves no results.sqlite, so the run simply starts again; one after it leaves a store that resumes.
    const QString partial = s.databasePath() + QStringLiteral(".new");
    for (const QString &f : {partial, partial + QStringLiteral("-journal")}) QFile::remove(f);
    if (sqlite3_open_v2(u8(partial).c_str(), &s.m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
        s.fail(s.m_db ? sqlite3_errmsg(s.m_db) : "cannot open");
    s.exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;");
    s.exec("BEGIN IMMEDIATE");
    s.exec(kSchema);
    {
        Statement meta(s.m_db, "INSERT INTO meta (key, value) VALUES (?1, ?2)", [&s](const std::string &m) { s.exec("ROLLBACK"); s.fail(m); });
        const std::pair<std::string, std::string> rows[] = {
            {"schema_version", std::to_string(kSchemaVersion)}, {"config_hash", config.hash()},
            {"config_json", config.toJson().dump()},           {"app_version", appVersion},
            {"created", u8(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))}};
        for (const auto &[k, v] : rows) meta.bind(1, k).bind(2, v).run(s.m_db);
    }
    s.exec("COMMIT");
    sqlite3_close(s.m_db);
    s.m_db = nullptr;
    if (std::rename(u8(partial).c_str(), u8(s.databasePath()).c_str()) != 0)
        throw Error(std::string("cannot create the store: ") + std::strerror(errno), u8(s.databasePath()), "check the folder's permissions and free disk space");
    if (sqlite3_open_v2(u8(s.databasePath()).c_str(), &s.m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
        s.fail(s.m_db ? sqlite3_errmsg(s.m_db) : "cannot open");
    sqlite3_busy_timeout(s.m_db, kBusyTimeoutMs);
    s.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    return s;
}

ResultsStore ResultsStore::open(const QString &dir, const RunConfig *expected)
{
    ResultsStore s;
    s.m_dir = QDir(dir).absolutePath();
    if (!QFileInfo::exists(s.databasePath()))
        throw Error("no run in this folder (results.sqlite is missing)", u8(s.m_dir), "start the run without --resume, or check the folder");
    if (sqlite3_open_v2(u8(s.databasePath()).c_str(), &s.m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
        s.fail(s.m_db ? sqlite3_errmsg(s.m_db) : "cannot open");
    sqlite3_busy_timeout(s.m_db, kBusyTimeoutMs);
    s.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); // a no-op once WAL (a kill right after create's rename)
    if (s.meta("schema_version") != std::to_string(kSchemaVersion))
        s.fail("schema version " + s.meta("schema_version") + ", this build reads " + std::to_string(kSchemaVersion));
    s.m_config = RunConfig::fromJson(nlohmann::json::parse(s.meta("config_json")), u8(s.databasePath()));
    if (expected && expected->hash() != s.m_config.hash()) {
        std::string keys;
        for (const auto &k : s.m_config.differences(*expected)) keys += (keys.empty() ? "" : ", ") + k;
        throw Error("the run was started with another config (changed: " + keys + ")", u8(s.m_dir),
                    "resume with the run's own config.json, or start a new run folder");
    }
    return s;
}

ResultsStore::ResultsStore(ResultsStore &&o) noexcept { *this = std::move(o); }

ResultsStore &ResultsStore::operator=(ResultsStore &&o) noexcept
{
    if (this != &o) {
        if (m_db) sqlite3_close(m_db);
        m_dir = std::move(o.m_dir);
        m_config = std::move(o.m_config);
        m_db = o.m_db;
        o.m_db = nullptr;
    }
    return *this;
}

ResultsStore::~ResultsStore()
{
    if (m_db) sqlite3_close(m_db);
}

std::string ResultsStore::meta(const std::string &key) const
{
    Statement q(m_db, "SELECT value FROM meta WHERE key = ?1", [this](const std::string &m) { fail(m); });
    q.bind(1, key);
    return q.row() ? q.text(0) : std::string();
}

void ResultsStore::setMeta(const std::string &key, const std::string &value)
{
    Statement q(m_db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", [this](const std::string &m) { fail(m); });
    q.bind(1, key).bind(2, value).run(m_db);
}

void ResultsStore::writeSite(const SiteResults &r)
{
    exec("BEGIN IMMEDIATE");
    auto rollback = [this](const std::string &m) {
        const int code = sqlite3_extended_errcode(m_db); // before ROLLBACK resets it
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        fail("writing a site failed: " + m, code);
    };
    {
        Statement tile(m_db, "INSERT OR REPLACE INTO tile_metrics VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", rollback);
        for (const auto &t : r.tiles)
            tile.bindKey(r.key, 1).bind(6, t.tileRow).bind(7, t.tileCol).bind(8, t.stain).bind(9, t.mae).bind(10, t.ssim).bind(11, t.emd).run(m_db);
        Statement trip(m_db, "INSERT OR REPLACE INTO triplet_metrics VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", rollback);
        for (const auto &t : r.triplets)
            trip.bindKey(r.key, 1).bind(6, t.tileRow).bind(7, t.tileCol).bind(8, t.triplet).bind(9, t.kld).run(m_db);
        Statement emb(m_db, "INSERT OR REPLACE INTO site_embeddings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", rollback);
        for (const auto &[extractor, values] : r.embeddings)
            emb.bind(1, r.key.model).bind(2, r.key.repeat).bind(3, extractor).bind(4, r.key.plate).bind(5, r.key.well)
                .bind(6, r.key.site).bind(7, int(values.size()))
                .bindBlob(8, values.data(), int(values.size() * sizeof(float)))
                .run(m_db);
        Statement feat(m_db, "INSERT OR REPLACE INTO tile_features VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", rollback);
        for (const auto &[which, f] : r.tileFeatures) {
            if (f.values.size() != size_t(f.rows) * size_t(f.dim)) rollback("tile features of the wrong size");
            feat.bind(1, r.key.model).bind(2, r.key.repeat).bind(3, which.first).bind(4, which.second).bind(5, r.key.plate)
                .bind(6, r.key.well).bind(7, r.key.site).bind(8, f.rows).bind(9, f.dim)
                .bindBlob(10, f.values.data(), int(f.values.size() * sizeof(float)))
                .run(m_db);
        }
        if (r.info) {
            Statement info(m_db, "INSERT OR REPLACE INTO site_info VALUES (?1, ?2, ?3, ?4, ?5, ?6)", rollback);
            info.bind(1, r.key.plate).bind(2, r.key.well).bind(3, r.key.site).bind(4, r.info->dataset)
                .bind(5, int(r.info->natural)).bind(6, nlohmann::json(r.info->metadata).dump()).run(m_db);
        }
        // Last, in the same transaction: the mark that the site is complete.
        Statement done(m_db, "INSERT OR REPLACE INTO sites VALUES (?1, ?2, ?3, ?4, ?5)", rollback);
        done.bindKey(r.key, 1).run(m_db);
    }
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) rollback(sqlite3_errmsg(m_db));
}

bool ResultsStore::hasSite(const SiteKey &k) const
{
    Statement q(m_db, "SELECT 1 FROM sites WHERE model = ?1 AND repeat = ?2 AND plate = ?3 AND well = ?4 AND site = ?5",
                [this](const std::string &m) { fail(m); });
    q.bindKey(k, 1);
    return q.row();
}

std::vector<SiteKey> ResultsStore::sites() const
{
    Statement q(m_db, "SELECT model, repeat, plate, well, site FROM sites ORDER BY model, repeat, plate, well, site",
                [this](const std::string &m) { fail(m); });
    std::vector<SiteKey> out;
    while (q.row()) out.push_back(q.key(0));
    return out;
}

int64_t ResultsStore::tileMetricCount() const
{
    Statement q(m_db, "SELECT COUNT(*) FROM tile_metrics", [this](const std::string &m) { fail(m); });
    return q.row() ? q.integer(0) : 0;
}

void ResultsStore::forEachTileMetric(const std::function<void(const SiteKey &, const TileMetricRow &)> &f) const
{
    Statement q(m_db, "SELECT * FROM tile_metrics ORDER BY model, repeat, plate, well, site, tile_row, tile_col, stain",
                [this](const std::string &m) { fail(m); });
    while (q.row()) f(q.key(0), {int(q.integer(5)), int(q.integer(6)), q.text(7), q.real(8), q.real(9), q.real(10)});
}

void ResultsStore::forEachTripletMetric(const std::function<void(const SiteKey &, const TripletMetricRow &)> &f) const
{
    Statement q(m_db, "SELECT * FROM triplet_metrics ORDER BY model, repeat, plate, well, site, tile_row, tile_col, triplet",
                [this](const std::string &m) { fail(m); });
    while (q.row()) f(q.key(0), {int(q.integer(5)), int(q.integer(6)), q.text(7), q.real(8)});
}

std::vector<float> ResultsStore::embedding(const SiteKey &k, const std::string &extractor) const
{
    Statement q(m_db, "SELECT dim, data FROM site_embeddings WHERE model = ?1 AND repeat = ?2 AND plate = ?4 AND well = ?5 "
                      "AND site = ?6 AND extractor = ?3",
                [this](const std::string &m) { fail(m); });
    q.bind(1, k.model).bind(2, k.repeat).bind(3, extractor).bind(4, k.plate).bind(5, k.well).bind(6, k.site);
    if (!q.row()) return {};
    const int dim = int(q.integer(0));
    const void *blob = sqlite3_column_blob(q.get(), 1);
    const int bytes = sqlite3_column_bytes(q.get(), 1);
    if (bytes != int(dim * sizeof(float))) fail("embedding of " + k.plate + " " + k.well + " has " + std::to_string(bytes) + " bytes for dim " + std::to_string(dim));
    std::vector<float> v(static_cast<size_t>(dim));
    if (dim > 0) std::memcpy(v.data(), blob, size_t(bytes));
    return v;
}

void ResultsStore::forEachEmbedding(const std::string &model, int repeat, const std::string &extractor,
                                    const std::function<void(const SiteLocation &, const std::vector<float> &)> &f) const
{
    auto failed = [this](const std::string &m) { fail(m); };
    Statement q(m_db, "SELECT plate, well, site, dim, data FROM site_embeddings WHERE model = ?1 AND repeat = ?2 AND extractor = ?3 "
                      "ORDER BY plate, well, site", failed);
    q.bind(1, model).bind(2, repeat).bind(3, extractor);
    while (q.row()) f({q.text(0), q.text(1), int(q.integer(2))}, floatBlob(q.get(), 4, size_t(q.integer(3)), failed));
}

std::map<SiteLocation, SiteInfo> ResultsStore::siteInfos() const
{
    Statement q(m_db, "SELECT plate, well, site, dataset, natural, metadata FROM site_info", [this](const std::string &m) { fail(m); });
    std::map<SiteLocation, SiteInfo> out;
    while (q.row()) {
        SiteInfo info;
        info.dataset = q.text(3);
        info.natural = q.integer(4) != 0;
        info.metadata = nlohmann::json::parse(q.text(5)).get<std::map<std::string, std::string>>();
        out[{q.text(0), q.text(1), int(q.integer(2))}] = std::move(info);
    }
    return out;
}

std::vector<std::pair<std::string, int>> ResultsStore::sources() const
{
    Statement q(m_db, "SELECT DISTINCT model, repeat FROM sites ORDER BY model, repeat", [this](const std::string &m) { fail(m); });
    std::vector<std::pair<std::string, int>> out;
    while (q.row()) out.emplace_back(q.text(0), int(q.integer(1)));
    return out;
}

std::vector<std::string> ResultsStore::embeddingExtractors() const
{
    Statement q(m_db, "SELECT DISTINCT extractor FROM site_embeddings ORDER BY extractor", [this](const std::string &m) { fail(m); });
    std::vector<std::string> out;
    while (q.row()) out.push_back(q.text(0));
    return out;
}

std::vector<std::string> ResultsStore::tileFeatureExtractors() const
{
    Statement q(m_db, "SELECT DISTINCT extractor FROM tile_features ORDER BY extractor", [this](const std::string &m) { fail(m); });
    std::vector<std::string> out;
    while (q.row()) out.push_back(q.text(0));
    return out;
}

void ResultsStore::forEachTileFeatures(const std::string &model, int repeat, const std::string &extractor, const std::string &triplet,
                                       const std::function<void(const SiteLocation &, const TileFeatures &)> &f) const
{
    auto failed = [this](const std::string &m) { fail(m); };
    Statement q(m_db, "SELECT plate, well, site, rows, dim, data FROM tile_features WHERE model = ?1 AND repeat = ?2 "
                      "AND extractor = ?3 AND triplet = ?4 ORDER BY plate, well, site", failed);
    q.bind(1, model).bind(2, repeat).bind(3, extractor).bind(4, triplet);
    while (q.row()) {
        TileFeatures t;
        t.rows = int(q.integer(3));
        t.dim = int(q.integer(4));
        t.values = floatBlob(q.get(), 5, size_t(t.rows) * size_t(t.dim), failed);
        f({q.text(0), q.text(1), int(q.integer(2))}, t);
    }
}

int ResultsStore::mergeFrom(const ResultsStore &shard)
{
    if (shard.m_config.hash() != m_config.hash()) {
        std::string keys;
        for (const auto &k : m_config.differences(shard.m_config)) keys += (keys.empty() ? "" : ", ") + k;
        throw Error("the shard was run with another config (differs in: " + keys + ")", u8(shard.databasePath()),
                    "merge only the shards of one run (the same config.json)");
    }
    auto attachFailed = [this](const std::string &m) { fail("cannot read the shard: " + m); };
    const int64_t before = int64_t(sites().size());
    {
        Statement attach(m_db, "ATTACH DATABASE ?1 AS shard", attachFailed);
        attach.bind(1, u8(shard.databasePath())).run(m_db);
    }
    auto detach = [this] { sqlite3_exec(m_db, "DETACH DATABASE shard", nullptr, nullptr, nullptr); };
    try {
        exec("BEGIN IMMEDIATE");
        // A site is copied with all its rows, or not at all: only sites this store lacks, in one transaction.
        exec("CREATE TEMP TABLE new_sites AS SELECT * FROM shard.sites EXCEPT SELECT * FROM main.sites");
        for (const char *table : kSiteTables) {
            const std::string t(table);
            std::string sql;
            if (t == "site_info")
                sql = "INSERT OR IGNORE INTO main.site_info SELECT * FROM shard.site_info";
            else
                sql = "INSERT OR IGNORE INTO main." + t + " SELECT s.* FROM shard." + t +
                      " s JOIN new_sites n USING (model, repeat, plate, well, site)";
            if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
                const std::string m = sqlite3_errmsg(m_db);
                const int code = sqlite3_extended_errcode(m_db);
                sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
                fail("merging " + t + " failed: " + m, code);
            }
        }
        exec("DROP TABLE new_sites");
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr); // a no-op when fail() already rolled back
        sqlite3_exec(m_db, "DROP TABLE IF EXISTS temp.new_sites", nullptr, nullptr, nullptr);
        detach();
        throw;
    }
    detach();
    return int(int64_t(sites().size()) - before);
}

void ResultsStore::limitPagesForTesting(int pages)
{
    exec(("PRAGMA max_page_count=" + std::to_string(pages)).c_str());
}

} // namespace cprecon::run
