#include "catalog/FileHash.h"

#include "util/Error.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

#include <sys/stat.h>

namespace cprecon::models {

namespace {

// Identity of the file's current content as far as the filesystem tells: inode, size, mtime in nanoseconds.
QString cacheKey(const QString &path)
{
    const QFileInfo fi(path);
    QString key = fi.canonicalFilePath() + QLatin1Char('|') + QString::number(fi.size());
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0)
        key += QStringLiteral("|%1|%2.%3").arg(st.st_ino).arg(st.st_mtim.tv_sec).arg(st.st_mtim.tv_nsec);
    else
        key += QLatin1Char('|') + QString::number(fi.lastModified().toMSecsSinceEpoch());
    return key;
}

QMutex &cacheMutex()
{
    static QMutex m;
    return m;
}

QHash<QString, QString> &cache()
{
    static QHash<QString, QString> c;
    return c;
}

} // namespace

QString sha256File(const QString &path, const std::atomic_bool *cancel)
{
    const QString key = cacheKey(path);
    {
        QMutexLocker lock(&cacheMutex());
        const auto it = cache().constFind(key);
        if (it != cache().constEnd()) return it.value();
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error("cannot read file to verify its checksum: " + f.errorString().toStdString(), path.toStdString(),
                    "check the file's permissions");
    QCryptographicHash h(QCryptographicHash::Sha256);
    QByteArray buf(1 << 20, Qt::Uninitialized);
    for (;;) {
        if (cancel && cancel->load()) return {};
        const qint64 n = f.read(buf.data(), buf.size());
        if (n < 0)
            throw Error("read error while verifying checksum: " + f.errorString().toStdString(), path.toStdString(), {});
        if (n == 0) break;
        h.addData(QByteArrayView(buf.constData(), n));
    }
    const QString hex = QString::fromLatin1(h.result().toHex());
    QMutexLocker lock(&cacheMutex());
    cache().insert(key, hex);
    return hex;
}

void rememberSha256(const QString &path, const QString &hex)
{
    QMutexLocker lock(&cacheMutex());
    cache().insert(cacheKey(path), hex.toLower());
}

} // namespace cprecon::models
