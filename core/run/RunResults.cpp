#include "run/RunResults.h"

#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <queue>
#include <tuple>

namespace cprecon::run {

QString RunResults::name() const { return QFileInfo(folder).fileName(); }

std::shared_ptr<const RunResults> loadRunResults(const QString &folder, const std::function<void(const std::string &)> &progress,
                                                 const std::atomic<bool> *cancel)
{
    const ResultsStore store = ResultsStore::open(folder);
    auto r = std::make_shared<RunResults>();
    r->folder = QDir(folder).absolutePath();
    r->config = store.config();
    r->configHash = store.meta("config_hash");
    r->infos = store.siteInfos();
    r->storedUnits = int(store.sites().size());
    const std::string planned = store.meta("planned_sites");
    r->plannedSites = planned.empty() ? 0 : std::stoi(planned);
    r->tables = analyseRun(store, progress, cancel);
    r->fr = frTable(r->tables);
    return r;
}

std::vector<RankedTile> worstTiles(const ResultsStore &store, const std::string &model, int repeat, const std::string &metric,
                                   const std::string &stain, int count)
{
    if (metric != "mae" && metric != "emd" && metric != "ssim")
        throw Error("unknown tile metric '" + metric + "'", store.folder().toStdString(), "use mae, emd or ssim");
    const bool lowIsWorse = metric == "ssim";
    // badness: larger = worse; ties broken by (site key, row, col, stain) ascending.
    auto badness = [&](const RankedTile &t) { return lowIsWorse ? -t.value : t.value; };
    auto worse = [&](const RankedTile &a, const RankedTile &b) { // a ranks before b
        if (badness(a) != badness(b)) return badness(a) > badness(b);
        return std::tie(a.key, a.tileRow, a.tileCol, a.stain) < std::tie(b.key, b.tileRow, b.tileCol, b.stain);
    };
    // A max-heap on "ranks before": its top is the best-ranked of the worst kept, the first to drop.
    std::priority_queue<RankedTile, std::vector<RankedTile>, decltype(worse)> heap(worse);
    if (count <= 0) return {};
    store.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &r) {
        if (k.model != model || k.repeat != repeat || (!stain.empty() && r.stain != stain)) return;
        RankedTile t{k, r.tileRow, r.tileCol, r.stain, r.mae, r.ssim, r.emd, metric == "mae" ? r.mae : metric == "emd" ? r.emd : r.ssim};
        if (int(heap.size()) < count) heap.push(std::move(t));
        else if (worse(t, heap.top())) {
            heap.pop();
            heap.push(std::move(t));
        }
    });
    std::vector<RankedTile> out;
    while (!heap.empty()) {
        out.push_back(heap.top());
        heap.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
}

} // namespace cprecon::run
