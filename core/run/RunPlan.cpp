#include "run/RunPlan.h"

#include "run/WeightResolution.h"
#include "util/Error.h"

#include <QFileInfo>

#include <QSet>

#include <algorithm>
#include <map>
#include <tuple>
#include <set>

namespace cprecon::run {

namespace {

std::string u8(const QString &s) { return s.toStdString(); }

QString listOf(const QStringList &items, int max = 12)
{
    QString s = items.mid(0, max).join(QStringLiteral(", "));
    if (items.size() > max) s += QStringLiteral(", ... (%1 in all)").arg(items.size());
    return s;
}

// Every site of a Cell Painting dataset has the five stains the models and features need: checked here, before any work,
// rather than when the run reaches the site.
void requireStains(const Screen &screen, const Plate &plate, const Well &well)
{
    for (const Site &site : well.sites)
        for (const QString &stain : cellPaintingStains()) {
            if (site.channel(stain)) continue;
            QStringList have;
            for (const ChannelImage &c : site.channels) have << c.stain;
            throw Error("site " + u8(plate.barcode + QLatin1Char('/') + well.name + QLatin1Char('/') + QString::number(site.number)) +
                            " has no " + u8(stain) + " image (channels: " + u8(have.isEmpty() ? QStringLiteral("none") : have.join(QStringLiteral(", "))) + ")",
                        u8(screen.source),
                        "give the screen's load_data FileName_Orig" + u8(stain) + "/PathName_Orig" + u8(stain) +
                            " columns, or map a channel to " + u8(stain) + " with --channel-map");
        }
}

} // namespace

Shard Shard::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    bool okI = false, okN = false;
    Shard s;
    if (parts.size() == 2) {
        s.index = parts[0].toInt(&okI);
        s.count = parts[1].toInt(&okN);
    }
    if (!okI || !okN || s.count < 1 || s.index < 0 || s.index >= s.count)
        throw Error("--shard '" + u8(text) + "' is not I/N with 0 <= I < N", "", "e.g. --shard 0/4 ... --shard 3/4 for four parts");
    return s;
}

QString datasetValue(const Plate &plate, const Well &well, const QString &column)
{
    if (column == QLatin1String("Metadata_CellLine") || column == QLatin1String("Metadata_cell_line"))
        return well.meta.cellLine.isEmpty() ? plate.metadata.value(QStringLiteral("CellLine")) : well.meta.cellLine;
    if (column == QLatin1String("Metadata_TimepointHours") || column == QLatin1String("Metadata_Timepoint") ||
        column == QLatin1String("Metadata_timepoint"))
        return well.meta.timePoint.isEmpty() ? plate.metadata.value(QStringLiteral("TimepointHours")) : well.meta.timePoint;
    if (column == QLatin1String("Metadata_Plate")) return plate.barcode;
    if (column == QLatin1String("Metadata_Well")) return well.name;
    const QString bare = column.startsWith(QLatin1String("Metadata_")) ? column.mid(9) : column;
    for (const QString &k : {column, bare})
        if (well.meta.extra.contains(k)) return well.meta.extra.value(k);
    return plate.metadata.value(bare);
}

RunPlan planRun(const RunConfig &config, const std::vector<const Screen *> &screens)
{
    config.validate();
    if (screens.empty()) throw Error("the run names no screen", "", "give one with --screen PATH (or \"screens\" in the config)");
    RunPlan plan;
    const int perSide = config.crop > 0 ? config.crop / config.tileSize : 0;

    // A screen whose loading met errors (an unreadable load_data CSV, missing columns, rows skipped) would give numbers
    // of a different screen than the one on disk: refuse it, naming the first error's file and fix.
    for (const Screen *s : screens) {
        std::vector<const Problem *> errors;
        for (const Problem &p : s->problems)
            if (p.severity == Problem::Severity::Error) errors.push_back(&p);
        if (errors.empty()) continue;
        const Problem &first = *errors.front();
        const std::string more = errors.size() > 1 ? " and " + std::to_string(errors.size() - 1) + " more" : "";
        const std::string fix = first.fix.isEmpty() ? std::string("fix the file") : u8(first.fix);
        const QString file = first.file.isEmpty() ? s->source : first.file;
        throw Error("the screen " + u8(s->source) + " has " + std::to_string(errors.size()) + " loading error(s); the first: " +
                        u8(first.message),
                    u8(file), fix + "; every error" + more + ": cprecon-cli screen info " + u8(s->source), first.row);
    }

    // The subset: every plate and well asked for must exist.
    QStringList allPlates;
    for (const Screen *s : screens)
        for (const Plate &p : s->plates) allPlates << p.barcode;
    for (const QString &p : config.plates)
        if (!allPlates.contains(p))
            throw Error("run config: plate '" + u8(p) + "' is not in the screens", "", "use one of: " + u8(listOf(allPlates)));

    struct Picked {
        const Plate *plate;
        const Well *well;
    };
    std::vector<Picked> wells, naturalWells;
    QSet<QString> wellsSeen;
    for (const Screen *s : screens)
        for (const Plate &p : s->plates) {
            if (s->kind == ScreenKind::NaturalImages) {
                // A photo folder is a dataset of its own: the Cell Painting subset filters do not apply to it.
                for (const Well &w : p.wells)
                    if (!w.sites.isEmpty()) naturalWells.push_back({&p, &w});
                continue;
            }
            if (!config.plates.isEmpty() && !config.plates.contains(p.barcode)) continue;
            for (const Well &w : p.wells) {
                if (w.sites.isEmpty()) continue;
                wellsSeen.insert(w.name);
                if (!config.wells.isEmpty() && !config.wells.contains(w.name)) continue;
                if (!config.cellLines.isEmpty() && !config.cellLines.contains(datasetValue(p, w, QStringLiteral("Metadata_CellLine")))) continue;
                if (!config.timePoints.isEmpty() && !config.timePoints.contains(datasetValue(p, w, QStringLiteral("Metadata_TimepointHours")))) continue;
                requireStains(*s, p, w); // only the wells the run will read
                wells.push_back({&p, &w});
            }
        }
    for (const QString &w : config.wells)
        if (!wellsSeen.contains(w))
            throw Error("run config: well '" + u8(w) + "' has no images in the chosen plates", "", "check subset.wells");
    if (wells.empty() && naturalWells.empty())
        throw Error("the run's subset selects no site with images", "", "widen subset (plates, wells, cell_lines, time_points)");

    // The dataset columns this screen has: a column no well has is dropped from the defaults, an error otherwise.
    for (const QString &col : config.groupBy) {
        bool any = false;
        for (const Picked &p : wells) any |= !datasetValue(*p.plate, *p.well, col).isEmpty();
        if (any) {
            plan.groupBy << col;
        } else if (col == QLatin1String("Metadata_CellLine") || col == QLatin1String("Metadata_TimepointHours")) {
            plan.notes.push_back("no well has " + u8(col) + ": datasets are not split by it");
        } else {
            throw Error("run config: no well has the group_by column '" + u8(col) + "'", "",
                        "remove it from group_by or add it to the metadata");
        }
    }

    std::map<QStringList, Dataset> byKey;
    std::map<QStringList, std::vector<Picked>> wellsOf;
    for (const Picked &p : wells) {
        QStringList key;
        for (const QString &col : plan.groupBy) key << datasetValue(*p.plate, *p.well, col);
        Dataset &d = byKey[key];
        d.values = key;
        d.sites += int(p.well->sites.size());
        d.tiles += int(p.well->sites.size()) * perSide * perSide;
        d.negativeControlWells += p.well->meta.isNegativeControl() ? 1 : 0;
        plan.sites += int(p.well->sites.size());
        wellsOf[key].push_back(p);
    }
    plan.tilesPerSite = perSide * perSide;
    std::map<QString, Dataset> natural; // by label
    std::map<QString, std::vector<Picked>> naturalWellsOf;
    for (const Picked &p : naturalWells) {
        const QString label = QStringLiteral("natural: ") + p.plate->barcode;
        Dataset &d = natural[label];
        d.label = label;
        d.natural = true;
        d.values = QStringList{label};
        d.sites += int(p.well->sites.size());
        d.tiles += int(p.well->sites.size());
        plan.sites += int(p.well->sites.size());
        naturalWellsOf[label].push_back(p);
    }
    auto addWork = [&plan](const std::vector<Picked> &picked) {
        std::vector<Picked> sorted = picked;
        std::sort(sorted.begin(), sorted.end(), [](const Picked &a, const Picked &b) {
            return std::tie(a.plate->barcode, a.well->name) < std::tie(b.plate->barcode, b.well->name);
        });
        for (const Picked &p : sorted)
            for (const Site &s : p.well->sites) plan.work.push_back({p.plate, p.well, &s, int(plan.datasets.size()) - 1});
    };
    for (auto &[key, d] : byKey) {
        QStringList parts;
        for (int i = 0; i < plan.groupBy.size(); ++i) parts << plan.groupBy[i] + QLatin1Char('=') + key.value(i);
        d.label = parts.isEmpty() ? QStringLiteral("all wells") : parts.join(QStringLiteral(", "));
        plan.datasets.push_back(d);
        addWork(wellsOf[key]);
        if (d.negativeControlWells == 0)
            plan.warnings.push_back("dataset " + u8(d.label) + " has no negative-control wells: no fraction retrieved for it "
                                    "(metrics, KLD, FID and profiles are still computed)");
        if (d.tiles < 2048)
            plan.warnings.push_back("dataset " + u8(d.label) + " has " + std::to_string(d.tiles) +
                                    " tiles (< 2048): FID's covariance is rank deficient and FID biased upwards");
    }
    for (auto &[label, d] : natural) {
        plan.datasets.push_back(d);
        addWork(naturalWellsOf[label]);
        plan.notes.push_back("dataset " + u8(label) + " is natural images: metrics, KLD and FID only (no fraction retrieved)");
        if (d.tiles < 2048)
            plan.warnings.push_back("dataset " + u8(label) + " has " + std::to_string(d.tiles) +
                                    " images (< 2048): FID's covariance is rank deficient and FID biased upwards");
    }
    // The run order: plates, wells, sites of the screens' datasets, then the photo folders (shards split this list).
    std::stable_sort(plan.work.begin(), plan.work.end(), [&plan](const PlannedSite &a, const PlannedSite &b) {
        const bool na = plan.datasets[size_t(a.dataset)].natural, nb = plan.datasets[size_t(b.dataset)].natural;
        if (na != nb) return nb;
        return std::tie(a.plate->barcode, a.well->name, a.site->number) < std::tie(b.plate->barcode, b.well->name, b.site->number);
    });

    // Weights, before any work.
    for (const QString &m : config.models) resolveModelSpec(u8(m));
    for (const ExtractorChoice &e : config.extractors) resolveExtractorWeights(e);
    return plan;
}

} // namespace cprecon::run
