#include "screen/PathResolver.h"

#include <QDir>
#include <QFileInfo>

namespace cprecon {

static const QString kGallery = QStringLiteral("s3://cellpainting-gallery/");

PathResolver::PathResolver(QString dataRoot)
    : m_dataRoot(dataRoot.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(dataRoot).absoluteFilePath()))
{
}

void PathResolver::addSearchRoot(const QString &dir)
{
    const QString d = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    if (!m_roots.contains(d)) m_roots << d;
}

const QSet<QString> &PathResolver::listing(const QString &dir)
{
    auto it = m_listings.find(dir);
    if (it == m_listings.end()) {
        QSet<QString> names;
        const QStringList entries = QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
        names.reserve(entries.size());
        for (const auto &e : entries) names.insert(e);
        it = m_listings.insert(dir, names);
    }
    return *it;
}

bool PathResolver::fileExists(const QString &dir, const QString &name)
{
    // names with folders inside ("sub/x.tif") fall back to a stat
    if (name.contains(QLatin1Char('/'))) return QFileInfo::exists(dir + QLatin1Char('/') + name);
    return listing(QDir::cleanPath(dir)).contains(name);
}

bool PathResolver::dirExists(const QString &dir)
{
    const QString d = QDir::cleanPath(dir);
    const int slash = d.lastIndexOf(QLatin1Char('/'));
    if (slash <= 0) return QFileInfo(d).isDir();
    return fileExists(d.left(slash), d.mid(slash + 1)) && QFileInfo(d).isDir();
}

QStringList PathResolver::basesFor(const QString &csvDir) const
{
    QStringList bases;
    if (!m_dataRoot.isEmpty()) bases << m_dataRoot;
    // the CSV folder and a few parents: cellpainting-gallery keeps CSVs at workspace/load_data_csv/<batch>/<plate>/
    QString d = csvDir;
    for (int up = 0; up < 5 && !d.isEmpty(); ++up) {
        if (!bases.contains(d)) bases << d;
        const int slash = d.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0) break;
        d = d.left(slash);
    }
    for (const auto &r : m_roots)
        if (!bases.contains(r)) bases << r;
    return bases;
}

// A folder from another machine (/media/x/plate/Images): find the local folder that ends with the longest run of
// the same trailing components under one of the bases, and that holds the file. One decision per (folder, CSV dir).
QString PathResolver::rerootDir(const QString &absDir, const QString &fileName, const QString &csvDir)
{
    const QString key = absDir + QLatin1Char('\n') + csvDir;
    const auto hit = m_rerooted.constFind(key);
    if (hit != m_rerooted.constEnd()) return *hit;
    const QStringList parts = absDir.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString found;
    const QStringList bases = basesFor(csvDir);
    // Instrument folders are generic ("Images"; Phenix file names repeat in every plate): also match the plate folder.
    const bool generic = !parts.isEmpty() && parts.last().compare(QLatin1String("Images"), Qt::CaseInsensitive) == 0;
    const int minK = generic && parts.size() >= 2 ? 2 : 1;
    for (int k = parts.size(); k >= minK && found.isEmpty(); --k) {
        const QString suffix = parts.mid(parts.size() - k).join(QLatin1Char('/'));
        for (const auto &b : bases) {
            const QString cand = b + QLatin1Char('/') + suffix;
            if (fileExists(cand, fileName)) {
                found = cand;
                break;
            }
        }
    }
    if (found.isEmpty()) found = uniqueFolderHolding(fileName, csvDir);
    m_rerooted.insert(key, found);
    return found;
}

void PathResolver::indexTree(const QString &root)
{
    const QString r = QDir::cleanPath(root);
    if (root.isEmpty() || m_indexedRoots.contains(root) || r == QLatin1String("/") || r == QDir::cleanPath(QDir::homePath()) ||
        r == QDir::cleanPath(QDir::tempPath()))
        return; // never index a whole disk, home or scratch folder
    m_indexedRoots.insert(root);
    constexpr int kMaxFiles = 300000, kMaxDepth = 8;
    int files = 0;
    QVector<QPair<QString, int>> stack{{root, 0}};
    QSet<QString> visited;
    while (!stack.isEmpty() && files < kMaxFiles) {
        const auto [d, depth] = stack.takeLast();
        const QString canonical = QFileInfo(d).canonicalFilePath();
        if (canonical.isEmpty() || visited.contains(canonical)) continue;
        visited.insert(canonical);
        const QDir qd(d);
        for (const auto &f : qd.entryList(QDir::Files | QDir::NoDotAndDotDot)) {
            m_nameIndex[f].append(qd.absolutePath());
            ++files;
        }
        if (depth < kMaxDepth)
            for (const auto &sub : qd.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                if (!sub.startsWith(QLatin1Char('.'))) stack.append({qd.absoluteFilePath(sub), depth + 1});
    }
}

QString PathResolver::uniqueFolderHolding(const QString &fileName, const QString &csvDir)
{
    indexTree(m_dataRoot);
    indexTree(csvDir);
    const auto it = m_nameIndex.constFind(fileName);
    if (it == m_nameIndex.constEnd()) return {};
    QStringList dirs = *it;
    dirs.removeDuplicates();
    return dirs.size() == 1 ? dirs.first() : QString();
}

PathResolver::Result PathResolver::resolve(const QString &pathName, const QString &fileName, const QString &csvDir)
{
    Result r;
    QString p = pathName.trimmed();
    if (p.startsWith(QLatin1String("s3://")) || p.startsWith(QLatin1String("file://")) || p.startsWith(QLatin1String("http")))
        return resolveUrl(p.endsWith(QLatin1Char('/')) ? p + fileName : p + QLatin1Char('/') + fileName, csvDir);
    p.replace(QLatin1Char('\\'), QLatin1Char('/'));
    const bool absolute = p.startsWith(QLatin1Char('/')) || (p.size() > 1 && p[1] == QLatin1Char(':'));
    const QString dir = absolute ? QDir::cleanPath(p) : QDir::cleanPath(csvDir + QLatin1Char('/') + (p.isEmpty() ? QStringLiteral(".") : p));
    r.original = (p.isEmpty() ? QString() : p + QLatin1Char('/')) + fileName;
    r.path = dir + QLatin1Char('/') + fileName;
    if (fileExists(dir, fileName)) {
        r.found = true;
        return r;
    }
    if (absolute) {
        const QString local = rerootDir(dir, fileName, csvDir);
        if (!local.isEmpty()) {
            r.path = local + QLatin1Char('/') + fileName;
            r.found = true;
            return r;
        }
    } else if (fileExists(csvDir, fileName)) { // relative folder wrong but the file sits next to the CSV
        r.path = csvDir + QLatin1Char('/') + fileName;
        r.found = true;
    }
    return r;
}

PathResolver::Result PathResolver::resolveUrl(const QString &url, const QString &csvDir)
{
    Result r;
    r.original = url;
    QString rel;
    if (url.startsWith(kGallery)) {
        r.isUrl = true;
        rel = url.mid(kGallery.size());
    } else if (url.startsWith(QLatin1String("s3://"))) {
        r.isUrl = true;
        rel = url.mid(5); // bucket/key
    } else if (url.startsWith(QLatin1String("file://"))) {
        const QString local = url.mid(7);
        const int slash = local.lastIndexOf(QLatin1Char('/'));
        return resolve(local.left(slash), local.mid(slash + 1), csvDir);
    } else if (url.startsWith(QLatin1String("http://")) || url.startsWith(QLatin1String("https://"))) {
        r.isUrl = true;
        const int afterHost = url.indexOf(QLatin1Char('/'), url.indexOf(QLatin1String("//")) + 2);
        rel = afterHost < 0 ? QString() : url.mid(afterHost + 1);
    } else {
        const int slash = url.lastIndexOf(QLatin1Char('/'));
        Result local = slash < 0 ? resolve(QString(), url, csvDir) : resolve(url.left(slash), url.mid(slash + 1), csvDir);
        return local;
    }
    const int slash = rel.lastIndexOf(QLatin1Char('/'));
    const QString relDir = slash < 0 ? QString() : rel.left(slash), name = rel.mid(slash + 1);
    if (!m_dataRoot.isEmpty()) {
        for (const QString &base : {m_dataRoot, m_dataRoot + QStringLiteral("/cellpainting-gallery")}) {
            const QString dir = QDir::cleanPath(base + QLatin1Char('/') + relDir);
            if (fileExists(dir, name)) {
                r.path = dir + QLatin1Char('/') + name;
                r.found = true;
                return r;
            }
        }
        r.path = QDir::cleanPath(m_dataRoot + QLatin1Char('/') + rel);
    } else {
        r.path = rel; // expected location relative to a mirror root that was not given
    }
    // a partial mirror: the key's trailing folders under the data root / CSV folder / opened roots
    const QString local = rerootDir(QLatin1Char('/') + relDir, name, csvDir);
    if (!local.isEmpty()) {
        r.path = local + QLatin1Char('/') + name;
        r.found = true;
    }
    return r;
}

} // namespace cprecon
