#include "RunResultsView.h"

#include "FrTableModel.h"
#include "PlotView.h"
#include "TileGallery.h"

#include "util/Csv.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <set>

namespace cprecon::ui {

namespace {
QString q(const std::string &s) { return QString::fromStdString(s); }

void setCombo(QComboBox *c, const QVariant &data)
{
    const int i = c->findData(data);
    if (i >= 0) c->setCurrentIndex(i);
}
} // namespace

namespace {
const plots::ActivityChoice *choiceByLabel(const std::vector<plots::ActivityChoice> &choices, const QString &label)
{
    for (const plots::ActivityChoice &c : choices)
        if (c.label() == label) return &c;
    return nullptr;
}
} // namespace

RunResultsView::RunResultsView(TaskManager *tasks, ModelPool *models, QWidget *parent) : QWidget(parent), m_tasks(tasks), m_models(models)
{
    buildUi();
}

QWidget *RunResultsView::plotTab(PlotView *view, QWidget *controls)
{
    auto *w = new QWidget;
    auto *l = new QVBoxLayout(w);
    l->setContentsMargins(2, 2, 2, 2);
    auto *bar = new QHBoxLayout;
    if (controls) bar->addWidget(controls);
    bar->addStretch(1);
    auto *exp = new QPushButton(tr("Export…"));
    exp->setToolTip(tr("This figure as PNG (at the DPI above), PDF or SVG (vector), or the CSV of exactly what it draws"));
    connect(exp, &QPushButton::clicked, this, [this, view] { exportDialog(view); });
    bar->addWidget(exp);
    l->addLayout(bar);
    l->addWidget(view, 1);
    return w;
}

void RunResultsView::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *head = new QHBoxLayout;
    m_title = new QLabel(tr("No run open: Benchmark ▸ Open run… or New run…"));
    QFont tf = m_title->font();
    tf.setBold(true);
    m_title->setFont(tf);
    head->addWidget(m_title);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    head->addWidget(m_status, 1);
    head->addWidget(new QLabel(tr("PNG DPI")));
    m_dpi = new QSpinBox;
    m_dpi->setRange(72, 1200);
    m_dpi->setValue(300);
    head->addWidget(m_dpi);
    m_reload = new QPushButton(tr("Reload"));
    m_reload->setToolTip(tr("Read the run's store again (a run in progress has more sites by now)"));
    connect(m_reload, &QPushButton::clicked, this, &RunResultsView::reload);
    head->addWidget(m_reload);
    m_exportAll = new QPushButton(tr("Export all figures…"));
    connect(m_exportAll, &QPushButton::clicked, this, &RunResultsView::exportAllDialog);
    head->addWidget(m_exportAll);
    layout->addLayout(head);

    m_tabs = new QTabWidget;
    layout->addWidget(m_tabs, 1);

    // Pixel metrics
    m_box = new PlotView;
    m_boxMetric = new QComboBox;
    m_boxMetric->addItem(tr("MAE"), QStringLiteral("mae"));
    m_boxMetric->addItem(tr("EMD"), QStringLiteral("emd"));
    m_boxMetric->addItem(tr("SSIM"), QStringLiteral("ssim"));
    m_tabs->addTab(plotTab(m_box, m_boxMetric), tr("Pixel metrics"));
    connect(m_boxMetric, &QComboBox::currentIndexChanged, this, [this] { drawBox(); saveSettings(); });

    // FID / KLD
    auto *fk = new QSplitter(Qt::Vertical);
    m_fid = new PlotView;
    m_kld = new PlotView;
    m_fidExtractor = new QComboBox;
    fk->addWidget(plotTab(m_fid, m_fidExtractor));
    fk->addWidget(plotTab(m_kld, nullptr));
    m_tabs->addTab(fk, tr("FID / KLD"));
    connect(m_fidExtractor, &QComboBox::currentIndexChanged, this, [this] { drawFidKld(); saveSettings(); });

    // FR table + the activity behind a cell
    auto *fr = new QSplitter(Qt::Vertical);
    auto *frTop = new QWidget;
    auto *frTopL = new QVBoxLayout(frTop);
    auto *frBar = new QHBoxLayout;
    frBar->addWidget(new QLabel(tr("Fraction retrieved: mean ± σ over repeats, best per column in bold. Click a cell for its activity.")), 1);
    auto *frExport = new QPushButton(tr("Export…"));
    connect(frExport, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the FR table"), QStringLiteral("fr_table.csv"),
                                                          tr("CSV (*.csv);;Markdown (*.md)"));
        if (path.isEmpty()) return;
        try {
            exportFrTable(path);
        } catch (const std::exception &e) {
            QMessageBox::warning(this, tr("Export"), QString::fromUtf8(e.what()));
        }
    });
    frBar->addWidget(frExport);
    frTopL->addLayout(frBar);
    m_frModel = new FrTableModel(this);
    m_frView = new QTableView;
    m_frView->setModel(m_frModel);
    m_frView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_frView->setSelectionMode(QAbstractItemView::SingleSelection);
    frTopL->addWidget(m_frView, 1);
    fr->addWidget(frTop);
    auto *frBottom = new QWidget;
    auto *frBottomL = new QVBoxLayout(frBottom);
    m_frCellTitle = new QLabel(tr("Click an FR cell to see the per-perturbation activity behind it."));
    auto *actBar = new QHBoxLayout;
    actBar->addWidget(m_frCellTitle, 1);
    auto *actExport = new QPushButton(tr("Export…"));
    actExport->setToolTip(tr("The activity rows shown, as CSV"));
    connect(actExport, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the activity table"), QStringLiteral("activity.csv"), tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        try {
            std::string csv;
            for (int c = 0; c < m_activityTable->columnCount(); ++c)
                csv += (c ? "," : "") + csvField(m_activityTable->horizontalHeaderItem(c)->text().toStdString());
            csv += "\n";
            for (int r = 0; r < m_activityTable->rowCount(); ++r) {
                for (int c = 0; c < m_activityTable->columnCount(); ++c) {
                    const QTableWidgetItem *item = m_activityTable->item(r, c);
                    csv += (c ? "," : "") + csvField(item ? item->data(Qt::DisplayRole).toString().toStdString() : std::string());
                }
                csv += "\n";
            }
            plots::writeTextFile(path, csv);
        } catch (const std::exception &e) {
            QMessageBox::warning(this, tr("Export"), QString::fromUtf8(e.what()));
        }
    });
    actBar->addWidget(actExport);
    frBottomL->addLayout(actBar);
    m_activityTable = new QTableWidget;
    m_activityTable->setColumnCount(8);
    m_activityTable->setHorizontalHeaderLabels({tr("repeat"), tr("perturbation"), tr("dataset"), tr("replicates"), tr("mAP"), tr("p"),
                                                tr("corrected p"), tr("active")});
    m_activityTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_activityTable->setSortingEnabled(true);
    frBottomL->addWidget(m_activityTable, 1);
    fr->addWidget(frBottom);
    m_tabs->addTab(fr, tr("FR table"));
    connect(m_frView, &QTableView::clicked, this, [this](const QModelIndex &i) { showFrCell(i.row(), i.column()); });

    // Activity
    m_activity = new PlotView;
    m_activityChoice = new QComboBox;
    m_tabs->addTab(plotTab(m_activity, m_activityChoice), tr("Activity"));
    connect(m_activityChoice, &QComboBox::currentIndexChanged, this, [this] { drawActivity(); saveSettings(); });

    // Plate heatmap
    m_heatmap = new PlotView;
    auto *hc = new QWidget;
    auto *hl = new QHBoxLayout(hc);
    hl->setContentsMargins(0, 0, 0, 0);
    m_heatQuantity = new QComboBox;
    m_heatModel = new QComboBox;
    m_heatPlate = new QComboBox;
    m_heatShared = new QCheckBox(tr("one scale for all plates"));
    m_heatShared->setChecked(true);
    for (QWidget *w : std::initializer_list<QWidget *>{new QLabel(tr("Quantity")), m_heatQuantity, new QLabel(tr("model")), m_heatModel,
                                                       new QLabel(tr("plate")), m_heatPlate, m_heatShared})
        hl->addWidget(w);
    m_tabs->addTab(plotTab(m_heatmap, hc), tr("Plate heatmap"));
    for (QComboBox *c : {m_heatQuantity, m_heatModel, m_heatPlate})
        connect(c, &QComboBox::currentIndexChanged, this, [this] { drawHeatmap(); saveSettings(); });
    connect(m_heatShared, &QCheckBox::toggled, this, [this] { drawHeatmap(); saveSettings(); });
    connect(m_heatmap, &PlotView::targetClicked, this, [this](const QVariantMap &p) {
        QStringList model = m_heatModel->currentData().toString().split(QLatin1Char('|'));
        if (m_heatQuantity->currentData().toString().startsWith(QLatin1String("delta_map|"))) {
            const auto choices = plots::activityChoices(*m_results);
            for (const plots::ActivityChoice &c : choices)
                if (QStringLiteral("delta_map|") + c.label() == m_heatQuantity->currentData().toString())
                    model = QStringList{q(c.model), QString::number(c.repeat)};
        }
        Q_EMIT wellActivated(p.value(QStringLiteral("plate")).toString(), p.value(QStringLiteral("well")).toString(), model.value(0),
                             model.value(1).toInt());
    });

    // mAP scatter + the wells of the clicked perturbation
    auto *sc = new QSplitter(Qt::Horizontal);
    m_scatter = new PlotView;
    m_scatterChoice = new QComboBox;
    sc->addWidget(plotTab(m_scatter, m_scatterChoice));
    auto *wellsBox = new QWidget;
    auto *wl = new QVBoxLayout(wellsBox);
    m_pertTitle = new QLabel(tr("Click a perturbation: its wells. Double-click a well: the inspector."));
    m_pertTitle->setWordWrap(true);
    wl->addWidget(m_pertTitle);
    m_pertWells = new QListWidget;
    wl->addWidget(m_pertWells, 1);
    sc->addWidget(wellsBox);
    sc->setStretchFactor(0, 4);
    sc->setStretchFactor(1, 1);
    m_tabs->addTab(sc, tr("mAP scatter"));
    connect(m_scatterChoice, &QComboBox::currentIndexChanged, this, [this] { drawScatter(); saveSettings(); });
    connect(m_scatter, &PlotView::targetClicked, this, &RunResultsView::showPerturbationWells);
    connect(m_pertWells, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QStringList pw = item->data(Qt::UserRole).toStringList();
        const auto choices = plots::activityChoices(*m_results);
        const plots::ActivityChoice *c = choiceByLabel(choices, m_scatterChoice->currentData().toString());
        if (pw.size() == 2) Q_EMIT wellActivated(pw[0], pw[1], c ? q(c->model) : QString(), c ? c->repeat : 0);
    });

    // Worst tiles
    m_gallery = new TileGallery(m_tasks, m_models);
    auto *gw = new QWidget;
    auto *gl = new QVBoxLayout(gw);
    gl->setContentsMargins(2, 2, 2, 2);
    auto *gbar = new QHBoxLayout;
    gbar->addStretch(1);
    auto *gexp = new QPushButton(tr("Export…"));
    connect(gexp, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the worst tiles"), QStringLiteral("worst_tiles.png"),
                                                          tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg);;CSV of the tiles shown (*.csv)"));
        if (path.isEmpty()) return;
        try {
            if (QFileInfo(path).suffix().toLower() == QLatin1String("csv")) plots::writeTextFile(path, m_gallery->csv());
            else m_gallery->exportFigure(path, m_dpi->value());
        } catch (const std::exception &e) {
            QMessageBox::warning(this, tr("Export"), QString::fromUtf8(e.what()));
        }
    });
    gbar->addWidget(gexp);
    gl->addLayout(gbar);
    gl->addWidget(m_gallery, 1);
    m_tabs->addTab(gw, tr("Worst tiles"));
    connect(m_gallery, &TileGallery::tileActivated, this, &RunResultsView::tileActivated);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        drawTab(tab); // drawn when first shown after a (re)load
        saveSettings();
    });
    connect(m_dpi, &QSpinBox::valueChanged, this, [this] { saveSettings(); });
    setEnabled(true);
}

void RunResultsView::openRun(const QString &folder)
{
    m_folder = QFileInfo(folder).absoluteFilePath();
    reload();
}

void RunResultsView::reload()
{
    if (m_folder.isEmpty()) return;
    if (m_load) m_load->cancel();
    const quint64 generation = ++m_generation;
    const QString folder = m_folder;
    m_status->setText(tr("Reading the run…"));
    auto *task = new FunctionTask<std::shared_ptr<const run::RunResults>>(
        tr("Open run %1").arg(folder),
        [folder](Task &t) {
            return run::loadRunResults(folder, {}, t.cancelFlag());
        },
        [self = QPointer<RunResultsView>(this), generation](std::shared_ptr<const run::RunResults> &r) {
            if (!self || generation != self->m_generation) return;
            self->show(r);
        });
    connect(task, &Task::finished, this, [this, task, generation](bool ok) {
        if (generation != m_generation) return;
        if (!ok && task->status() == Task::Status::Failed) {
            m_status->setText(tr("Cannot open the run: %1").arg(task->errorMessage()));
            Q_EMIT loadFailed(task->errorMessage());
        }
    });
    m_load = task;
    m_tasks->addTask(task);
}

QString RunResultsView::statusText() const { return m_status->text(); }

void RunResultsView::setScreen(std::shared_ptr<const Screen> screen)
{
    m_screen = std::move(screen);
}

void RunResultsView::show(std::shared_ptr<const run::RunResults> results)
{
    const bool newRun = !m_results || m_results->folder != results->folder;
    m_results = std::move(results);
    const run::RunResults &r = *m_results;
    m_title->setText(tr("Run %1").arg(r.name()));
    QString status = tr("%1 · %2 protocol · %3 (site, source) results stored").arg(r.config.models.join(QStringLiteral(", ")),
                                                                                   QString::fromLatin1(protocolName(r.config.protocol)))
                         .arg(r.storedUnits);
    if (r.plannedSites > 0) status += tr(" · %1 sites planned").arg(r.plannedSites);
    if (!r.tables.notes.empty()) status += QStringLiteral(" · ") + q(r.tables.notes.front());
    m_status->setText(status);
    m_status->setToolTip(r.folder);
    m_updating = true;
    rebuildChoices();
    if (newRun) restoreSettings();
    m_updating = false;
    m_frModel->setTable(r.fr);
    // The activity behind the best cell of the first column with values, until the user clicks another.
    for (size_t c = 0; c < r.fr.datasets.size(); ++c) {
        int best = -1;
        for (size_t row = 0; row < r.fr.rows.size(); ++row)
            if (r.fr.rows[row].cells[c].best) best = best < 0 ? int(row) : best;
        if (best < 0) continue;
        const QModelIndex i = m_frModel->index(best, FrTableModel::kKeyColumns + int(c));
        m_frView->setCurrentIndex(i);
        showFrCell(i.row(), i.column());
        break;
    }
    // Only the tab on screen is drawn now; the others when they are shown (a reload while a run writes then costs
    // the GUI thread one figure, not six).
    m_stale = {PixelMetrics, FidKld, Activity, Heatmap, Scatter};
    drawTab(m_tabs->currentIndex());
    std::shared_ptr<const Screen> screen;
    if (m_screen && r.config.screens.contains(m_screen->source)) screen = m_screen;
    m_gallery->setResults(m_results, screen);
    Q_EMIT loaded();
}

void RunResultsView::rebuildChoices()
{
    const run::RunResults &r = *m_results;
    auto refill = [](QComboBox *c, const std::vector<std::pair<QString, QVariant>> &items) {
        const QVariant current = c->currentData();
        c->clear();
        for (const auto &[label, data] : items) c->addItem(label, data);
        setCombo(c, current);
    };
    std::vector<std::pair<QString, QVariant>> fid;
    for (const std::string &e : plots::fidExtractors(r)) fid.emplace_back(q(e), q(e));
    refill(m_fidExtractor, fid);
    std::vector<std::pair<QString, QVariant>> act;
    for (const plots::ActivityChoice &c : plots::activityChoices(r)) act.emplace_back(c.label(), c.label());
    refill(m_activityChoice, act);
    refill(m_scatterChoice, act);
    std::vector<std::pair<QString, QVariant>> quantities;
    for (const char *m : {"mae", "emd", "ssim"}) {
        plots::HeatmapChoice h;
        h.metric = m;
        quantities.emplace_back(h.label(), QString::fromLatin1(m) + QLatin1Char('|'));
        for (const char *s : {"DNA", "ER", "RNA", "AGP", "Mito"}) {
            h.key = s;
            quantities.emplace_back(h.label(), QString::fromLatin1(m) + QLatin1Char('|') + QString::fromLatin1(s));
        }
    }
    bool kld = false;
    for (const run::WellMetricRow &w : r.tables.wells) kld |= w.metric == "kld";
    if (kld)
        for (const char *t : {"", "A", "B"}) {
            plots::HeatmapChoice h;
            h.metric = "kld";
            h.key = t;
            quantities.emplace_back(h.label(), QStringLiteral("kld|") + QString::fromLatin1(t));
        }
    for (const plots::ActivityChoice &c : plots::activityChoices(r))
        quantities.emplace_back(QStringLiteral("Δ mAP · ") + c.label(), QStringLiteral("delta_map|") + c.label());
    refill(m_heatQuantity, quantities);
    std::vector<std::pair<QString, QVariant>> models;
    for (const auto &[m, rep] : plots::runModels(r))
        models.emplace_back(q(m) + (rep ? QStringLiteral(" · repeat %1").arg(rep) : QString()), q(m) + QLatin1Char('|') + QString::number(rep));
    refill(m_heatModel, models);
    std::vector<std::pair<QString, QVariant>> plates;
    for (const std::string &p : plots::runPlates(r)) plates.emplace_back(q(p), q(p));
    refill(m_heatPlate, plates);
}


void RunResultsView::drawTab(int tab)
{
    if (!m_stale.erase(tab)) return;
    switch (tab) {
    case PixelMetrics: drawBox(); break;
    case FidKld: drawFidKld(); break;
    case Activity: drawActivity(); break;
    case Heatmap: drawHeatmap(); break;
    case Scatter: drawScatter(); break;
    default: break;
    }
}

void RunResultsView::drawBox()
{
    if (m_updating || !m_results) return;
    const std::string metric = m_boxMetric->currentData().toString().toStdString();
    auto r = m_results;
    m_box->show([r, metric](QCustomPlot &p, plots::PlotTargets *t) { return plots::drawBoxPlot(p, *r, metric, t); });
}

void RunResultsView::drawFidKld()
{
    if (m_updating || !m_results) return;
    auto r = m_results;
    const std::string extractor = m_fidExtractor->currentData().toString().toStdString();
    m_fid->show([r, extractor](QCustomPlot &p, plots::PlotTargets *t) { return plots::drawFidBars(p, *r, extractor, t); });
    m_kld->show([r](QCustomPlot &p, plots::PlotTargets *t) { return plots::drawKldBars(p, *r, t); });
}

void RunResultsView::drawActivity()
{
    if (m_updating || !m_results) return;
    auto r = m_results;
    const auto choices = plots::activityChoices(*r);
    const plots::ActivityChoice *c = choiceByLabel(choices, m_activityChoice->currentData().toString());
    const plots::ActivityChoice choice = c ? *c : plots::ActivityChoice{};
    m_activity->show([r, choice](QCustomPlot &p, plots::PlotTargets *t) { return plots::drawActivity(p, *r, choice, t); });
}

void RunResultsView::drawScatter()
{
    if (m_updating || !m_results) return;
    auto r = m_results;
    const auto choices = plots::activityChoices(*r);
    const plots::ActivityChoice *c = choiceByLabel(choices, m_scatterChoice->currentData().toString());
    const plots::ActivityChoice choice = c ? *c : plots::ActivityChoice{};
    m_scatter->show([r, choice](QCustomPlot &p, plots::PlotTargets *t) { return plots::drawMapScatter(p, *r, choice, t); });
}

void RunResultsView::drawHeatmap()
{
    if (m_updating || !m_results) return;
    auto r = m_results;
    plots::HeatmapChoice h;
    const QString quantity = m_heatQuantity->currentData().toString();
    const int bar = int(quantity.indexOf(QLatin1Char('|')));
    h.metric = quantity.left(bar).toStdString();
    const QString key = quantity.mid(bar + 1);
    if (h.metric == "delta_map") {
        const auto choices = plots::activityChoices(*r);
        if (const plots::ActivityChoice *c = choiceByLabel(choices, key)) h.activity = *c;
    } else {
        h.key = key.toStdString();
    }
    const QStringList model = m_heatModel->currentData().toString().split(QLatin1Char('|'));
    h.model = model.value(0).toStdString();
    h.repeat = model.value(1).toInt();
    h.plate = m_heatPlate->currentData().toString().toStdString();
    h.sharedLimits = m_heatShared->isChecked();
    m_heatModel->setEnabled(h.metric != "delta_map");
    m_heatmap->show([r, h](QCustomPlot &p, plots::PlotTargets *t) { return plots::drawPlateHeatmap(p, *r, h, t); });
}

void RunResultsView::showFrCell(int row, int column)
{
    if (!m_results) return;
    const run::FrTable &t = m_results->fr;
    if (row < 0 || row >= int(t.rows.size()) || column < FrTableModel::kKeyColumns) return;
    const size_t d = size_t(column - FrTableModel::kKeyColumns);
    if (d >= t.datasets.size()) return;
    const run::FrTableRow &fr = t.rows[size_t(row)];
    const std::string &dataset = t.datasets[d];
    m_activityTable->setSortingEnabled(false);
    m_activityTable->setRowCount(0);
    int n = 0, active = 0;
    for (const run::ActivityTable &a : m_results->tables.activity) {
        if (a.extractor != fr.extractor || a.data != fr.data || a.aggregation != fr.aggregation) continue;
        for (const profiles::PerturbationActivity &p : a.result.perturbations) {
            const std::vector<std::string> values = p.group < a.result.groups.size() ? a.result.groups[p.group].values : std::vector<std::string>{};
            if (run::datasetLabel(m_results->tables.groupBy, values) != dataset) continue;
            const int i = m_activityTable->rowCount();
            m_activityTable->insertRow(i);
            auto num = [](double v, int prec) {
                auto *item = new QTableWidgetItem;
                item->setData(Qt::DisplayRole, QString::number(v, 'g', prec).toDouble());
                return item;
            };
            auto *rep = new QTableWidgetItem;
            rep->setData(Qt::DisplayRole, a.repeat);
            m_activityTable->setItem(i, 0, rep);
            m_activityTable->setItem(i, 1, new QTableWidgetItem(q(p.perturbation)));
            m_activityTable->setItem(i, 2, new QTableWidgetItem(q(run::shortDatasetLabel(dataset))));
            auto *reps = new QTableWidgetItem;
            reps->setData(Qt::DisplayRole, p.nReplicates);
            m_activityTable->setItem(i, 3, reps);
            m_activityTable->setItem(i, 4, num(p.meanAveragePrecision, 4));
            m_activityTable->setItem(i, 5, num(p.pValue, 3));
            m_activityTable->setItem(i, 6, num(p.correctedPValue, 3));
            m_activityTable->setItem(i, 7, new QTableWidgetItem(p.belowCorrectedP ? tr("active") : QString()));
            ++n;
            active += p.belowCorrectedP ? 1 : 0;
        }
    }
    m_activityTable->setSortingEnabled(true);
    const run::FrCell &cell = fr.cells[d];
    m_frCellTitle->setText(tr("%1 · %2 · %3 · %4: %5 perturbation rows over the repeats, %6 active%7")
                               .arg(q(fr.extractor), q(fr.data), q(fr.aggregation), q(run::shortDatasetLabel(dataset)))
                               .arg(n)
                               .arg(active)
                               .arg(cell.evaluated() ? QString() : tr(" — not evaluated: %1").arg(q(cell.reason))));
}

void RunResultsView::showPerturbationWells(const QVariantMap &payload)
{
    if (!m_results) return;
    const std::string pert = payload.value(QStringLiteral("perturbation")).toString().toStdString();
    std::vector<std::string> values;
    for (const QVariant &v : payload.value(QStringLiteral("groupValues")).toList()) values.push_back(v.toString().toStdString());
    m_pertWells->clear();
    std::set<std::pair<std::string, std::string>> wells;
    for (const auto &[loc, info] : m_results->infos) {
        const auto it = info.metadata.find("Metadata_broad_sample");
        if (it == info.metadata.end() || it->second != pert) continue;
        bool same = true;
        for (size_t i = 0; i < m_results->tables.groupBy.size() && i < values.size(); ++i) {
            const auto g = info.metadata.find(m_results->tables.groupBy[i]);
            same &= g != info.metadata.end() && g->second == values[i];
        }
        if (same) wells.insert({loc.plate, loc.well});
    }
    for (const auto &[plate, well] : wells) {
        auto *item = new QListWidgetItem(q(plate) + QStringLiteral("  ") + q(well));
        item->setData(Qt::UserRole, QStringList{q(plate), q(well)});
        m_pertWells->addItem(item);
    }
    m_pertTitle->setText(tr("%1 (%2): %3 wells. Double-click a well: the inspector.")
                             .arg(q(pert), payload.value(QStringLiteral("dataset")).toString())
                             .arg(wells.size()));
}

void RunResultsView::exportView(PlotView *view, const QString &path, int dpi) const
{
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == QLatin1String("csv")) plots::writeTextFile(path, view->figure().csv);
    else plots::exportPlot(*view, path, view->figure().sizePt, dpi);
}

void RunResultsView::exportFrTable(const QString &path) const
{
    if (!m_results) throw Error("no run is open", path.toStdString(), "open a run first");
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == QLatin1String("md")) plots::writeTextFile(path, run::frTableMarkdown(m_results->fr, m_results->config.protocol));
    else if (ext == QLatin1String("csv")) plots::writeTextFile(path, run::frTableCsv(m_results->fr));
    else throw Error("the FR table exports as .csv or .md", path.toStdString(), "choose a .csv or .md file name");
}

void RunResultsView::exportDialog(PlotView *view)
{
    const QString stem = view->figure().title.section(QStringLiteral(" — "), 0, 0).simplified().replace(QLatin1Char(' '), QLatin1Char('_'));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), stem + QStringLiteral(".png"),
                                                      tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg);;CSV of the data drawn (*.csv)"));
    if (path.isEmpty()) return;
    try {
        exportView(view, path, m_dpi->value());
    } catch (const std::exception &e) {
        QMessageBox::warning(this, tr("Export"), QString::fromUtf8(e.what()));
    }
}

void RunResultsView::exportAllDialog()
{
    if (!m_results) return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all figures into…"), QFileInfo(m_results->folder).absolutePath());
    if (dir.isEmpty()) return;
    plots::ExportOptions o;
    o.dpi = m_dpi->value();
    exportAll(QDir(dir).filePath(m_results->name() + QStringLiteral("-figures")), o);
}

void RunResultsView::exportAll(const QString &folder, const plots::ExportOptions &options)
{
    if (!m_results || m_batch) return;
    try {
        m_batch = std::make_unique<plots::FigureExportBatch>(m_results, folder, options);
    } catch (const std::exception &e) {
        Q_EMIT exportAllFinished(false, QString::fromUtf8(e.what()));
        return;
    }
    m_exportAll->setEnabled(false);
    QTimer::singleShot(0, this, &RunResultsView::exportStep);
}

void RunResultsView::exportStep()
{
    if (!m_batch) return;
    try {
        m_batch->next();
    } catch (const std::exception &e) {
        m_batch.reset();
        m_exportAll->setEnabled(true);
        m_status->setText(tr("Export failed: %1").arg(QString::fromUtf8(e.what())));
        Q_EMIT exportAllFinished(false, QString::fromUtf8(e.what()));
        return;
    }
    m_status->setText(tr("Exporting figures… %1/%2").arg(m_batch->done()).arg(m_batch->total()));
    if (!m_batch->atEnd()) {
        QTimer::singleShot(0, this, &RunResultsView::exportStep);
        return;
    }
    const QString folder = m_batch->folder();
    m_batch.reset();
    m_exportAll->setEnabled(true);
    m_status->setText(tr("Figures exported to %1 (manifest.json lists them)").arg(folder));
    Q_EMIT exportAllFinished(true, folder);
}

QString RunResultsView::settingsGroup() const
{
    return m_results ? QStringLiteral("runs/") + q(m_results->configHash).left(16) + QStringLiteral("/view") : QString();
}

void RunResultsView::saveSettings() const
{
    if (m_updating || !m_results) return;
    QSettings s;
    s.beginGroup(settingsGroup());
    s.setValue(QStringLiteral("tab"), m_tabs->currentIndex());
    s.setValue(QStringLiteral("boxMetric"), m_boxMetric->currentData());
    s.setValue(QStringLiteral("fidExtractor"), m_fidExtractor->currentData());
    s.setValue(QStringLiteral("activity"), m_activityChoice->currentData());
    s.setValue(QStringLiteral("scatter"), m_scatterChoice->currentData());
    s.setValue(QStringLiteral("heatQuantity"), m_heatQuantity->currentData());
    s.setValue(QStringLiteral("heatModel"), m_heatModel->currentData());
    s.setValue(QStringLiteral("heatPlate"), m_heatPlate->currentData());
    s.setValue(QStringLiteral("heatShared"), m_heatShared->isChecked());
    s.setValue(QStringLiteral("dpi"), m_dpi->value());
}

void RunResultsView::restoreSettings()
{
    QSettings s;
    s.beginGroup(settingsGroup());
    if (s.contains(QStringLiteral("tab"))) m_tabs->setCurrentIndex(s.value(QStringLiteral("tab")).toInt());
    setCombo(m_boxMetric, s.value(QStringLiteral("boxMetric")));
    setCombo(m_fidExtractor, s.value(QStringLiteral("fidExtractor")));
    setCombo(m_activityChoice, s.value(QStringLiteral("activity")));
    setCombo(m_scatterChoice, s.value(QStringLiteral("scatter")));
    setCombo(m_heatQuantity, s.value(QStringLiteral("heatQuantity")));
    setCombo(m_heatModel, s.value(QStringLiteral("heatModel")));
    setCombo(m_heatPlate, s.value(QStringLiteral("heatPlate")));
    if (s.contains(QStringLiteral("heatShared"))) m_heatShared->setChecked(s.value(QStringLiteral("heatShared")).toBool());
    if (s.contains(QStringLiteral("dpi"))) m_dpi->setValue(s.value(QStringLiteral("dpi")).toInt());
}

} // namespace cprecon::ui
