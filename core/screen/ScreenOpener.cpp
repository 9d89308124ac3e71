#include "screen/ScreenOpener.h"

#include "screen/CsvTable.h"
#include "screen/FolderScan.h"
#include "screen/ImageNames.h"
#include "screen/LoadDataCsv.h"
#include "screen/MetadataJoin.h"
#include "screen/PathResolver.h"
#include "screen/ScreenBuilder.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace cprecon {

namespace {

std::string s(const QString &q) { return q.toStdString(); }

bool isTableName(const QString &n)
{
    const QString l = n.toLower();
    return l.endsWith(QLatin1String(".csv")) || l.endsWith(QLatin1String(".csv.gz")) || l.endsWith(QLatin1String(".tsv")) ||
           l.endsWith(QLatin1String(".txt"));
}

struct Tree {
    QStringList tables;                   // every .csv/.csv.gz/.tsv/.txt
    QMap<QString, QStringList> imageDirs; // dir -> image file names
    QStringList illumDirs;                // folders named "illum"
    QStringList phantomRoots;             // folders holding phantom.json
    QStringList lmdbDirs;                 // folders holding data.mdb (LSUN-style LMDB image databases)
};

// One walk over the opened folder (hidden folders skipped; depth-limited so a wrong click on / stays bounded).
Tree walk(const QString &root, const OpenOptions &options, int maxDepth = 12)
{
    Tree t;
    QVector<QPair<QString, int>> stack{{root, 0}};
    QSet<QString> visited; // symlinked folders may loop
    while (!stack.isEmpty()) {
        options.checkCanceled();
        const auto [d, depth] = stack.takeLast();
        const QString canonical = QFileInfo(d).canonicalFilePath();
        if (canonical.isEmpty() || visited.contains(canonical)) continue;
        visited.insert(canonical);
        const QDir qd(d);
        QStringList images;
        // Unreadable files and dangling symlinks (git-annex / datalad trees whose content was not fetched) are
        // listed too, so their loader reports them as problems instead of the screen silently lacking them.
        // Other special files (FIFOs, sockets, devices) are skipped: opening a FIFO would block.
        QStringList files;
        for (const QFileInfo &fi : qd.entryInfoList(QDir::Files | QDir::System | QDir::NoDotAndDotDot, QDir::Name))
            if (fi.isFile() || (fi.isSymLink() && !fi.exists())) files << fi.fileName();
        for (const auto &f : files) {
            if (isImageFileName(f))
                images << f;
            else if (isTableName(f))
                t.tables << qd.absoluteFilePath(f);
            else if (f == QLatin1String("phantom.json"))
                t.phantomRoots << qd.absolutePath();
            else if (f == QLatin1String("data.mdb"))
                t.lmdbDirs << qd.absolutePath();
        }
        if (!images.isEmpty()) t.imageDirs.insert(qd.absolutePath(), images);
        if (qd.dirName().compare(QLatin1String("illum"), Qt::CaseInsensitive) == 0) t.illumDirs << qd.absolutePath();
        if (depth >= maxDepth) continue;
        for (const auto &sub : qd.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed))
            if (!sub.startsWith(QLatin1Char('.'))) stack.append({qd.absoluteFilePath(sub), depth + 1});
    }
    return t;
}

bool underAny(const QString &path, const QStringList &roots)
{
    for (const auto &r : roots)
        if (path == r || path.startsWith(r + QLatin1Char('/'))) return true;
    return false;
}

bool phantomAncestor(const QString &path)
{
    QString d = QFileInfo(path).absolutePath();
    for (int up = 0; up < 8 && !d.isEmpty(); ++up) {
        if (QFileInfo::exists(d + QStringLiteral("/phantom.json"))) return true;
        const int slash = d.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0) break;
        d = d.left(slash);
    }
    return false;
}

// In one folder: load_data_with_illum.csv beats load_data.csv; X.csv beats its X.csv.gz twin; *_with_illum beats the plain one.
QStringList preferredSheets(const QStringList &sheets)
{
    QSet<QString> all(sheets.begin(), sheets.end());
    QStringList out;
    for (const auto &p : sheets) {
        QString base = p;
        const bool gz = base.endsWith(QLatin1String(".gz"), Qt::CaseInsensitive);
        if (gz) base.chop(3);
        if (gz && all.contains(base)) continue;
        const int dot = base.lastIndexOf(QLatin1Char('.'));
        const QString stem = base.left(dot), ext = base.mid(dot);
        if (!stem.endsWith(QLatin1String("_with_illum"))) {
            const QString illum = stem + QStringLiteral("_with_illum") + ext;
            if (all.contains(illum) || all.contains(illum + QStringLiteral(".gz"))) continue;
        }
        out << p;
    }
    return out;
}

ChannelStains mappingForFolder(const MetadataIndex &meta, const QString &dir, QString *origin)
{
    const ChannelMappingTable &t = meta.channelMapping();
    if (t.isEmpty()) return {};
    if (t.has(QString())) {
        *origin = t.path();
        return t.forSource(QString());
    }
    static const QRegularExpression src(QStringLiteral("source_(\\d+)"));
    const auto m = src.match(dir);
    if (m.hasMatch() && t.has(m.captured(1))) {
        *origin = QStringLiteral("%1 (source_%2)").arg(t.path(), m.captured(1));
        return t.forSource(m.captured(1));
    }
    return {};
}

// load_data without Illum columns: attach <illum>/<plate>/<plate>_Illum<Stain>.npy when it exists.
void attachIllum(Screen &screen, const QStringList &illumDirs, PathResolver &paths)
{
    for (auto &plate : screen.plates) {
        QStringList dirs;
        for (const auto &d : illumDirs) dirs << d + QLatin1Char('/') + plate.barcode;
        // cellpainting-gallery: images/<batch>/images/<plate-full>/Images/x.tiff -> images/<batch>/illum/<plate>/
        for (const auto &w : plate.wells) {
            if (w.sites.isEmpty() || w.sites.first().channels.isEmpty()) continue;
            QDir d = QFileInfo(w.sites.first().channels.first().path).absoluteDir();
            if (d.cdUp() && d.cdUp() && d.cdUp()) dirs << d.absolutePath() + QStringLiteral("/illum/") + plate.barcode;
            break;
        }
        QMap<QString, QString> found; // stain -> npy
        for (auto &w : plate.wells)
            for (auto &site : w.sites)
                for (auto &c : site.channels) {
                    if (!c.illumPath.isEmpty() || c.plane >= 0) continue;
                    auto it = found.find(c.stain);
                    if (it == found.end()) {
                        QString hit;
                        const QString name = plate.barcode + QStringLiteral("_Illum") + c.stain + QStringLiteral(".npy");
                        for (const auto &d : dirs)
                            if (paths.fileExists(d, name)) {
                                hit = d + QLatin1Char('/') + name;
                                break;
                            }
                        it = found.insert(c.stain, hit);
                    }
                    c.illumPath = *it;
                }
    }
}

QString problemDigest(const Screen &screen, int max = 5)
{
    QStringList lines;
    for (const auto &p : screen.problems) {
        if (lines.size() >= max) break;
        lines << p.toString();
    }
    return lines.join(QStringLiteral("; "));
}

} // namespace

Screen openScreen(const QString &path, const OpenOptions &options)
{
    const QFileInfo fi(path);
    if (path.isEmpty() || !fi.exists())
        throw Error("path does not exist", s(path), "give a screen folder, a load_data CSV, an nf-core sample sheet or an image folder");
    if (fi.isFile() && isImageFileName(fi.fileName()))
        throw Error("a single image is not a screen", s(path),
                    "open the folder that holds it (its file names give plate, well, site and channel), or a load_data CSV");
    Screen screen;
    screen.source = QDir::cleanPath(fi.absoluteFilePath());
    ScreenBuilder b(screen);
    PathResolver paths(options.dataRoot);
    MetadataIndex meta;
    for (const auto &d : options.metadataDirs) meta.scanDir(d);

    if (fi.isFile()) {
        screen.name = fi.fileName();
        const QStringList header = peekHeader(fi.absoluteFilePath());
        const SheetKind kind = classifyHeader(header);
        if (kind == SheetKind::None) {
            if (header.isEmpty()) {
                readTextFile(fi.absoluteFilePath(), 4096); // throws with the precise reason when unreadable / corrupt
                throw Error("not a text table (empty or binary file)", s(fi.absoluteFilePath()),
                            "open a load_data CSV (.csv/.csv.gz), an nf-core sample sheet or a folder");
            }
            throw Error("not a load_data CSV nor an nf-core sample sheet: no FileName_Orig<Ch>/URL_Orig<Ch> columns and no "
                        "channel,path,plate,well columns (header: " + s(header.mid(0, 12).join(QLatin1Char(','))) + ")",
                        s(fi.absoluteFilePath()), "open the load_data CSV, the sample sheet, or the screen's root folder");
        }
        paths.addSearchRoot(fi.absolutePath());
        for (const auto &d : MetadataIndex::nearbyMetadataDirs(fi.absoluteFilePath(), 5)) meta.scanDir(d);
        LoadContext ctx{b, paths, options, phantomAncestor(fi.absoluteFilePath())};
        const int n = kind == SheetKind::LoadData ? loadLoadDataCsv(fi.absoluteFilePath(), ctx) : loadNfCoreSheet(fi.absoluteFilePath(), ctx);
        if (n == 0)
            throw Error("nothing loadable: " + s(problemDigest(screen)), s(fi.absoluteFilePath()),
                        "fix the problems listed, or open the screen's root folder");
        screen.kind = kind == SheetKind::LoadData ? ScreenKind::LoadDataCsv : ScreenKind::NfCoreSheet;
        attachIllum(screen, {}, paths);
        meta.join(b);
        b.finish();
        screen.synthetic = ctx.synthetic;
        if (screen.synthetic) screen.kind = ScreenKind::Phantom;
        return screen;
    }

    // A folder: a screen root (cellpainting-gallery tree, bundled sample, phantom output) or a plain image folder.
    const QString root = QDir::cleanPath(fi.absoluteFilePath());
    screen.name = QFileInfo(root).fileName().isEmpty() ? root : QFileInfo(root).fileName();
    paths.addSearchRoot(root);
    const Tree tree = walk(root, options);
    QStringList sheets;
    QMap<QString, SheetKind> sheetKind;
    for (const auto &t : tree.tables) {
        const QString n = QFileInfo(t).fileName().toLower();
        if (!n.endsWith(QLatin1String(".csv")) && !n.endsWith(QLatin1String(".csv.gz"))) {
            meta.addFile(t);
            continue;
        }
        const QStringList h = peekHeader(t);
        SheetKind k = classifyHeader(h);
        if (k == SheetKind::None && n.startsWith(QLatin1String("load_data"))) k = SheetKind::LoadData; // let the loader name what is wrong
        if (k == SheetKind::None) {
            if (!n.endsWith(QLatin1String(".gz"))) meta.addFile(t);
            continue;
        }
        sheets << t;
        sheetKind[t] = k;
    }
    sheets = preferredSheets(sheets);
    for (const auto &d : MetadataIndex::nearbyMetadataDirs(root, 3))
        if (!underAny(d, {root})) meta.scanDir(d);
    // a channel_mapping.csv right above an opened image folder (e.g. <plate>/channel_mapping.csv, opened <plate>/Images)
    {
        QDir up(root);
        for (int k = 0; k < 2 && up.cdUp(); ++k)
            if (QFileInfo::exists(up.filePath(QStringLiteral("channel_mapping.csv")))) meta.addFile(up.filePath(QStringLiteral("channel_mapping.csv")));
    }

    if (sheets.isEmpty() && tree.imageDirs.isEmpty() && tree.lmdbDirs.isEmpty())
        throw Error("no screen found in this folder: no load_data CSV (.csv/.csv.gz), no nf-core sample sheet, no LMDB image database and no "
                    "TIFF/PNG/JPEG images (searched recursively)",
                    s(root), "open a cellpainting-gallery tree, a load_data CSV, or a folder of images");

    int csvSites = 0, nfSites = 0;
    for (const auto &sheet : sheets) {
        options.checkCanceled();
        LoadContext ctx{b, paths, options, underAny(sheet, tree.phantomRoots)};
        if (sheetKind[sheet] == SheetKind::NfCore)
            nfSites += loadNfCoreSheet(sheet, ctx);
        else
            csvSites += loadLoadDataCsv(sheet, ctx);
    }
    // Image folders that no sheet refers to are scanned on their own.
    QSet<QString> referencedDirs;
    for (const auto &p : screen.plates)
        for (const auto &w : p.wells)
            for (const auto &site : w.sites)
                for (const auto &c : site.channels)
                    if (!c.missing) referencedDirs.insert(QFileInfo(c.path).absolutePath());
    int scanSites = 0, naturalImages = 0;
    for (auto it = tree.imageDirs.cbegin(); it != tree.imageDirs.cend(); ++it) {
        if (referencedDirs.contains(it.key())) continue;
        const FolderKind k = classifyImageFolder(it.key(), it.value());
        const bool synthetic = underAny(it.key(), tree.phantomRoots);
        if (k == FolderKind::Instrument) {
            QString origin;
            const ChannelStains mapping = mappingForFolder(meta, it.key(), &origin);
            scanSites += scanInstrumentFolder(it.key(), it.value(), b, options, mapping, origin, synthetic);
        } else if (k == FolderKind::Natural) {
            naturalImages += scanNaturalFolder(it.key(), it.value(), b);
        } else if (k == FolderKind::Unrecognised) {
            b.warning(it.key(),
                      QStringLiteral("%1 image file(s) whose names match no instrument pattern (Phenix, CV8000, ImageXpress) and "
                                     "that are not RGB photos; folder ignored").arg(it.value().size()),
                      QStringLiteral("describe them in a load_data CSV (FileName_Orig<Stain>, PathName_Orig<Stain>, "
                                     "Metadata_Plate/Well/Site)"));
        }
    }
    for (const QString &dir : tree.lmdbDirs) naturalImages += scanLmdbImages(dir, b);
    if (screen.plates.isEmpty() || (csvSites + nfSites + scanSites + naturalImages) == 0)
        throw Error("nothing loadable in this folder: " + s(problemDigest(screen)), s(root),
                    "fix the problems listed, or open a load_data CSV / image folder directly");

    attachIllum(screen, tree.illumDirs, paths);
    meta.join(b);
    b.finish();

    const bool rootPhantom = tree.phantomRoots.contains(root);
    bool allSynthetic = !screen.plates.isEmpty();
    for (const auto &p : screen.plates) allSynthetic = allSynthetic && p.synthetic;
    if (rootPhantom || allSynthetic) {
        screen.kind = ScreenKind::Phantom;
        screen.synthetic = true;
        for (auto &p : screen.plates) p.synthetic = true;
    } else if (csvSites > 0) {
        screen.kind = ScreenKind::LoadDataCsv;
    } else if (nfSites > 0) {
        screen.kind = ScreenKind::NfCoreSheet;
    } else if (scanSites > 0) {
        screen.kind = ScreenKind::FolderScan;
    } else {
        screen.kind = ScreenKind::NaturalImages;
    }
    return screen;
}

} // namespace cprecon
