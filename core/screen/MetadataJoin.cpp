#include "screen/MetadataJoin.h"

#include "screen/CsvTable.h"
#include "util/Error.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace cprecon {

static QString str(const char *s) { return QString::fromLatin1(s); }
static bool isNA(const QString &v) { return v.isEmpty() || v == QLatin1String("NA") || v == QLatin1String("nan") || v == QLatin1String("NaN"); }

QStringList MetadataIndex::nearbyMetadataDirs(const QString &path, int levels)
{
    QStringList out;
    QFileInfo fi(path);
    QString d = fi.isDir() ? fi.absoluteFilePath() : fi.absolutePath();
    // never wander into shared scratch places (other programs' "metadata" folders are not this screen's)
    const QStringList stop{QStringLiteral("/"), QDir::cleanPath(QDir::tempPath()), QStringLiteral("/tmp"),
                           QDir::cleanPath(QDir::homePath())};
    for (int up = 0; up <= levels && !d.isEmpty(); ++up) {
        if (stop.contains(d)) break;
        const QDir dir(d);
        for (const auto &e : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const QString l = e.toLower();
            if (l == QLatin1String("metadata") || l.endsWith(QLatin1String("_metadata")))
                out << dir.absoluteFilePath(e);
            else if (l == QLatin1String("workspace") && QFileInfo(dir.absoluteFilePath(e + str("/metadata"))).isDir())
                out << dir.absoluteFilePath(e + str("/metadata"));
        }
        const int slash = d.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0) break;
        d = d.left(slash);
    }
    out.removeDuplicates();
    return out;
}

void MetadataIndex::scanDir(const QString &dir, int maxDepth)
{
    // breadth-limited walk; only small text tables are considered
    QVector<QPair<QString, int>> stack{{dir, 0}};
    int files = 0;
    while (!stack.isEmpty() && files < 2000) {
        const auto [d, depth] = stack.takeLast();
        const QDir qd(d);
        for (const auto &fi : qd.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            if (fi.isDir()) {
                if (depth < maxDepth && !fi.fileName().startsWith(QLatin1Char('.'))) stack.append({fi.absoluteFilePath(), depth + 1});
                continue;
            }
            const QString n = fi.fileName().toLower();
            if ((n.endsWith(QLatin1String(".csv")) || n.endsWith(QLatin1String(".tsv")) || n.endsWith(QLatin1String(".txt"))) &&
                fi.size() < 64 * 1024 * 1024) {
                ++files;
                addFile(fi.absoluteFilePath());
            }
        }
    }
}

bool MetadataIndex::addFile(const QString &path)
{
    const QString canon = QFileInfo(path).canonicalFilePath();
    if (canon.isEmpty() || m_seenFiles.contains(canon)) return false;
    m_seenFiles.insert(canon);
    const QStringList h = peekHeader(path);
    if (h.isEmpty()) return false;
    const auto has = [&](const char *c) { return h.contains(QLatin1String(c)); };
    try {
        if (has("Metadata_Source") && h.join(QLatin1Char(',')).contains(QLatin1String("Metadata_Channel_Num_"))) {
            ChannelMappingTable t;
            if (!t.load(path)) return false;
            if (m_channelMapping.isEmpty()) m_channelMapping = t;
            m_used << path;
            return true;
        }
        if (has("channel") && has("stain") && h.size() == 2) {
            ChannelMappingTable t;
            if (!t.load(path)) return false;
            m_channelMapping = t; // a folder-specific table beats the JUMP-wide one
            m_used << path;
            return true;
        }
        if (has("Assay_Plate_Barcode") && has("Plate_Map_Name")) {
            CsvTable t = CsvTable::fromFile(path);
            const int cb = t.column(str("Assay_Plate_Barcode")), cm = t.column(str("Plate_Map_Name"));
            const bool experiment = has("Cell_type") || has("Time") || has("Perturbation");
            while (t.next()) {
                const QString bc = t.field(cb), map = t.field(cm);
                if (bc.isEmpty()) continue;
                if (!map.isEmpty() && !m_barcodes[bc].contains(map)) m_barcodes[bc] << map;
                if (experiment) {
                    QMap<QString, QString> row;
                    for (int c = 0; c < t.header().size(); ++c) row.insert(t.header()[c], t.field(c));
                    m_experiment[bc] << row;
                }
            }
            m_used << path;
            return true;
        }
        if (has("well_position")) { // platemap: parsed when a plate needs it
            QString name = QFileInfo(path).completeBaseName();
            m_platemapFiles.insert(name, path);
            if (has("plate_map_name")) {
                CsvTable t = CsvTable::fromFile(path);
                const int c = t.column(str("plate_map_name"));
                if (t.next() && !t.field(c).isEmpty()) m_platemapFiles.insert(t.field(c), path);
            }
            return true;
        }
        if (has("broad_sample")) {
            CsvTable t = CsvTable::fromFile(path);
            const int cb = t.column(str("broad_sample"));
            while (t.next()) {
                const QString id = t.field(cb);
                if (isNA(id)) {
                    // JUMP-Target lists DMSO with broad_sample NA: keep it under its name
                    const int ci = t.column(str("pert_iname"));
                    if (ci < 0 || t.field(ci).isEmpty()) continue;
                }
                QMap<QString, QString> &fields = m_external[isNA(id) ? t.field(t.column(str("pert_iname"))) : id];
                for (int c = 0; c < t.header().size(); ++c) {
                    const QString v = t.field(c);
                    if (!isNA(v) && fields.value(t.header()[c]).isEmpty()) fields.insert(t.header()[c], v);
                }
            }
            m_used << path;
            return true;
        }
        if (has("Metadata_pert_iname") && has("Metadata_moa")) {
            CsvTable t = CsvTable::fromFile(path);
            const int ci = t.column(str("Metadata_pert_iname"));
            while (t.next()) {
                QMap<QString, QString> &f = m_moa[t.field(ci)];
                for (int c = 0; c < t.header().size(); ++c)
                    if (c != ci && !t.field(c).isEmpty()) f.insert(t.header()[c].mid(9), t.field(c));
            }
            m_used << path;
            return true;
        }
        if (has("Metadata_JCP2022") && has("Metadata_pert_type")) {
            CsvTable t = CsvTable::fromFile(path);
            const int cj = t.column(str("Metadata_JCP2022")), ct = t.column(str("Metadata_pert_type")), cn = t.column(str("Metadata_Name"));
            while (t.next()) m_jcpControls.insert(t.field(cj), {t.field(ct), t.field(cn)});
            m_used << path;
            return true;
        }
    } catch (const Error &) {
        return false;
    }
    return false;
}

const QVector<MetadataIndex::PlatemapRow> *MetadataIndex::platemap(const QString &name, ScreenBuilder &b)
{
    auto it = m_platemaps.constFind(name);
    if (it != m_platemaps.constEnd()) return &*it;
    const QString file = m_platemapFiles.value(name);
    if (file.isEmpty()) return nullptr;
    QVector<PlatemapRow> rows;
    try {
        CsvTable t = CsvTable::fromFile(file);
        const int cw = t.column(str("well_position"));
        while (t.next()) {
            PlatemapRow r;
            r.well = t.field(cw);
            for (int c = 0; c < t.header().size(); ++c)
                if (c != cw) r.fields.insert(t.header()[c], t.field(c));
            if (!r.well.isEmpty()) rows << r;
        }
        m_used << file;
    } catch (const Error &e) {
        b.problem(Problem::Severity::Error, file, -1, QStringLiteral("cannot read platemap: %1").arg(QString::fromStdString(e.message())),
                  QString::fromStdString(e.fix()));
    }
    return &*m_platemaps.insert(name, rows);
}

void classifyControl(WellMetadata &m, bool inPlatemap)
{
    const QString raw = m.controlTypeRaw.toLower();
    const QString pertType = m.extra.value(str("pert_type")).toLower();
    const QString id = isNA(m.perturbationId) ? QString() : m.perturbationId;
    if (raw.startsWith(QLatin1String("negcon")) || pertType == QLatin1String("negcon") ||
        m.perturbationName.compare(QLatin1String("DMSO"), Qt::CaseInsensitive) == 0 || id == QLatin1String("JCP2022_033924"))
        m.control = ControlType::NegativeControl;
    else if (raw.startsWith(QLatin1String("poscon")) || pertType == QLatin1String("poscon"))
        m.control = ControlType::PositiveControl;
    else if (pertType == QLatin1String("empty") || id == QLatin1String("JCP2022_999999"))
        m.control = ControlType::Empty;
    else if (id.isEmpty())
        // CPJUMP1: a plate-map well with no broad_sample holds the solvent only (DMSO)
        m.control = inPlatemap || m.extra.contains(str("broad_sample")) ? ControlType::NegativeControl : ControlType::Unknown;
    else
        m.control = ControlType::Treatment;
    if (m.control == ControlType::NegativeControl && m.perturbationName.isEmpty()) m.perturbationName = str("DMSO");
}

void MetadataIndex::join(ScreenBuilder &b)
{
    Screen &screen = b.screen();
    for (int pi = 0; pi < screen.plates.size(); ++pi) {
        Plate &plate = screen.plates[pi];
        // experiment metadata (cell line, time point)
        const auto exps = m_experiment.value(plate.barcode);
        if (!exps.isEmpty()) {
            QMap<QString, QString> row = exps.first();
            for (const auto &r : exps)
                if (r.value(str("Batch")) == plate.metadata.value(str("Batch"))) row = r;
            for (auto it = row.cbegin(); it != row.cend(); ++it)
                if (!plate.metadata.contains(it.key())) plate.metadata.insert(it.key(), it.value());
        }
        // channel numbers in the file names vs JUMP channel_mapping.csv for the plate's source: say when they disagree
        const QString source = plate.metadata.value(str("Source"));
        if (!source.isEmpty() && m_channelMapping.has(source) && !m_channelMapping.has(QString())) {
            const ChannelStains expected = m_channelMapping.forSource(source);
            QStringList clashes;
            for (const auto &w : plate.wells) {
                if (w.sites.isEmpty()) continue;
                for (const auto &c : w.sites.first().channels)
                    if (c.channelNumber >= 0 && expected.contains(c.channelNumber) && c.plane < 0 &&
                        cellPaintingStains().contains(c.stain) && expected.value(c.channelNumber) != c.stain)
                        clashes << QStringLiteral("%1 is ch%2 here, %3 in the table").arg(c.stain).arg(c.channelNumber).arg(expected.value(c.channelNumber));
                break;
            }
            if (!clashes.isEmpty())
                b.warning(m_channelMapping.path(),
                          QStringLiteral("plate %1 (source %2): channel order differs from channel_mapping.csv: %3; the load_data "
                                         "column names were used")
                              .arg(plate.barcode, source, clashes.join(QStringLiteral("; "))),
                          QStringLiteral("check the plate (re-imaged plates may change order); override with --channel-map if the "
                                         "CSV is wrong"));
        }
        // platemap name: barcode_platemap first, then the load_data Metadata_PlateMap value
        QString mapName;
        for (const auto &n : m_barcodes.value(plate.barcode))
            if (m_platemapFiles.contains(n)) {
                mapName = n;
                break;
            }
        if (mapName.isEmpty()) {
            const QString pm = plate.metadata.value(str("PlateMap"));
            for (const QString &cand : {pm, pm.section(QStringLiteral(" ("), 0, 0)})
                if (!cand.isEmpty() && m_platemapFiles.contains(cand)) {
                    mapName = cand;
                    break;
                }
        }
        if (mapName.isEmpty() && !m_barcodes.value(plate.barcode).isEmpty())
            b.warning(QString(), QStringLiteral("plate %1 uses plate map '%2' but no %2.txt was found")
                                     .arg(plate.barcode, m_barcodes.value(plate.barcode).first()),
                      QStringLiteral("add the platemap folder (metadata/platemaps/<batch>/platemap/) or pass it as a metadata folder"));
        QSet<QString> mapped;
        if (!mapName.isEmpty()) {
            plate.platemapName = mapName;
            const auto *rows = platemap(mapName, b);
            for (const auto &r : *rows) {
                bool created = false;
                Well *w = b.well(pi, r.well, m_platemapFiles.value(mapName), -1, &created);
                if (!w) continue;
                mapped.insert(w->name);
                WellMetadata &m = w->meta;
                for (auto it = r.fields.cbegin(); it != r.fields.cend(); ++it) m.extra.insert(it.key(), it.value());
                m.perturbationId = isNA(r.fields.value(str("broad_sample"))) ? QString() : r.fields.value(str("broad_sample"));
                m.extra.insert(str("broad_sample"), m.perturbationId);
                m.perturbationName.clear();
                m.controlTypeRaw.clear();
            }
        }
        const QString expType = plate.metadata.value(str("Perturbation"));
        const QString expCell = plate.metadata.value(str("Cell_type"));
        const QString expTime = plate.metadata.value(str("Time"));
        int unmapped = 0;
        for (auto &w : plate.wells) {
            WellMetadata &m = w.meta;
            const bool inMap = mapped.contains(w.name);
            if (!mapName.isEmpty() && !inMap) ++unmapped;
            const QString key = m.perturbationId.isEmpty() ? m.perturbationName : m.perturbationId;
            const auto ext = m_external.constFind(key);
            if (ext != m_external.constEnd()) {
                const auto &f = *ext;
                if (m.perturbationName.isEmpty()) m.perturbationName = f.value(str("pert_iname"), f.value(str("gene"), f.value(str("genes"))));
                if (m.controlTypeRaw.isEmpty()) m.controlTypeRaw = f.value(str("control_type"));
                for (auto it = f.cbegin(); it != f.cend(); ++it)
                    if (!m.extra.contains(it.key()) || m.extra.value(it.key()).isEmpty()) m.extra.insert(it.key(), it.value());
            }
            const QString jcp = m.extra.value(str("JCP2022"));
            if (!jcp.isEmpty() && m_jcpControls.contains(jcp)) {
                const auto &[type, name] = m_jcpControls.value(jcp);
                if (m.controlTypeRaw.isEmpty() && (type == QLatin1String("negcon") || type == QLatin1String("poscon"))) m.controlTypeRaw = type;
                if (type == QLatin1String("empty")) m.extra.insert(str("pert_type"), type);
                if (m.perturbationName.isEmpty()) m.perturbationName = name;
            }
            const auto moa = m_moa.constFind(m.perturbationName);
            if (moa != m_moa.constEnd())
                for (auto it = moa->cbegin(); it != moa->cend(); ++it)
                    if (!m.extra.contains(it.key())) m.extra.insert(it.key(), it.value());
            if (m.perturbationType.isEmpty()) m.perturbationType = expType;
            if (m.cellLine.isEmpty()) m.cellLine = expCell;
            if (m.timePoint.isEmpty()) m.timePoint = expTime;
            if (!mapName.isEmpty() && !inMap) {
                m.control = ControlType::Unknown;
                continue;
            }
            classifyControl(m, inMap);
        }
        if (unmapped > 0)
            b.warning(m_platemapFiles.value(mapName),
                      QStringLiteral("%1 imaged well(s) of plate %2 are not in plate map '%3'; their treatment is unknown")
                          .arg(unmapped).arg(plate.barcode, mapName),
                      QStringLiteral("check that the plate map matches the plate"));
    }
}

} // namespace cprecon
