#include "RunFigures.h"

#include "render/Colormaps.h"
#include "render/ImageRendering.h"
#include "run/RunReport.h"
#include "util/Csv.h"

#include "QCustomPlotInclude.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace cprecon::plots {

namespace {

using run::RunResults;
using run::reportNumber;

QString q(const std::string &s) { return QString::fromStdString(s); }
std::string num(double v) { return reportNumber(v); }
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Okabe-Ito: colour-blind safe, for models and categories (stains keep their own colours).
QColor paletteColor(int i)
{
    static const QColor c[] = {QColor(0, 114, 178), QColor(213, 94, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                               QColor(230, 159, 0), QColor(86, 180, 233), QColor(240, 228, 66), QColor(0, 0, 0)};
    return c[i % 8];
}

// Models of a box plot share the stain's colour and differ by fill.
QBrush modelBrush(const QColor &color, int model)
{
    static const Qt::BrushStyle styles[] = {Qt::SolidPattern, Qt::BDiagPattern, Qt::DiagCrossPattern, Qt::Dense5Pattern, Qt::FDiagPattern};
    QColor c = color;
    if (model == 0) c.setAlpha(150);
    return QBrush(c, styles[model % 5]);
}

QCPColorGradient viridis()
{
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i <= 16; ++i) g.setColorStopAt(i / 16.0, colormapColor(Colormap::SequentialViridis, i / 16.0));
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(QColor(225, 225, 225));
    return g;
}

QCPColorGradient rdbu()
{
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i <= 16; ++i) g.setColorStopAt(i / 16.0, colormapColor(Colormap::DivergingRdBu, i / 16.0));
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(QColor(225, 225, 225));
    return g;
}

QFont font(int pt, bool bold = false)
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSize(pt);
    f.setBold(bold);
    return f;
}

// A figure's frame: the title on top, a grid of axis rects, the legend and a footnote below.
struct Frame {
    QCustomPlot &plot;
    QCPLayoutGrid *grid = nullptr;
    QCPLegend *legend = nullptr;
    QCPTextElement *note = nullptr;
    QCPMarginGroup *margins = nullptr;

    Frame(QCustomPlot &p, const QString &title) : plot(p)
    {
        plot.clearItems();
        plot.clearPlottables();
        plot.plotLayout()->clear(); // also deletes the default legend and axis rect
        plot.legend = nullptr;
        plot.setAutoAddPlottableToLegend(false);
        plot.setBackground(Qt::white);
        auto *t = new QCPTextElement(&plot, title, font(11, true));
        plot.plotLayout()->addElement(0, 0, t);
        grid = new QCPLayoutGrid;
        plot.plotLayout()->addElement(1, 0, grid);
        plot.plotLayout()->setRowStretchFactor(0, 0.01);
        margins = new QCPMarginGroup(&plot);
    }
    QCPAxisRect *rect(int row, int col, const QString &title = {})
    {
        auto *r = new QCPAxisRect(&plot);
        r->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
        for (QCPAxis *a : r->axes()) {
            a->setTickLabelFont(font(8));
            a->setLabelFont(font(9));
        }
        if (!title.isEmpty()) {
            auto *host = new QCPLayoutGrid;
            host->addElement(0, 0, new QCPTextElement(&plot, title, font(9, true)));
            host->addElement(1, 0, r);
            host->setRowStretchFactor(0, 0.01);
            grid->addElement(row, col, host);
        } else {
            grid->addElement(row, col, r);
        }
        return r;
    }
    void addLegend()
    {
        legend = new QCPLegend;
        legend->setFont(font(8));
        legend->setBorderPen(Qt::NoPen);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        legend->setWrap(4);
        plot.plotLayout()->addElement(plot.plotLayout()->rowCount(), 0, legend);
        plot.plotLayout()->setRowStretchFactor(plot.plotLayout()->rowCount() - 1, 0.01);
        legend->setLayer(QStringLiteral("legend"));
        legend->setVisible(true);
    }
    void footnote(const QString &text)
    {
        note = new QCPTextElement(&plot, text, font(7));
        note->setTextColor(QColor(90, 90, 90));
        plot.plotLayout()->addElement(plot.plotLayout()->rowCount(), 0, note);
        plot.plotLayout()->setRowStretchFactor(plot.plotLayout()->rowCount() - 1, 0.01);
    }
    void finish() { plot.replot(QCustomPlot::rpQueuedReplot); }
};

DrawnFigure drawn(const QString &title, std::string csv, QSizeF sizePt = {540, 360})
{
    DrawnFigure d;
    d.title = title;
    d.csv = std::move(csv);
    d.sizePt = sizePt;
    return d;
}

// A dashed reference line through two points of an axis rect (a threshold, the diagonal), clipped to it.
void referenceLine(QCustomPlot &plot, QCPAxisRect *rect, QPointF a, QPointF b, const QColor &color)
{
    auto *line = new QCPItemStraightLine(&plot);
    line->setClipAxisRect(rect);
    for (QCPItemPosition *p : {line->point1, line->point2}) p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    line->point1->setCoords(a);
    line->point2->setCoords(b);
    line->setPen(QPen(color, 1, Qt::DashLine));
}

DrawnFigure emptyFigure(QCustomPlot &plot, const QString &title, const QString &reason, const std::string &header)
{
    Frame f(plot, title);
    auto *t = new QCPTextElement(&plot, reason, font(10));
    t->setTextColor(QColor(110, 110, 110));
    f.grid->addElement(0, 0, t);
    f.finish();
    DrawnFigure d;
    d.title = title;
    d.csv = header;
    d.empty = true;
    d.emptyReason = reason;
    return d;
}

void categoryAxis(QCPAxis *axis, const std::vector<QString> &labels)
{
    QSharedPointer<QCPAxisTickerText> t(new QCPAxisTickerText);
    for (size_t i = 0; i < labels.size(); ++i) t->addTick(double(i), labels[i]);
    axis->setTicker(t);
    axis->setSubTicks(false);
    axis->setTickLength(0, 3);
    axis->setRange(-0.6, double(labels.size()) - 0.4);
    axis->grid()->setVisible(false);
}

// Stains in the pipeline's order (DNA, ER, RNA, AGP, Mito; photos R, G, B), others after them by name.
int stainRank(const QString &s)
{
    static const QStringList order{QStringLiteral("DNA"), QStringLiteral("ER"), QStringLiteral("RNA"), QStringLiteral("AGP"),
                                   QStringLiteral("Mito"), QStringLiteral("R"), QStringLiteral("G"), QStringLiteral("B")};
    const int i = int(order.indexOf(s));
    return i < 0 ? int(order.size()) : i;
}

QString modelLabel(const std::string &model) { return q(model.empty() ? "original" : model); }

QString datasetTitle(const std::string &d) { return q(run::shortDatasetLabel(d)); }

std::vector<std::string> modelsOf(const RunResults &r)
{
    std::vector<std::string> out;
    for (const QString &m : r.config.models) out.push_back(m.toStdString());
    return out;
}

const run::ActivityTable *activityTable(const RunResults &r, const std::string &extractor, const std::string &aggregation,
                                        const std::string &data, int repeat)
{
    for (const run::ActivityTable &a : r.tables.activity)
        if (a.extractor == extractor && a.aggregation == aggregation && a.data == data && a.repeat == repeat) return &a;
    return nullptr;
}

double minusLog10(double p) { return -std::log10(std::max(p, 1e-300)); }

// (group values, perturbation) -> activity of one table.
std::map<std::pair<std::vector<std::string>, std::string>, const profiles::PerturbationActivity *> byPerturbation(const profiles::ActivityResult &a)
{
    std::map<std::pair<std::vector<std::string>, std::string>, const profiles::PerturbationActivity *> out;
    for (const profiles::PerturbationActivity &p : a.perturbations) {
        const std::vector<std::string> values = p.group < a.groups.size() ? a.groups[p.group].values : std::vector<std::string>{};
        out[{values, p.perturbation}] = &p;
    }
    return out;
}

std::string groupTitle(const profiles::ActivityResult &a, size_t g)
{
    if (g >= a.groups.size()) return {};
    std::string s;
    for (const std::string &v : a.groups[g].values) s += (s.empty() ? "" : ", ") + v;
    return s;
}

} // namespace

QString ActivityChoice::label() const
{
    return q(model) + QStringLiteral(" · ") + q(extractor) + QStringLiteral(" · ") + q(aggregation) +
           (repeat ? QStringLiteral(" · repeat %1").arg(repeat) : QString());
}

QString HeatmapChoice::label() const
{
    if (metric == "delta_map") return QStringLiteral("Δ mAP (reconstruction − original), ") + q(activity.extractor) + QStringLiteral(" ") + q(activity.aggregation);
    const QString m = metric == "kld" ? QStringLiteral("KLD") : metric == "ssim" ? QStringLiteral("SSIM") : q(metric).toUpper();
    const QString k = key.empty() ? (metric == "kld" ? QStringLiteral("both triplets") : QStringLiteral("mean of stains"))
                                  : (metric == "kld" ? QStringLiteral("triplet ") + q(key) : q(key));
    return m + QStringLiteral(" (") + k + QStringLiteral(")");
}

std::string wellName(int row, int column)
{
    if (row < 1 || column < 1) return {};
    std::string r;
    int n = row;
    if (n > 26) {
        r += char('A' + (n - 1) / 26 - 1);
        n = (n - 1) % 26 + 1;
    }
    r += char('A' + n - 1);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", column);
    return r + buf;
}

namespace {
// "B07" -> (2, 7); "AA01" -> (27, 1); (0, 0) when not a well name.
std::pair<int, int> wellPosition(const std::string &well)
{
    size_t i = 0;
    int row = 0;
    while (i < well.size() && std::isalpha(static_cast<unsigned char>(well[i]))) {
        row = row * 26 + (std::toupper(static_cast<unsigned char>(well[i])) - 'A' + 1);
        ++i;
    }
    if (i == 0 || i == well.size()) return {0, 0};
    int col = 0;
    for (; i < well.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(well[i]))) return {0, 0};
        col = col * 10 + (well[i] - '0');
    }
    return {row, col};
}
} // namespace

// ---------------------------------------------------------------------------------------------------------------
DrawnFigure drawBoxPlot(QCustomPlot &plot, const RunResults &r, const std::string &metric, PlotTargets *targets)
{
    const std::string quantity = run::boxQuantity(metric, r.config.protocol);
    const QString title = q(quantity) + QStringLiteral(" per tile — ") + r.name() +
                          (r.tables.repeats > 1 ? QStringLiteral(" (repeat 0 of %1)").arg(r.tables.repeats) : QString());
    const std::string csv = run::boxCsv(r.tables, r.infos, metric, r.config.protocol, 0);
    std::vector<const run::BoxRow *> rows;
    for (const run::BoxRow &b : r.tables.boxes)
        if (b.metric == metric && b.repeat == 0) rows.push_back(&b);
    if (rows.empty()) return emptyFigure(plot, title, QStringLiteral("No tiles reconstructed yet."), csv);

    std::vector<std::string> datasets, models;
    for (const run::BoxRow *b : rows) {
        if (std::find(datasets.begin(), datasets.end(), b->dataset) == datasets.end()) datasets.push_back(b->dataset);
        if (std::find(models.begin(), models.end(), b->model) == models.end()) models.push_back(b->model);
    }
    Frame f(plot, title);
    const int perRow = std::min<int>(3, int(datasets.size()));
    const int M = int(models.size());
    const double slot = 0.8 / M;
    QCPAxisRect *first = nullptr;
    for (size_t d = 0; d < datasets.size(); ++d) {
        QCPAxisRect *rect = f.rect(int(d) / perRow, int(d) % perRow, datasetTitle(datasets[d]));
        if (!first) first = rect;
        std::vector<QString> stains;
        for (const run::BoxRow *b : rows)
            if (b->dataset == datasets[d] && std::find(stains.begin(), stains.end(), q(b->stain)) == stains.end()) stains.push_back(q(b->stain));
        std::stable_sort(stains.begin(), stains.end(), [](const QString &a, const QString &b) {
            return stainRank(a) != stainRank(b) ? stainRank(a) < stainRank(b) : a < b;
        });
        double lo = std::numeric_limits<double>::max(), hi = -lo;
        for (const run::BoxRow *b : rows) {
            if (b->dataset != datasets[d]) continue;
            const int s = int(std::find(stains.begin(), stains.end(), q(b->stain)) - stains.begin());
            const int m = int(std::find(models.begin(), models.end(), b->model) - models.begin());
            const double key = s + (m - (M - 1) / 2.0) * slot;
            auto *box = new QCPStatisticalBox(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            const run::BoxStatistics &st = b->box;
            box->addData(key, st.whiskerLow, st.q1, st.median, st.q3, st.whiskerHigh, QVector<double>(st.outliers.begin(), st.outliers.end()));
            const QColor c = stainColor(q(b->stain));
            box->setBrush(modelBrush(c, m));
            box->setPen(QPen(c.darker(170), 1));
            box->setWhiskerPen(QPen(c.darker(170), 1, Qt::SolidLine));
            box->setMedianPen(QPen(Qt::black, 2));
            box->setWidth(slot * 0.85);
            box->setOutlierStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c.darker(150), 3));
            lo = std::min({lo, st.whiskerLow, st.outliers.empty() ? st.whiskerLow : st.outliers.front()});
            hi = std::max({hi, st.whiskerHigh, st.outliers.empty() ? st.whiskerHigh : st.outliers.back()});
            if (targets)
                targets->push_back({rect, key, st.median,
                                    QStringLiteral("%1 · %2 · %3\nn = %4 tiles\nmedian %5, IQR %6–%7\nwhiskers %8–%9, mean %10, %11 outliers")
                                        .arg(modelLabel(b->model), datasetTitle(b->dataset), q(b->stain))
                                        .arg(st.n)
                                        .arg(st.median, 0, 'g', 4)
                                        .arg(st.q1, 0, 'g', 4)
                                        .arg(st.q3, 0, 'g', 4)
                                        .arg(st.whiskerLow, 0, 'g', 4)
                                        .arg(st.whiskerHigh, 0, 'g', 4)
                                        .arg(st.mean, 0, 'g', 4)
                                        .arg(st.outliers.size()),
                                    {{QStringLiteral("model"), modelLabel(b->model)}, {QStringLiteral("stain"), q(b->stain)}}});
        }
        categoryAxis(rect->axis(QCPAxis::atBottom), stains);
        const double pad = std::max(1e-6, (hi - lo) * 0.06);
        rect->axis(QCPAxis::atLeft)->setRange(std::max(0.0, lo - pad), hi + pad);
        if (d % perRow == 0) rect->axis(QCPAxis::atLeft)->setLabel(q(quantity));
    }
    f.addLegend();
    for (int m = 0; m < M; ++m) {
        // A legend entry per model: its fill on a neutral colour (the boxes take the stain's colour).
        auto *swatch = new QCPBars(first->axis(QCPAxis::atBottom), first->axis(QCPAxis::atLeft));
        swatch->setName(modelLabel(models[size_t(m)]));
        swatch->setBrush(modelBrush(QColor(90, 90, 90), m));
        swatch->setPen(QPen(QColor(60, 60, 60)));
        swatch->addToLegend(f.legend);
    }
    f.footnote(QStringLiteral("Boxes: quartiles (linear interpolation); whiskers: most extreme tile within 1.5 IQR; points: outliers. "
                              "Metrics on the [0, 1] scale, the model's float output. ") +
               (metric == "ssim" && r.config.protocol == Protocol::Paper ? QStringLiteral("Paper protocol: 1 − SSIM, as the paper plots it.") : QString()));
    f.finish();
    return drawn(title, std::move(csv), QSizeF(std::max(540.0, 230.0 * perRow), 330.0 * ((int(datasets.size()) + perRow - 1) / perRow) + 60));
}

// ---------------------------------------------------------------------------------------------------------------
namespace {

struct BarGroup {
    std::string model;
    std::vector<double> mean, sd;     // per category
    std::vector<bool> warn;           // per category
};

// Grouped bars with error bars over categorical x; returns the rect.
QCPAxisRect *groupedBars(Frame &f, const std::vector<QString> &categories, const std::vector<BarGroup> &groups, const QString &yLabel,
                         PlotTargets *targets, const std::function<QString(size_t g, size_t c)> &tooltip)
{
    QCPAxisRect *rect = f.rect(0, 0);
    QCPAxis *x = rect->axis(QCPAxis::atBottom), *y = rect->axis(QCPAxis::atLeft);
    f.addLegend();
    double hi = 0;
    const double width = 0.8 / double(std::max<size_t>(1, groups.size()));
    for (size_t g = 0; g < groups.size(); ++g) {
        auto *bars = new QCPBars(x, y);
        bars->setName(modelLabel(groups[g].model));
        const QColor c = paletteColor(int(g));
        bars->setBrush(QColor(c.red(), c.green(), c.blue(), 200));
        bars->setPen(QPen(c.darker(140)));
        bars->setWidth(width * 0.9);
        // Side by side by hand (not QCPBarsGroup, whose offsets are in pixels): the key is the bar's centre, so
        // markers and hover targets sit on their bar in every export size.
        const double offset = (double(g) - (double(groups.size()) - 1) / 2.0) * width;
        QVector<double> keys, values, errors;
        std::vector<size_t> category;
        for (size_t i = 0; i < categories.size(); ++i) {
            if (std::isnan(groups[g].mean[i])) continue;
            keys << double(i) + offset;
            values << groups[g].mean[i];
            errors << groups[g].sd[i];
            category.push_back(i);
            hi = std::max(hi, groups[g].mean[i] + groups[g].sd[i]);
        }
        bars->setData(keys, values, true);
        auto *err = new QCPErrorBars(x, y);
        err->setDataPlottable(bars);
        err->setData(errors);
        err->setPen(QPen(Qt::black, 1));
        bars->addToLegend(f.legend);
        for (int k = 0; k < keys.size(); ++k) {
            const size_t i = category[size_t(k)];
            if (groups[g].warn[i]) {
                auto *mark = new QCPItemText(&f.plot);
                mark->setClipToAxisRect(false);
                mark->position->setAxes(x, y);
                mark->position->setCoords(keys[k], values[k] + errors[k]);
                mark->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
                mark->setText(QStringLiteral("†"));
                mark->setFont(font(9, true));
                mark->setColor(QColor(170, 0, 0));
            }
            if (targets) targets->push_back({rect, keys[k], values[k], tooltip(g, i), {}});
        }
    }
    categoryAxis(x, categories);
    y->setRange(0, hi > 0 ? hi * 1.12 : 1);
    y->setLabel(yLabel);
    return rect;
}

} // namespace

DrawnFigure drawFidBars(QCustomPlot &plot, const RunResults &r, const std::string &extractor, PlotTargets *targets)
{
    const QString title = QStringLiteral("FID (") + q(extractor) + QStringLiteral(" features) per dataset and triplet — ") + r.name();
    const std::string header = "model,dataset,triplet,extractor,fid_mean,fid_sd,n_repeats,n_original,n_reconstruction,warning\n";
    // (model, dataset, triplet) -> FIDs over repeats
    struct Cell {
        std::vector<double> values;
        int64_t nOriginal = 0, nReconstruction = 0;
        bool warn = false;
    };
    std::vector<std::pair<std::string, std::string>> categories; // (dataset, triplet)
    std::vector<std::string> models;
    std::map<std::tuple<std::string, std::string, std::string>, Cell> cells;
    for (const run::FidRow &row : r.tables.fid) {
        if (row.extractor != extractor) continue;
        const auto cat = std::make_pair(row.dataset, row.triplet);
        if (std::find(categories.begin(), categories.end(), cat) == categories.end()) categories.push_back(cat);
        if (std::find(models.begin(), models.end(), row.model) == models.end()) models.push_back(row.model);
        Cell &c = cells[{row.model, row.dataset, row.triplet}];
        if (!std::isnan(row.fid)) c.values.push_back(row.fid);
        c.nOriginal = row.nOriginal;
        c.nReconstruction = row.nReconstruction;
        c.warn |= row.rankWarning || row.nOriginal < 2048 || row.nReconstruction < 2048;
    }
    if (cells.empty()) return emptyFigure(plot, title, QStringLiteral("No FID for this extractor yet."), header);
    std::sort(categories.begin(), categories.end());
    std::string csv = header;
    std::vector<BarGroup> groups;
    std::vector<QString> labels;
    for (const auto &[d, t] : categories) labels.push_back(datasetTitle(d) + QStringLiteral(" · ") + q(t));
    bool anyWarn = false;
    for (const std::string &m : models) {
        BarGroup g{m, std::vector<double>(categories.size(), kNaN), std::vector<double>(categories.size(), 0), std::vector<bool>(categories.size(), false)};
        for (size_t i = 0; i < categories.size(); ++i) {
            const auto it = cells.find({m, categories[i].first, categories[i].second});
            if (it == cells.end() || it->second.values.empty()) continue;
            const Cell &c = it->second;
            double s = 0;
            for (double v : c.values) s += v;
            const double mean = s / double(c.values.size());
            double ss = 0;
            for (double v : c.values) ss += (v - mean) * (v - mean);
            const double sd = c.values.size() > 1 ? std::sqrt(ss / double(c.values.size() - 1)) : 0.0;
            g.mean[i] = mean;
            g.sd[i] = sd;
            g.warn[i] = c.warn;
            anyWarn |= c.warn;
            csv += csvField(m) + "," + csvField(categories[i].first) + "," + categories[i].second + "," + extractor + "," + num(mean) + "," +
                   num(sd) + "," + std::to_string(c.values.size()) + "," + std::to_string(c.nOriginal) + "," +
                   std::to_string(c.nReconstruction) + "," + (c.warn ? "N < 2048 or rank-deficient" : "") + "\n";
        }
        groups.push_back(std::move(g));
    }
    Frame f(plot, title);
    groupedBars(f, labels, groups, QStringLiteral("FID"), targets, [&](size_t g, size_t c) {
        const Cell &cell = cells.at({groups[g].model, categories[c].first, categories[c].second});
        return QStringLiteral("%1 · %2\nFID %3 ± %4 (%5 repeat(s))\nN = %6 original, %7 reconstructed tiles%8")
            .arg(modelLabel(groups[g].model), labels[c])
            .arg(groups[g].mean[c], 0, 'f', 2)
            .arg(groups[g].sd[c], 0, 'f', 2)
            .arg(cell.values.size())
            .arg(cell.nOriginal)
            .arg(cell.nReconstruction)
            .arg(cell.warn ? QStringLiteral("\n† N < 2048 or rank-deficient: biased, not comparable to the paper") : QString());
    });
    f.footnote(QStringLiteral("Bars: mean over repeats; error bars: σ over repeats. Float64 statistics, originals vs reconstructions per dataset and triplet.") +
               (anyWarn ? QStringLiteral("\n† fewer than 2048 tiles or a rank-deficient covariance: FID is biased upwards and not comparable to the paper's.") : QString()));
    f.finish();
    return drawn(title, std::move(csv), QSizeF(std::max(540.0, 70.0 * double(categories.size()) * std::max<size_t>(1, models.size())), 360));
}

DrawnFigure drawKldBars(QCustomPlot &plot, const RunResults &r, PlotTargets *targets)
{
    const QString title = QStringLiteral("KL divergence of the latent posterior per dataset and triplet — ") + r.name();
    const std::string header = "model,repeat,dataset,triplet,n,mean,sd\n";
    std::vector<std::pair<std::string, std::string>> categories;
    std::vector<std::string> models;
    std::map<std::tuple<std::string, std::string, std::string>, const run::SummaryRow *> cells;
    for (const run::SummaryRow &s : r.tables.summaries) {
        if (s.metric != "kld" || s.repeat != 0) continue;
        const auto cat = std::make_pair(s.dataset, s.key);
        if (std::find(categories.begin(), categories.end(), cat) == categories.end()) categories.push_back(cat);
        if (std::find(models.begin(), models.end(), s.model) == models.end()) models.push_back(s.model);
        cells[{s.model, s.dataset, s.key}] = &s;
    }
    if (cells.empty())
        return emptyFigure(plot, title, QStringLiteral("No KLD: none of the run's models has a latent posterior (the baselines have none)."), header);
    std::sort(categories.begin(), categories.end());
    std::string csv = header;
    std::vector<QString> labels;
    for (const auto &[d, t] : categories) labels.push_back(datasetTitle(d) + QStringLiteral(" · ") + q(t));
    std::vector<BarGroup> groups;
    for (const std::string &m : models) {
        BarGroup g{m, std::vector<double>(categories.size(), kNaN), std::vector<double>(categories.size(), 0), std::vector<bool>(categories.size(), false)};
        for (size_t i = 0; i < categories.size(); ++i) {
            const auto it = cells.find({m, categories[i].first, categories[i].second});
            if (it == cells.end()) continue;
            g.mean[i] = it->second->mean;
            g.sd[i] = it->second->sd;
            csv += csvField(m) + ",0," + csvField(categories[i].first) + "," + categories[i].second + "," + std::to_string(it->second->n) + "," +
                   num(it->second->mean) + "," + num(it->second->sd) + "\n";
        }
        groups.push_back(std::move(g));
    }
    Frame f(plot, title);
    groupedBars(f, labels, groups, QStringLiteral("KLD (nats per tile)"), targets, [&](size_t g, size_t c) {
        const run::SummaryRow *s = cells.at({groups[g].model, categories[c].first, categories[c].second});
        return QStringLiteral("%1 · %2\nKLD %3 ± %4 (sd over %5 tiles)").arg(modelLabel(groups[g].model), labels[c]).arg(s->mean, 0, 'g', 5).arg(s->sd, 0, 'g', 4).arg(s->n);
    });
    f.footnote(QStringLiteral("Bars: mean over tiles; error bars: sd over tiles (repeat 0). KLD = 0.5 Σ(μ² + σ² − log σ² − 1) over the triplet's latent elements."));
    f.finish();
    return drawn(title, std::move(csv));
}

// ---------------------------------------------------------------------------------------------------------------
DrawnFigure drawActivity(QCustomPlot &plot, const RunResults &r, const ActivityChoice &c, PlotTargets *targets)
{
    const QString title = QStringLiteral("Phenotypic activity: mAP vs −log10(corrected p) — ") + c.label();
    const std::string header = "data,dataset,perturbation,n_replicates,mean_average_precision,p_value,corrected_p_value,active\n";
    const run::ActivityTable *orig = activityTable(r, c.extractor, c.aggregation, "original", c.repeat);
    const run::ActivityTable *rec = activityTable(r, c.extractor, c.aggregation, c.model, c.repeat);
    if (!orig && !rec) return emptyFigure(plot, title, QStringLiteral("No activity for this choice yet (the run has not finished, or no dataset has negative controls)."), header);
    Frame f(plot, title);
    std::string csv = header;
    f.addLegend();
    const double threshold = 0.05;
    double yMax = minusLog10(threshold) * 1.5;
    for (const auto *t : {orig, rec})
        if (t)
            for (const auto &p : t->result.perturbations) yMax = std::max(yMax, minusLog10(p.correctedPValue) * 1.08);
    int col = 0;
    for (const auto *t : {orig, rec}) {
        const QString side = t == orig ? QStringLiteral("original") : q(c.model);
        QCPAxisRect *rect = f.rect(0, col++, side);
        QCPAxis *x = rect->axis(QCPAxis::atBottom), *y = rect->axis(QCPAxis::atLeft);
        x->setLabel(QStringLiteral("mAP"));
        y->setLabel(QStringLiteral("−log10(BH-corrected p)"));
        x->setRange(-0.02, 1.02);
        y->setRange(0, yMax);
        referenceLine(plot, rect, {0, minusLog10(threshold)}, {1, minusLog10(threshold)}, QColor(120, 120, 120));
        if (!t) continue;
        QCPGraph *graphs[2];
        int counts[2] = {0, 0};
        for (int active = 0; active < 2; ++active) {
            graphs[active] = new QCPGraph(x, y);
            graphs[active]->setLineStyle(QCPGraph::lsNone);
            const QColor colr = active ? QColor(213, 94, 0) : QColor(150, 150, 150);
            graphs[active]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colr, active ? 6 : 5));
        }
        for (const profiles::PerturbationActivity &p : t->result.perturbations) {
            const int active = p.belowCorrectedP ? 1 : 0;
            ++counts[active];
            const double yv = minusLog10(p.correctedPValue);
            graphs[active]->addData(p.meanAveragePrecision, yv);
            const std::string group = groupTitle(t->result, p.group);
            csv += csvField(t == orig ? std::string("original") : c.model) + "," + csvField(group) + "," + csvField(p.perturbation) + "," +
                   std::to_string(p.nReplicates) + "," + num(p.meanAveragePrecision) + "," + num(p.pValue) + "," + num(p.correctedPValue) +
                   "," + (p.belowCorrectedP ? "True" : "False") + "\n";
            if (targets)
                targets->push_back({rect, p.meanAveragePrecision, yv,
                                    QStringLiteral("%1 (%2)\nmAP %3, p %4, corrected p %5\n%6 replicate wells%7")
                                        .arg(q(p.perturbation), q(group))
                                        .arg(p.meanAveragePrecision, 0, 'f', 3)
                                        .arg(p.pValue, 0, 'g', 3)
                                        .arg(p.correctedPValue, 0, 'g', 3)
                                        .arg(p.nReplicates)
                                        .arg(p.belowCorrectedP ? QStringLiteral(" · active") : QString()),
                                    {{QStringLiteral("perturbation"), q(p.perturbation)}, {QStringLiteral("dataset"), q(group)}}});
        }
        if (t == orig) {
            graphs[1]->setName(QStringLiteral("active (corrected p < 0.05)"));
            graphs[0]->setName(QStringLiteral("not active"));
            graphs[1]->addToLegend(f.legend);
            graphs[0]->addToLegend(f.legend);
        }
        auto *count = new QCPItemText(&plot);
        count->setClipAxisRect(rect);
        count->position->setType(QCPItemPosition::ptAxisRectRatio);
        count->position->setAxisRect(rect);
        count->position->setCoords(0.03, 0.03);
        count->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        count->setText(QStringLiteral("%1 of %2 active").arg(counts[1]).arg(counts[0] + counts[1]));
        count->setFont(font(8));
    }
    f.footnote(QStringLiteral("copairs-style phenotypic activity per perturbation against the dataset's negative controls (TVN-normalised well profiles); "
                              "dashed: corrected p = 0.05."));
    f.finish();
    return drawn(title, std::move(csv), QSizeF(620, 340));
}

DrawnFigure drawMapScatter(QCustomPlot &plot, const RunResults &r, const ActivityChoice &c, PlotTargets *targets)
{
    const QString title = QStringLiteral("mAP per perturbation, original vs reconstruction — ") + c.label();
    const std::string header = "dataset,perturbation,map_original,map_reconstruction,active_original,active_reconstruction,category\n";
    const run::ActivityTable *orig = activityTable(r, c.extractor, c.aggregation, "original", c.repeat);
    const run::ActivityTable *rec = activityTable(r, c.extractor, c.aggregation, c.model, c.repeat);
    if (!orig || !rec) return emptyFigure(plot, title, QStringLiteral("No activity of both the originals and the reconstruction for this choice yet."), header);
    const auto recon = byPerturbation(rec->result);
    Frame f(plot, title);
    QCPAxisRect *rect = f.rect(0, 0);
    QCPAxis *x = rect->axis(QCPAxis::atBottom), *y = rect->axis(QCPAxis::atLeft);
    x->setLabel(QStringLiteral("mAP, original images"));
    y->setLabel(QStringLiteral("mAP, ") + q(c.model));
    x->setRange(-0.02, 1.02);
    y->setRange(-0.02, 1.02);
    referenceLine(plot, rect, {0, 0}, {1, 1}, QColor(150, 150, 150));
    const char *names[] = {"active in both", "lost after reconstruction", "gained after reconstruction", "active in neither"};
    const QColor colors[] = {QColor(0, 158, 115), QColor(213, 94, 0), QColor(0, 114, 178), QColor(170, 170, 170)};
    QCPGraph *graphs[4];
    int counts[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
        graphs[i] = new QCPGraph(x, y);
        graphs[i]->setLineStyle(QCPGraph::lsNone);
        graphs[i]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colors[i], i == 3 ? 5 : 7));
    }
    std::string csv = header;
    for (const profiles::PerturbationActivity &p : orig->result.perturbations) {
        const std::vector<std::string> values = p.group < orig->result.groups.size() ? orig->result.groups[p.group].values : std::vector<std::string>{};
        const auto it = recon.find({values, p.perturbation});
        if (it == recon.end()) continue;
        const profiles::PerturbationActivity &rp = *it->second;
        const int cat = p.belowCorrectedP ? (rp.belowCorrectedP ? 0 : 1) : (rp.belowCorrectedP ? 2 : 3);
        ++counts[cat];
        graphs[cat]->addData(p.meanAveragePrecision, rp.meanAveragePrecision);
        const std::string group = groupTitle(orig->result, p.group);
        csv += csvField(group) + "," + csvField(p.perturbation) + "," + num(p.meanAveragePrecision) + "," + num(rp.meanAveragePrecision) + "," +
               (p.belowCorrectedP ? "True" : "False") + "," + (rp.belowCorrectedP ? "True" : "False") + "," + names[cat] + "\n";
        if (targets) {
            QVariantList groupValues;
            for (const std::string &v : values) groupValues << q(v);
            targets->push_back({rect, p.meanAveragePrecision, rp.meanAveragePrecision,
                                QStringLiteral("%1 (%2)\nmAP %3 → %4\n%5 · click: its wells")
                                    .arg(q(p.perturbation), q(group))
                                    .arg(p.meanAveragePrecision, 0, 'f', 3)
                                    .arg(rp.meanAveragePrecision, 0, 'f', 3)
                                    .arg(QString::fromLatin1(names[cat])),
                                {{QStringLiteral("perturbation"), q(p.perturbation)}, {QStringLiteral("groupValues"), groupValues},
                                 {QStringLiteral("dataset"), q(group)}}});
        }
    }
    f.addLegend();
    for (int i = 0; i < 4; ++i) {
        graphs[i]->setName(QStringLiteral("%1 (%2)").arg(QString::fromLatin1(names[i])).arg(counts[i]));
        graphs[i]->addToLegend(f.legend);
    }
    f.legend->setWrap(2);
    f.footnote(QStringLiteral("Active: BH-corrected p < 0.05 against the dataset's negative controls. Below the diagonal: the reconstruction weakened the phenotype."));
    f.finish();
    return drawn(title, std::move(csv), QSizeF(460, 460));
}

// ---------------------------------------------------------------------------------------------------------------
std::map<std::string, double> heatmapValues(const RunResults &r, const HeatmapChoice &c)
{
    std::map<std::string, double> out;
    if (c.metric == "delta_map") {
        const run::ActivityTable *orig = activityTable(r, c.activity.extractor, c.activity.aggregation, "original", c.activity.repeat);
        const run::ActivityTable *rec = activityTable(r, c.activity.extractor, c.activity.aggregation, c.activity.model, c.activity.repeat);
        if (!orig || !rec) return out;
        const auto o = byPerturbation(orig->result), n = byPerturbation(rec->result);
        for (const auto &[loc, info] : r.infos) {
            if (info.natural) continue;
            std::vector<std::string> values;
            for (const std::string &col : r.tables.groupBy) {
                const auto it = info.metadata.find(col);
                values.push_back(it == info.metadata.end() ? std::string() : it->second);
            }
            const auto pert = info.metadata.find("Metadata_broad_sample");
            double v = kNaN;
            if (pert != info.metadata.end()) {
                const auto a = o.find({values, pert->second}), b = n.find({values, pert->second});
                if (a != o.end() && b != n.end()) v = b->second->meanAveragePrecision - a->second->meanAveragePrecision;
            }
            out[loc.plate + "/" + loc.well] = v;
        }
        return out;
    }
    std::map<std::string, std::pair<double, int64_t>> acc; // weighted by tiles
    for (const run::WellMetricRow &w : r.tables.wells) {
        if (w.model != c.model || w.repeat != c.repeat || w.metric != c.metric || (!c.key.empty() && w.key != c.key)) continue;
        auto &a = acc[w.plate + "/" + w.well];
        a.first += w.mean * double(w.n);
        a.second += w.n;
    }
    for (const auto &[k, a] : acc) out[k] = a.second ? a.first / double(a.second) : kNaN;
    return out;
}

DrawnFigure drawPlateHeatmap(QCustomPlot &plot, const RunResults &r, const HeatmapChoice &c, PlotTargets *targets)
{
    const QString what = c.label();
    const QString title = what + QStringLiteral(" — plate ") + q(c.plate) + (c.metric == "delta_map" ? QString() : QStringLiteral(" · ") + q(c.model));
    const std::string header = "plate,well,quantity,value\n";
    const std::map<std::string, double> values = heatmapValues(r, c);
    // The plate's format from the wells the run knows (96, 384 or 1536 wells).
    int maxRow = 0, maxCol = 0;
    for (const auto &[loc, info] : r.infos)
        if (loc.plate == c.plate) {
            const auto [row, col] = wellPosition(loc.well);
            maxRow = std::max(maxRow, row);
            maxCol = std::max(maxCol, col);
        }
    if (maxRow == 0) return emptyFigure(plot, title, QStringLiteral("No wells of this plate in the run yet."), header);
    int rows = 8, cols = 12;
    if (maxRow > 16 || maxCol > 24) rows = 32, cols = 48;
    else if (maxRow > 8 || maxCol > 12) rows = 16, cols = 24;
    rows = std::max(rows, maxRow);
    cols = std::max(cols, maxCol);
    double lo = std::numeric_limits<double>::max(), hi = -lo;
    for (const auto &[k, v] : values) {
        if (std::isnan(v)) continue;
        if (!c.sharedLimits && k.compare(0, c.plate.size() + 1, c.plate + "/") != 0) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    Frame f(plot, title);
    QCPAxisRect *rect = f.rect(0, 0);
    QCPAxis *x = rect->axis(QCPAxis::atBottom), *y = rect->axis(QCPAxis::atLeft);
    auto *map = new QCPColorMap(x, y);
    map->data()->setSize(cols, rows);
    map->data()->setRange(QCPRange(1, cols), QCPRange(1, rows));
    map->setInterpolate(false);
    std::string csv = header;
    const std::string quantity = what.toStdString();
    for (int row = 1; row <= rows; ++row)
        for (int col = 1; col <= cols; ++col) map->data()->setCell(col - 1, row - 1, kNaN);
    for (const auto &[k, v] : values) {
        if (k.compare(0, c.plate.size() + 1, c.plate + "/") != 0) continue;
        const std::string well = k.substr(c.plate.size() + 1);
        const auto [row, col] = wellPosition(well);
        if (row < 1 || col < 1) continue;
        map->data()->setCell(col - 1, row - 1, v);
        csv += csvField(c.plate) + "," + csvField(well) + "," + csvField(quantity) + "," + num(v) + "\n";
        if (targets && !std::isnan(v))
            targets->push_back({rect, double(col), double(row), QStringLiteral("%1 %2\n%3 = %4\nclick: open in the inspector").arg(q(c.plate), q(well), what).arg(v, 0, 'g', 4),
                                {{QStringLiteral("plate"), q(c.plate)}, {QStringLiteral("well"), q(well)}}, 0.5, 0.5});
    }
    const bool diverging = c.metric == "delta_map";
    if (lo > hi) lo = 0, hi = 1;
    if (diverging) {
        const double m = std::max({std::abs(lo), std::abs(hi), 1e-6});
        lo = -m, hi = m;
    } else if (hi - lo < 1e-12) {
        hi = lo + std::max(1e-12, std::abs(lo) * 0.01);
    }
    auto *scale = new QCPColorScale(&plot);
    f.grid->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(12);
    scale->axis()->setLabel(what);
    scale->axis()->setLabelFont(font(8));
    scale->axis()->setTickLabelFont(font(8));
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, f.margins);
    map->setColorScale(scale); // takes the scale's gradient: set ours after
    map->setGradient(diverging ? rdbu() : viridis());
    map->setDataRange(QCPRange(lo, hi));
    y->setRangeReversed(true);
    x->setRange(0.5, cols + 0.5);
    y->setRange(0.5, rows + 0.5);
    QSharedPointer<QCPAxisTickerText> rowTicks(new QCPAxisTickerText), colTicks(new QCPAxisTickerText);
    for (int row = 1; row <= rows; ++row)
        if (rows <= 16 || row % 2 == 1) rowTicks->addTick(row, q(wellName(row, 1).substr(0, wellName(row, 1).size() - 2)));
    for (int col = 1; col <= cols; ++col)
        if (cols <= 24 || col % 2 == 1) colTicks->addTick(col, QString::number(col));
    y->setTicker(rowTicks);
    x->setTicker(colTicks);
    x->setSubTicks(false);
    y->setSubTicks(false);
    x->grid()->setVisible(false);
    y->grid()->setVisible(false);
    x->setTickLabelSide(QCPAxis::lsOutside);
    f.footnote((c.sharedLimits ? QStringLiteral("Colour scale shared by every plate of the run. ") : QStringLiteral("Colour scale of this plate. ")) +
               QStringLiteral("Grey: no value (no images, not yet computed, or a control for Δ mAP)."));
    f.finish();
    return drawn(title, std::move(csv), QSizeF(cols > 12 ? 600 : 480, cols > 12 ? 360 : 320));
}

// ---------------------------------------------------------------------------------------------------------------
std::vector<std::string> fidExtractors(const RunResults &r)
{
    std::vector<std::string> out;
    for (const run::FidRow &f : r.tables.fid)
        if (std::find(out.begin(), out.end(), f.extractor) == out.end()) out.push_back(f.extractor);
    return out;
}

std::vector<ActivityChoice> activityChoices(const RunResults &r)
{
    std::vector<ActivityChoice> out;
    for (const run::ActivityTable &a : r.tables.activity) {
        if (a.data == "original" || !activityTable(r, a.extractor, a.aggregation, "original", a.repeat)) continue;
        out.push_back({a.extractor, a.aggregation, a.data, a.repeat});
    }
    return out;
}

std::vector<std::string> runPlates(const RunResults &r)
{
    std::set<std::string> s;
    for (const auto &[loc, info] : r.infos)
        if (!info.natural) s.insert(loc.plate);
    return {s.begin(), s.end()};
}

std::vector<std::pair<std::string, int>> runModels(const RunResults &r)
{
    std::vector<std::pair<std::string, int>> out;
    for (const run::WellMetricRow &w : r.tables.wells)
        if (std::find(out.begin(), out.end(), std::make_pair(w.model, w.repeat)) == out.end()) out.emplace_back(w.model, w.repeat);
    return out;
}

std::vector<FigureEntry> standardFigures(const RunResults &r)
{
    std::vector<FigureEntry> out;
    auto rp = [](int repeat) { return repeat ? QStringLiteral("_repeat%1").arg(repeat) : QString(); };
    for (const char *m : {"mae", "emd", "ssim"})
        out.push_back({QStringLiteral("box_%1").arg(QLatin1String(m)), [&r, m](QCustomPlot &p) { return drawBoxPlot(p, r, m); }});
    for (const std::string &e : fidExtractors(r))
        out.push_back({QStringLiteral("fid_") + q(e), [&r, e](QCustomPlot &p) { return drawFidBars(p, r, e); }});
    out.push_back({QStringLiteral("kld"), [&r](QCustomPlot &p) { return drawKldBars(p, r); }});
    for (const ActivityChoice &c : activityChoices(r)) {
        const QString stem = q(c.extractor + "_" + c.aggregation + "_" + run::fileSafeName(c.model)) + rp(c.repeat);
        out.push_back({QStringLiteral("activity_") + stem, [&r, c](QCustomPlot &p) { return drawActivity(p, r, c); }});
        out.push_back({QStringLiteral("map_scatter_") + stem, [&r, c](QCustomPlot &p) { return drawMapScatter(p, r, c); }});
    }
    for (const auto &[model, repeat] : runModels(r)) {
        if (repeat != 0) continue;
        for (const std::string &plate : runPlates(r)) {
            HeatmapChoice h;
            h.model = model;
            h.plate = plate;
            out.push_back({q("heatmap_mae_" + run::fileSafeName(model) + "_" + run::fileSafeName(plate)),
                           [&r, h](QCustomPlot &p) { return drawPlateHeatmap(p, r, h); }});
        }
    }
    return out;
}

} // namespace cprecon::plots
