#include "screen/LmdbArchive.h"

#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <lmdb.h>

#include <map>
#include <memory>
#include <mutex>

namespace cprecon {

namespace {

std::string u8(const QString &s) { return s.toStdString(); }

// One read-only environment per folder, opened once and shared (LMDB allows one per process per file).
class Environment {
public:
    explicit Environment(const QString &dir) : m_dir(dir)
    {
        check(mdb_env_create(&m_env), "cannot create an LMDB environment");
        mdb_env_set_maxreaders(m_env, 126);
        // MDB_NOLOCK: no lock.mdb is written (read-only media); MDB_NOTLS: readers may move between threads.
        const int rc = mdb_env_open(m_env, QFile::encodeName(dir).constData(), MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0444);
        if (rc != 0) {
            mdb_env_close(m_env);
            m_env = nullptr;
            check(rc, "cannot open the LMDB database");
        }
    }
    ~Environment()
    {
        if (m_env) mdb_env_close(m_env);
    }
    template <typename F> void read(F &&f)
    {
        MDB_txn *txn = nullptr;
        check(mdb_txn_begin(m_env, nullptr, MDB_RDONLY, &txn), "cannot read the LMDB database");
        MDB_dbi dbi = 0;
        const int rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
        if (rc != 0) {
            mdb_txn_abort(txn);
            check(rc, "cannot open the LMDB database's main table");
        }
        try {
            f(txn, dbi);
        } catch (...) {
            mdb_txn_abort(txn);
            throw;
        }
        mdb_txn_abort(txn); // read-only: nothing to commit
    }
    void check(int rc, const std::string &what) const
    {
        if (rc != 0)
            throw Error(what + ": " + mdb_strerror(rc), u8(m_dir),
                        "give the folder holding data.mdb of an LMDB export (e.g. LSUN church_outdoor_train_lmdb)");
    }

private:
    QString m_dir;
    MDB_env *m_env = nullptr;
};

Environment &environment(const QString &dir)
{
    static std::mutex mutex;
    static std::map<QString, std::unique_ptr<Environment>> open;
    const QString key = QFileInfo(dir).absoluteFilePath();
    std::lock_guard<std::mutex> lock(mutex);
    auto &slot = open[key];
    if (!slot) slot = std::make_unique<Environment>(key);
    return *slot;
}

} // namespace

bool isLmdbEnvironment(const QString &dir) { return QFileInfo(QDir(dir).filePath(QStringLiteral("data.mdb"))).isFile(); }

std::vector<QByteArray> lmdbKeys(const QString &dir)
{
    std::vector<QByteArray> keys;
    Environment &env = environment(dir);
    env.read([&](MDB_txn *txn, MDB_dbi dbi) {
        MDB_cursor *cursor = nullptr;
        env.check(mdb_cursor_open(txn, dbi, &cursor), "cannot list the LMDB database");
        MDB_val k, v;
        int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
        while (rc == 0) {
            keys.emplace_back(static_cast<const char *>(k.mv_data), qsizetype(k.mv_size));
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cursor);
        if (rc != MDB_NOTFOUND) env.check(rc, "cannot list the LMDB database");
    });
    return keys;
}

QByteArray lmdbValue(const QString &dir, const QByteArray &key)
{
    QByteArray out;
    Environment &env = environment(dir);
    env.read([&](MDB_txn *txn, MDB_dbi dbi) {
        MDB_val k{size_t(key.size()), const_cast<char *>(key.constData())}, v;
        const int rc = mdb_get(txn, dbi, &k, &v);
        if (rc == MDB_NOTFOUND)
            throw Error("no image with key '" + key.toStdString() + "' in the LMDB database", u8(dir), "re-open the screen: the database changed");
        env.check(rc, "cannot read key '" + key.toStdString() + "'");
        out = QByteArray(static_cast<const char *>(v.mv_data), qsizetype(v.mv_size));
    });
    return out;
}

} // namespace cprecon
