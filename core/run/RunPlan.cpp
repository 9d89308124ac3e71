#include "run/RunPlan.h"

#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"
#include "models/ModelPool.h"
#include "util/Error.h"

#include <QFileInfo>

#include <QSet>

#include <map>
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

// Weights a model or extractor needs: an explicit path must exist; a registry name must be found on disk.
void requireWeights(const std::string &what, const std::string &spec)
{
    if (spec.rfind("sd-vae:", 0) == 0) {
        ModelPool::identity(spec, {}); // throws naming the missing file
        return;
    }
    const models::ModelRegistry registry = models::ModelRegistry::standard();
    const models::KnownModel *known = registry.find(QString::fromStdString(spec));
    if (!known) return; // a baseline spec (bicubic8, jpeg:<q>, pca...): the factory checks its syntax
    if (known->isBaseline()) return;
    const models::ModelStatus st = models::WeightDiscovery(models::DiscoveryConfig::fromEnvironment()).status(*known);
    if (!st.isUsable())
        throw Error(what + " '" + spec + "' needs weights that are not on this machine (" + u8(st.detail) + ")", "",
                    "download them (Tools > Models, or cprecon-cli models download " + spec + ") or give a path");
}

} // namespace

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
    std::vector<Picked> wells;
    QSet<QString> wellsSeen;
    for (const Screen *s : screens)
        for (const Plate &p : s->plates) {
            if (!config.plates.isEmpty() && !config.plates.contains(p.barcode)) continue;
            for (const Well &w : p.wells) {
                if (w.sites.isEmpty()) continue;
                wellsSeen.insert(w.name);
                if (!config.wells.isEmpty() && !config.wells.contains(w.name)) continue;
                if (!config.cellLines.isEmpty() && !config.cellLines.contains(datasetValue(p, w, QStringLiteral("Metadata_CellLine")))) continue;
                if (!config.timePoints.isEmpty() && !config.timePoints.contains(datasetValue(p, w, QStringLiteral("Metadata_TimepointHours")))) continue;
                wells.push_back({&p, &w});
            }
        }
    for (const QString &w : config.wells)
        if (!wellsSeen.contains(w))
            throw Error("run config: well '" + u8(w) + "' has no images in the chosen plates", "", "check subset.wells");
    if (wells.empty()) throw Error("the run's subset selects no site with images", "", "widen subset (plates, wells, cell_lines, time_points)");

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
    for (const Picked &p : wells) {
        QStringList key;
        for (const QString &col : plan.groupBy) key << datasetValue(*p.plate, *p.well, col);
        Dataset &d = byKey[key];
        d.values = key;
        d.sites += int(p.well->sites.size());
        d.tiles += int(p.well->sites.size()) * perSide * perSide;
        d.negativeControlWells += p.well->meta.isNegativeControl() ? 1 : 0;
        plan.sites += int(p.well->sites.size());
    }
    plan.tilesPerSite = perSide * perSide;
    for (auto &[key, d] : byKey) {
        QStringList parts;
        for (int i = 0; i < plan.groupBy.size(); ++i) parts << plan.groupBy[i] + QLatin1Char('=') + key.value(i);
        d.label = parts.isEmpty() ? QStringLiteral("all wells") : parts.join(QStringLiteral(", "));
        if (d.negativeControlWells == 0)
            plan.warnings.push_back("dataset " + u8(d.label) + " has no negative-control wells: no fraction retrieved for it "
                                    "(metrics, KLD, FID and profiles are still computed)");
        if (d.tiles < 2048)
            plan.warnings.push_back("dataset " + u8(d.label) + " has " + std::to_string(d.tiles) +
                                    " tiles (< 2048): FID's covariance is rank deficient and FID biased upwards");
        plan.datasets.push_back(d);
    }

    // Weights, before any work.
    for (const QString &m : config.models) requireWeights("model", u8(m));
    for (const ExtractorChoice &e : config.extractors) {
        if (e.name == "handcrafted") continue;
        if (!e.weights.empty()) {
            if (!QFileInfo::exists(QString::fromStdString(e.weights)))
                throw Error("extractor " + e.name + ": weights file does not exist", e.weights, "check the path");
        } else {
            requireWeights("extractor " + e.name + ": catalog entry", catalogNameOf(e.name));
        }
    }
    return plan;
}

} // namespace cprecon::run
