#include "screen/ScreenBuilder.h"

#include <algorithm>

namespace cprecon {

static constexpr int kProblemsPerCategory = 25;

bool formatFor(int maxRow, int maxColumn, PlateFormat &format)
{
    for (PlateFormat f : {PlateFormat::Wells96, PlateFormat::Wells384, PlateFormat::Wells1536})
        if (maxRow < plateRows(f) && maxColumn < plateColumns(f)) {
            format = f;
            return true;
        }
    return false;
}

void ScreenBuilder::problem(Problem::Severity sev, const QString &file, long row, const QString &message,
                            const QString &fix, const QString &category)
{
    if (!category.isEmpty()) {
        const int n = ++m_problemCounts[file + QLatin1Char('\n') + category];
        if (n > kProblemsPerCategory) return; // summarised in finish()
    }
    Problem p;
    p.severity = sev;
    p.file = file;
    p.row = row;
    p.message = message;
    p.fix = fix;
    m_screen.problems.append(p);
}

int ScreenBuilder::plateIndex(const QString &barcode, bool synthetic)
{
    const auto it = m_plates.constFind(barcode);
    if (it != m_plates.constEnd()) return *it;
    Plate p;
    p.barcode = barcode;
    p.synthetic = synthetic;
    m_screen.plates.append(p);
    m_wells.append(QHash<QString, int>());
    return m_plates[barcode] = int(m_screen.plates.size() - 1);
}

Well *ScreenBuilder::findWell(int plate, const QString &name)
{
    int r = 0, c = 0;
    if (!parseWellName(name, r, c)) return nullptr;
    const auto it = m_wells[plate].constFind(wellName(r, c));
    return it == m_wells[plate].constEnd() ? nullptr : &m_screen.plates[plate].wells[*it];
}

Well *ScreenBuilder::well(int plate, const QString &name, const QString &file, long row, bool *created)
{
    if (created) *created = false;
    int r = 0, c = 0;
    if (!parseWellName(name, r, c)) {
        problem(Problem::Severity::Error, file, row,
                QStringLiteral("malformed well name '%1' (plate %2); row skipped").arg(name, m_screen.plates[plate].barcode),
                QStringLiteral("wells are written like A01 or P24"), QStringLiteral("bad well"));
        return nullptr;
    }
    PlateFormat f;
    if (!formatFor(r, c, f)) {
        problem(Problem::Severity::Error, file, row,
                QStringLiteral("well '%1' of plate %2 is outside every plate format (96/384/1536 wells); row skipped")
                    .arg(name, m_screen.plates[plate].barcode),
                QStringLiteral("correct the well name (rows A-AF, columns 1-48 at most)"), QStringLiteral("well outside format"));
        return nullptr;
    }
    const QString canonical = wellName(r, c);
    auto &index = m_wells[plate];
    const auto it = index.constFind(canonical);
    if (it != index.constEnd()) return &m_screen.plates[plate].wells[*it];
    Well w;
    w.name = canonical;
    w.row = r;
    w.column = c;
    m_screen.plates[plate].wells.append(w);
    index.insert(canonical, int(m_screen.plates[plate].wells.size() - 1));
    if (created) *created = true;
    return &m_screen.plates[plate].wells.last();
}

void ScreenBuilder::addSite(int plate, Well &well, SiteInput in, const QString &source, long row)
{
    const QString key = m_screen.plates[plate].barcode + QLatin1Char('\n') + well.name + QLatin1Char('\n') + QString::number(in.number);
    auto it = m_sites.find(key);
    if (it != m_sites.end()) {
        if (it->source == source) {
            problem(Problem::Severity::Error, source, row,
                    QStringLiteral("duplicate site: plate %1, well %2, site %3 already given on row %4; this row is ignored")
                        .arg(m_screen.plates[plate].barcode, well.name).arg(in.number).arg(it->row),
                    QStringLiteral("remove the duplicate row (each (plate, well, site) must appear once)"),
                    QStringLiteral("duplicate site"));
            return;
        }
        const int missing = int(in.missing.size());
        if (missing < it->missing) { // the new copy has more files on disk: it replaces the old one
            ++m_crossDuplicates[source + QLatin1Char('\n') + it->source];
            for (auto &s : well.sites)
                if (s.number == in.number) {
                    s.channels = in.channels;
                    break;
                }
            *it = SiteSlot{source, row, missing, in.missing, in.notes};
        } else {
            ++m_crossDuplicates[it->source + QLatin1Char('\n') + source];
        }
        return;
    }
    Site s;
    s.number = in.number;
    s.plate = m_screen.plates[plate].barcode;
    s.well = well.name;
    s.channels = std::move(in.channels);
    well.sites.append(std::move(s));
    m_sites.insert(key, SiteSlot{source, row, int(in.missing.size()), std::move(in.missing), std::move(in.notes)});
    m_siteOrder.append(key);
}

void ScreenBuilder::finish()
{
    // spelled-out problems first (in file/row order), then the ones the loaders only counted
    for (const QString &key : m_siteOrder) {
        const SiteSlot &slot = m_sites[key];
        for (const Problem &p : slot.pending)
            if (!p.message.isEmpty()) problem(p.severity, p.file, p.row, p.message, p.fix, QStringLiteral("missing image"));
        for (const Problem &p : slot.notes) problem(p.severity, p.file, p.row, p.message, p.fix, p.message.section(QLatin1Char(':'), 0, 0));
    }
    for (const QString &key : m_siteOrder)
        for (const Problem &p : m_sites[key].pending)
            if (p.message.isEmpty()) ++m_problemCounts[p.file + QStringLiteral("\nmissing image")];
    for (auto it = m_crossDuplicates.cbegin(); it != m_crossDuplicates.cend(); ++it) {
        const QStringList kd = it.key().split(QLatin1Char('\n'));
        warning(kd[1],
                QStringLiteral("%1 site(s) here are also described by %2; kept that copy (it has at least as many image files present)")
                    .arg(it.value()).arg(kd[0]),
                QStringLiteral("open only one of the two files, or remove the stale one"));
    }
    for (auto it = m_problemCounts.cbegin(); it != m_problemCounts.cend(); ++it)
        if (it.value() > kProblemsPerCategory) {
            const QStringList fc = it.key().split(QLatin1Char('\n'));
            problem(Problem::Severity::Error, fc[0], -1,
                    QStringLiteral("... and %1 more '%2' problems in this file (not listed one by one)")
                        .arg(it.value() - kProblemsPerCategory).arg(fc[1]),
                    {});
        }
    for (auto &p : m_screen.plates) {
        int maxR = 0, maxC = 0;
        for (const auto &w : p.wells) {
            maxR = std::max(maxR, w.row);
            maxC = std::max(maxC, w.column);
        }
        formatFor(maxR, maxC, p.format);
        std::sort(p.wells.begin(), p.wells.end(),
                  [](const Well &a, const Well &b) { return a.row != b.row ? a.row < b.row : a.column < b.column; });
        for (auto &w : p.wells)
            std::sort(w.sites.begin(), w.sites.end(), [](const Site &a, const Site &b) { return a.number < b.number; });
    }
    m_wells.clear(); // indexes are stale after sorting
    m_plates.clear();
    m_sites.clear();
    m_siteOrder.clear();
}

} // namespace cprecon
