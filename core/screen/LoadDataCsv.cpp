#include "screen/LoadDataCsv.h"

#include "screen/CsvTable.h"
#include "screen/ImageNames.h"
#include "screen/StainMap.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

namespace cprecon {

SheetKind classifyHeader(const QStringList &header)
{
    bool orig = false;
    for (const auto &h : header)
        if (h.startsWith(QLatin1String("FileName_Orig")) || h.startsWith(QLatin1String("URL_Orig"))) orig = true;
    if (orig) return SheetKind::LoadData;
    const auto has = [&](const char *n) { return header.contains(QLatin1String(n), Qt::CaseInsensitive); };
    if (has("channel") && has("path") && has("plate") && has("well")) return SheetKind::NfCore;
    return SheetKind::None;
}

// Per-site acquisition columns: not well metadata.
static bool isSiteLevelKey(const QString &k)
{
    static const QSet<QString> keys{
        QStringLiteral("Plate"), QStringLiteral("Well"), QStringLiteral("Site"), QStringLiteral("Row"), QStringLiteral("Col"),
        QStringLiteral("Column"), QStringLiteral("FieldID"), QStringLiteral("PlaneID"), QStringLiteral("PositionX"),
        QStringLiteral("PositionY"), QStringLiteral("PositionZ"), QStringLiteral("AbsPositionZ"), QStringLiteral("AbsTime"),
        QStringLiteral("ChannelID"), QStringLiteral("ChannelName"), QStringLiteral("ExposureTime"), QStringLiteral("BinningX"),
        QStringLiteral("BinningY"), QStringLiteral("MainEmissionWavelength"), QStringLiteral("MainExcitationWavelength")};
    return keys.contains(k);
}

static bool isPlateLevelKey(const QString &k)
{
    static const QSet<QString> keys{
        QStringLiteral("Source"), QStringLiteral("Batch"), QStringLiteral("PlateMap"), QStringLiteral("Reimaged"),
        QStringLiteral("ObjectiveMagnification"), QStringLiteral("ObjectiveNA"), QStringLiteral("ImageResolutionX"),
        QStringLiteral("ImageResolutionY"), QStringLiteral("ImageSizeX"), QStringLiteral("ImageSizeY"),
        QStringLiteral("MaxIntensity"), QStringLiteral("PlateType")};
    return keys.contains(k);
}

void applyRowMetadata(WellMetadata &meta, QMap<QString, QString> &plateMeta, const QString &key, const QString &value)
{
    if (isSiteLevelKey(key)) return;
    if (isPlateLevelKey(key)) {
        if (!plateMeta.contains(key) && !value.isEmpty()) plateMeta.insert(key, value);
        return;
    }
    const QString k = key.toLower();
    if (k == QLatin1String("cellline") || k == QLatin1String("cell_line") || k == QLatin1String("cell_type"))
        meta.cellLine = value;
    else if (k == QLatin1String("timepointhours") || k == QLatin1String("timepoint") || k == QLatin1String("time"))
        meta.timePoint = value;
    else if (k == QLatin1String("broad_sample"))
        meta.perturbationId = value;
    else if (k == QLatin1String("jcp2022")) {
        if (meta.perturbationId.isEmpty()) meta.perturbationId = value;
    } else if (k == QLatin1String("pert_iname"))
        meta.perturbationName = value;
    else if (k == QLatin1String("perturbationtype") || k == QLatin1String("perturbation_type"))
        meta.perturbationType = value;
    else if (k == QLatin1String("control_type"))
        meta.controlTypeRaw = value;
    meta.extra.insert(key, value); // raw copy (pert_type, target, broad_sample presence, ...)
}

namespace {

// Missing images spelled out per file (more are counted and summarised by the builder).
constexpr long kDetailedMissing = 200;

struct ChannelColumns {
    QString name; // "DNA", "Brightfield_L" (column suffix)
    int file = -1, path = -1, url = -1;
    int illumFile = -1, illumPath = -1, illumUrl = -1;
};

QString str(const char *s) { return QString::fromLatin1(s); }

} // namespace

int loadLoadDataCsv(const QString &csvPath, LoadContext &ctx)
{
    ScreenBuilder &b = ctx.builder;
    const QString csvDir = QFileInfo(csvPath).absolutePath();
    CsvTable t(QByteArray{});
    try {
        t = CsvTable::fromFile(csvPath);
    } catch (const Error &e) {
        b.problem(Problem::Severity::Error, csvPath, -1,
                  QStringLiteral("cannot read load_data CSV: %1").arg(QString::fromStdString(e.message())),
                  QString::fromStdString(e.fix().empty() ? "check the file's permissions and content" : e.fix()));
        return 0;
    }
    if (t.looksBinary() || t.header().isEmpty()) {
        b.problem(Problem::Severity::Error, csvPath, -1, QStringLiteral("not a text CSV (binary or empty content)"),
                  QStringLiteral("point to a CellProfiler load_data CSV (.csv or .csv.gz)"));
        return 0;
    }

    // Channels from column names: FileName_Orig<Ch>, PathName_Orig<Ch>, URL_Orig<Ch> (+ Illum).
    static const QRegularExpression colRe(QStringLiteral("^(FileName|PathName|URL)_(Orig|Illum)(.+)$"));
    QMap<QString, ChannelColumns> chans;
    QStringList order;
    for (int c = 0; c < t.header().size(); ++c) {
        const auto m = colRe.match(t.header()[c]);
        if (!m.hasMatch()) continue;
        const QString kind = m.captured(1), which = m.captured(2), name = m.captured(3);
        ChannelColumns &cc = chans[name];
        cc.name = name;
        if (which == QLatin1String("Orig") && !order.contains(name)) order << name;
        int &slot = which == QLatin1String("Orig")
                        ? (kind == QLatin1String("FileName") ? cc.file : kind == QLatin1String("PathName") ? cc.path : cc.url)
                        : (kind == QLatin1String("FileName") ? cc.illumFile : kind == QLatin1String("PathName") ? cc.illumPath : cc.illumUrl);
        slot = c;
    }
    // A PathName_Orig<Ch> without its FileName_Orig<Ch> (or URL) names no image: the channel is missing, say so.
    QStringList withoutFile;
    for (const auto &cc : chans)
        if (cc.path >= 0 && cc.file < 0 && cc.url < 0) withoutFile << QStringLiteral("FileName_Orig") + cc.name;
    // Illum-only entries (no Orig column) are not channels.
    for (auto it = chans.begin(); it != chans.end();)
        it = (it->file < 0 && it->url < 0) ? chans.erase(it) : std::next(it);

    const int cPlate = t.column(str("Metadata_Plate")), cWell = t.column(str("Metadata_Well")),
              cSite = t.column(str("Metadata_Site")), cRow = t.column(str("Metadata_Row")), cCol = t.column(str("Metadata_Col")),
              cField = t.column(str("Metadata_FieldID"));
    QStringList missing = withoutFile;
    if (chans.isEmpty()) missing << str("FileName_Orig<Channel>/PathName_Orig<Channel> or URL_Orig<Channel>");
    for (const auto &cc : chans) {
        if (cc.file >= 0 && cc.path < 0) missing << QStringLiteral("PathName_Orig") + cc.name;
        if (cc.illumFile >= 0 && cc.illumPath < 0) missing << QStringLiteral("PathName_Illum") + cc.name;
    }
    if (cPlate < 0) missing << str("Metadata_Plate");
    if (cWell < 0 && (cRow < 0 || cCol < 0)) missing << str("Metadata_Well");
    if (cSite < 0 && cField < 0) missing << str("Metadata_Site");
    if (chans.isEmpty()) {
        b.problem(Problem::Severity::Error, csvPath, -1,
                  QStringLiteral("CSV is missing required columns: %1; file skipped").arg(missing.join(QStringLiteral(", "))),
                  QStringLiteral("a load_data CSV needs FileName_Orig<Ch> + PathName_Orig<Ch> (or URL_Orig<Ch>) per channel and "
                                 "Metadata_Plate, Metadata_Well, Metadata_Site"));
        return 0;
    }
    if (!missing.isEmpty())
        b.problem(Problem::Severity::Error, csvPath, -1,
                  QStringLiteral("CSV is missing required columns: %1; falling back to the image file names / the CSV folder "
                                 "(rows where that fails are skipped)").arg(missing.join(QStringLiteral(", "))),
                  QStringLiteral("add the missing columns (CellProfiler LoadData: Metadata_Plate, Metadata_Well, Metadata_Site, "
                                 "FileName_Orig<Ch>, PathName_Orig<Ch>)"));

    // Unknown channel names: kept under their own name, never silently mapped to a Cell Painting stain.
    QMap<QString, QString> stainOf;
    for (const auto &name : order) {
        bool known = false;
        const QString stain = canonicalStain(name, &known);
        const QString over = overrideStain(ctx.options.stainOverride, stain, -1, name);
        stainOf[name] = over;
        if (!known && over == stain)
            b.warning(csvPath,
                      QStringLiteral("unknown channel name '%1' (column FileName_Orig%1/URL_Orig%1): kept as stain '%2'")
                          .arg(name, stain),
                      QStringLiteral("rename the column (DNA, ER, RNA, AGP, Mito, Brightfield) or map it with --channel-map "
                                     "Orig%1=<Stain>").arg(name));
    }

    QStringList metaCols;
    QVector<int> metaIdx;
    for (int c = 0; c < t.header().size(); ++c)
        if (t.header()[c].startsWith(QLatin1String("Metadata_"))) {
            metaCols << t.header()[c].mid(9);
            metaIdx << c;
        }
    const QString folderPlate = QFileInfo(csvDir).fileName();
    const bool perChannelOverride = !ctx.options.stainOverride.isEmpty();
    int added = 0;
    long missingSeen = 0;
    QSet<QString> illumReported;
    while (t.next()) {
        if ((t.rowNumber() & 2047) == 0) ctx.options.checkCanceled();
        const long row = t.rowNumber();
        ScreenBuilder::SiteInput in;
        ImageName firstName;
        bool haveName = false;
        for (const auto &name : order) {
            const ChannelColumns &cc = chans[name];
            PathResolver::Result r;
            QString fileName;
            if (cc.file >= 0) {
                fileName = t.field(cc.file);
                if (fileName.isEmpty()) continue; // channel not acquired on this row
                r = ctx.paths.resolve(t.field(cc.path), fileName, csvDir);
            } else {
                const QString url = t.field(cc.url);
                if (url.isEmpty()) continue;
                r = ctx.paths.resolveUrl(url, csvDir);
                fileName = url.mid(url.lastIndexOf(QLatin1Char('/')) + 1);
            }
            ChannelImage ci;
            ci.path = r.path;
            ci.channelNumber = channelFromFileName(fileName);
            ci.stain = perChannelOverride ? overrideStain(ctx.options.stainOverride, stainOf[name], ci.channelNumber, name)
                                          : stainOf[name];
            ci.missing = !r.found;
            if (!haveName) haveName = parseImageName(fileName, firstName);
            if (!r.found && ++missingSeen > kDetailedMissing) {
                Problem p; // counted, not spelled out: the builder summarises (keeps 100k-row CSVs light)
                p.file = csvPath;
                in.missing << p;
            } else if (!r.found) {
                Problem p;
                p.file = csvPath;
                p.row = row;
                if (r.isUrl) {
                    p.message = QStringLiteral("image %1 (%2) is not in the local mirror: expected at %3")
                                    .arg(r.original, name, r.path);
                    p.fix = ctx.paths.dataRoot().isEmpty()
                                ? QStringLiteral("set the mirror root (--data-root DIR / Options: data root) to the folder "
                                                 "holding a copy of s3://cellpainting-gallery/")
                                : QStringLiteral("download the file into the mirror root, or set the correct mirror root");
                } else {
                    p.message = QStringLiteral("image file not found: %1 (%2)").arg(r.path, name);
                    p.fix = QStringLiteral("copy the file there, or set the data root (--data-root DIR) to the folder that "
                                           "holds the images so the CSV's paths can be re-rooted");
                }
                in.missing << p;
            }
            // illumination function
            PathResolver::Result ir;
            bool haveIllum = false;
            if (cc.illumFile >= 0 && !t.field(cc.illumFile).isEmpty()) {
                ir = ctx.paths.resolve(t.field(cc.illumPath), t.field(cc.illumFile), csvDir);
                haveIllum = true;
            } else if (cc.illumUrl >= 0 && !t.field(cc.illumUrl).isEmpty()) {
                ir = ctx.paths.resolveUrl(t.field(cc.illumUrl), csvDir);
                haveIllum = true;
            }
            if (haveIllum) {
                if (ir.found)
                    ci.illumPath = ir.path;
                else if (!illumReported.contains(ir.original)) { // one warning per missing file, not per site
                    illumReported.insert(ir.original);
                    Problem p;
                    p.severity = Problem::Severity::Warning;
                    p.file = csvPath;
                    p.row = row;
                    p.message = QStringLiteral("illumination function not found: %1 (expected at %2); %3 loads uncorrected")
                                    .arg(ir.original, ir.path, name);
                    p.fix = QStringLiteral("copy the .npy file there or set the data root (--data-root DIR)");
                    in.notes << p;
                }
            }
            in.channels << ci;
        }
        if (in.channels.isEmpty()) {
            b.problem(Problem::Severity::Error, csvPath, row, QStringLiteral("row names no image file; skipped"),
                      QStringLiteral("fill the FileName_Orig<Ch> / URL_Orig<Ch> cells"), QStringLiteral("empty row"));
            continue;
        }
        QString plate = cPlate >= 0 ? t.field(cPlate) : QString();
        if (plate.isEmpty()) plate = !firstName.plate.isEmpty() ? firstName.plate : folderPlate;
        QString well = cWell >= 0 ? t.field(cWell) : QString();
        if (well.isEmpty() && cRow >= 0 && cCol >= 0) {
            bool okR = false, okC = false;
            const int r = t.field(cRow).toInt(&okR), c = t.field(cCol).toInt(&okC);
            if (okR && okC && r >= 1 && c >= 1) well = wellName(r - 1, c - 1);
        }
        if (well.isEmpty() && haveName) well = firstName.well;
        if (well.isEmpty()) {
            b.problem(Problem::Severity::Error, csvPath, row,
                      QStringLiteral("no well for this row (no Metadata_Well value and the file name has no well); skipped"),
                      QStringLiteral("add a Metadata_Well column"), QStringLiteral("no well"));
            continue;
        }
        bool okSite = false;
        int site = (cSite >= 0 ? t.field(cSite) : cField >= 0 ? t.field(cField) : QString()).toInt(&okSite);
        if (!okSite) site = haveName && firstName.site > 0 ? firstName.site : 1;
        in.number = site;

        const int pi = b.plateIndex(plate, ctx.synthetic);
        bool created = false;
        Well *w = b.well(pi, well, csvPath, row, &created);
        if (!w) continue;
        if (created) {
            auto &plateMeta = b.screen().plates[pi].metadata;
            for (int k = 0; k < metaIdx.size(); ++k) applyRowMetadata(w->meta, plateMeta, metaCols[k], t.field(metaIdx[k]));
        }
        b.addSite(pi, *w, std::move(in), csvPath, row);
        ++added;
    }
    return added;
}

int loadNfCoreSheet(const QString &csvPath, LoadContext &ctx)
{
    ScreenBuilder &b = ctx.builder;
    const QString csvDir = QFileInfo(csvPath).absolutePath();
    CsvTable t(QByteArray{});
    try {
        t = CsvTable::fromFile(csvPath);
    } catch (const Error &e) {
        b.problem(Problem::Severity::Error, csvPath, -1,
                  QStringLiteral("cannot read sample sheet: %1").arg(QString::fromStdString(e.message())),
                  QString::fromStdString(e.fix()));
        return 0;
    }
    const int cCh = t.column(str("channel")), cPath = t.column(str("path")), cPlate = t.column(str("plate")),
              cWell = t.column(str("well")), cSite = t.column(str("site")), cSource = t.column(str("source")),
              cBatch = t.column(str("batch"));
    QStringList missing;
    for (auto [c, n] : {std::pair{cCh, "channel"}, {cPath, "path"}, {cPlate, "plate"}, {cWell, "well"}, {cSite, "site"}})
        if (c < 0) missing << str(n);
    if (!missing.isEmpty() && (cCh < 0 || cPath < 0 || cPlate < 0 || cWell < 0)) {
        b.problem(Problem::Severity::Error, csvPath, -1,
                  QStringLiteral("sample sheet is missing required columns: %1; file skipped").arg(missing.join(QStringLiteral(", "))),
                  QStringLiteral("nf-core/cellpainting sheets have channel,path,source,batch,plate,well,site"));
        return 0;
    }
    struct Pending {
        QString plate, well;
        long row;
        ScreenBuilder::SiteInput in;
        QString source, batch;
    };
    QVector<Pending> sites;
    QHash<QString, int> index;
    QSet<QString> warnedUnknown;
    long missingSeen = 0;
    QSet<QString> illumReported;
    while (t.next()) {
        if ((t.rowNumber() & 2047) == 0) ctx.options.checkCanceled();
        const long row = t.rowNumber();
        const QString plate = t.field(cPlate), well = t.field(cWell), chName = t.field(cCh), path = t.field(cPath);
        const int site = cSite >= 0 ? t.field(cSite).toInt() : 1;
        if (plate.isEmpty() || well.isEmpty() || path.isEmpty()) {
            b.problem(Problem::Severity::Error, csvPath, row, QStringLiteral("row lacks plate, well or path; skipped"),
                      QStringLiteral("fill every column of the row"), QStringLiteral("empty row"));
            continue;
        }
        const QString key = plate + QLatin1Char('\n') + well + QLatin1Char('\n') + QString::number(site);
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.insert(key, int(sites.size()));
            Pending p{plate, well, row, {}, cSource >= 0 ? t.field(cSource) : QString(), cBatch >= 0 ? t.field(cBatch) : QString()};
            p.in.number = site;
            sites << p;
        }
        Pending &p = sites[*it];
        const PathResolver::Result r = ctx.paths.resolveUrl(path, csvDir);
        const QString fileName = path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
        bool known = false;
        ChannelImage ci;
        ci.channelNumber = channelFromFileName(fileName);
        ci.stain = overrideStain(ctx.options.stainOverride, canonicalStain(chName, &known), ci.channelNumber, chName);
        if (!known && ci.stain == canonicalStain(chName) && !warnedUnknown.contains(chName)) {
            warnedUnknown.insert(chName);
            b.warning(csvPath, QStringLiteral("unknown channel name '%1': kept as stain '%1'").arg(chName),
                      QStringLiteral("use DNA, ER, RNA, AGP, Mito, Brightfield or map it with --channel-map %1=<Stain>").arg(chName),
                      row);
        }
        for (const auto &c : p.in.channels)
            if (c.stain == ci.stain) {
                b.problem(Problem::Severity::Error, csvPath, row,
                          QStringLiteral("channel %1 of plate %2, well %3, site %4 given twice; this row is ignored")
                              .arg(chName, plate, well).arg(site),
                          QStringLiteral("remove the duplicate row"), QStringLiteral("duplicate site"));
                ci.stain.clear();
                break;
            }
        if (ci.stain.isEmpty()) continue;
        ci.path = r.path;
        ci.missing = !r.found;
        if (!r.found && ++missingSeen > kDetailedMissing) {
            Problem pr;
            pr.file = csvPath;
            p.in.missing << pr;
        } else if (!r.found) {
            Problem pr;
            pr.file = csvPath;
            pr.row = row;
            pr.message = r.isUrl ? QStringLiteral("image %1 (%2) is not in the local mirror: expected at %3").arg(r.original, chName, r.path)
                                 : QStringLiteral("image file not found: %1 (%2)").arg(r.path, chName);
            pr.fix = QStringLiteral("set the mirror / data root (--data-root DIR) to the folder holding a copy of s3://cellpainting-gallery/");
            p.in.missing << pr;
        }
        p.in.channels << ci;
    }
    int added = 0;
    for (auto &p : sites) {
        const int pi = b.plateIndex(p.plate, ctx.synthetic);
        auto &pm = b.screen().plates[pi].metadata;
        if (!p.source.isEmpty() && !pm.contains(str("Source"))) pm.insert(str("Source"), p.source);
        if (!p.batch.isEmpty() && !pm.contains(str("Batch"))) pm.insert(str("Batch"), p.batch);
        Well *w = b.well(pi, p.well, csvPath, p.row);
        if (!w) continue;
        b.addSite(pi, *w, std::move(p.in), csvPath, p.row);
        ++added;
    }
    return added;
}

} // namespace cprecon
