#include "InspectorView.h"

#include "catalog/ModelRegistry.h"

#include "render/Colormaps.h"
#include "render/FigureExport.h"
#include "util/Error.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace cprecon::ui {

namespace {
constexpr int kHeaderWidth = 64, kHeaderHeight = 34; // the stain names and column titles around the panels
}

namespace {

QString columnTitle(int c, const QString &model, const QString &compare)
{
    switch (c) {
    case InspectorView::Original: return QObject::tr("Original");
    case InspectorView::Reconstruction: return QObject::tr("Reconstruction · %1").arg(model);
    case InspectorView::Difference: return QObject::tr("Difference · %1").arg(model);
    case InspectorView::CompareReconstruction: return QObject::tr("Reconstruction · %1").arg(compare);
    default: return QObject::tr("Difference · %1").arg(compare);
    }
}
} // namespace

InspectorView::InspectorView(TaskManager *tasks, ModelPool *models, QWidget *parent) : QWidget(parent)
{
    m_state = new InspectorModel(tasks, models, this);
    buildUi();
    // The model computes; the view presents what it delivers.
    connect(m_state, &InspectorModel::requested, this, [this](const QString &siteLabel, const QString &model) {
        m_status->setText(tr("Reconstructing %1 with %2…").arg(siteLabel, model));
        m_progress->setValue(0);
        m_progress->show();
    });
    connect(m_state, &InspectorModel::progress, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    });
    connect(m_state, &InspectorModel::resultsChanged, this, &InspectorView::onResultsChanged);
    connect(m_state, &InspectorModel::failed, this, [this](const QString &model, const QString &message) {
        if (!m_state->isRunning()) m_progress->hide();
        m_status->setText(tr("<b>%1 failed:</b> %2").arg(model, message.toHtmlEscaped()));
        Q_EMIT reconstructionFailed(message);
    });
    m_state->setModel(model());
}

void InspectorView::setSite(const Site &site, const FigureCaption &caption) { m_state->setSite(site, caption); }
void InspectorView::setActive(bool active) { m_state->setActive(active); }
void InspectorView::setModel(const QString &spec)
{
    m_model->setCurrentText(spec);
    m_state->setModel(spec);
    m_modelChosen = true;
}
void InspectorView::setCompareModel(const QString &spec)
{
    m_compareModel->setCurrentText(spec);
    m_state->setCompareModel(spec);
    m_compareChosen = true;
}
void InspectorView::setSeed(quint64 seed) { m_seed->setValue(int(seed)); }
void InspectorView::setStainsAsRows(bool rows) { m_layout->setCurrentIndex(rows ? 0 : 1); }
void InspectorView::setAbsoluteDifference(bool absolute) { m_diffMode->setCurrentIndex(absolute ? 1 : 0); }
void InspectorView::setProtocol(Protocol p) { m_protocol->setCurrentIndex(m_protocol->findData(int(p))); }
QString InspectorView::model() const { return m_model->currentText().trimmed(); }
Protocol InspectorView::protocol() const { return Protocol(m_protocol->currentData().toInt()); }
bool InspectorView::isRunning() const { return m_state->isRunning(); }
ReconstructionRunner *InspectorView::runner() const { return m_state->runner(); }

void InspectorView::onResultsChanged(bool layoutChanged)
{
    if (!m_state->isRunning()) m_progress->hide();
    const SiteReconstruction *main = m_state->result();
    if (!main) return;
    m_status->setText(tr("%1 · %2 · %3 protocol%4 · %5 s")
                          .arg(m_state->siteLabel(), main->model, protocolName(main->protocol),
                               main->protocol == Protocol::Paper ? tr(" (seed %1)").arg(main->seed) : QString())
                          .arg(main->seconds, 0, 'f', 2));
    if (layoutChanged || m_panels.isEmpty()) rebuildGrid();
    refreshImages();
    refreshMetrics();
    refreshLatents();
    applyFocusTile();
    Q_EMIT reconstructionShown();
}

void InspectorView::buildUi()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Model")));
    m_model = new QComboBox;
    m_model->setEditable(true);
    m_model->setObjectName(QStringLiteral("modelBox"));
    m_model->addItems(models::ModelRegistry::builtin().baselineSpecs());
    m_model->setToolTip(tr("bicubic8 and jpeg:<quality> need no weights; SD-VAE checkpoints appear when found "
                           "(Models dialog) or as sd-vae:<path>"));
    bar->addWidget(m_model);
    auto *pick = new QToolButton;
    pick->setText(QStringLiteral("…"));
    pick->setToolTip(tr("Use an SD-VAE checkpoint from disk (diffusers folder, HF snapshot, .safetensors/.ckpt/.pth)"));
    bar->addWidget(pick);
    connect(pick, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("SD-VAE checkpoint (or cancel to pick a folder)"), QString(),
                                                          tr("Checkpoints (*.safetensors *.ckpt *.pth *.bin);;All files (*)"));
        const QString chosen = path.isEmpty() ? QFileDialog::getExistingDirectory(this, tr("SD-VAE folder (diffusers / HF snapshot)")) : path;
        if (chosen.isEmpty()) return;
        const QString spec = QStringLiteral("sd-vae:") + chosen;
        setAvailableModels({spec});
        setModel(spec);
    });
    bar->addWidget(new QLabel(tr("vs")));
    m_compareModel = new QComboBox;
    m_compareModel->setEditable(true);
    m_compareModel->addItem(QString());
    m_compareModel->addItems(models::ModelRegistry::builtin().baselineSpecs());
    m_compareModel->setToolTip(tr("Second model shown side by side (empty: none)"));
    bar->addWidget(m_compareModel);
    bar->addWidget(new QLabel(tr("Protocol")));
    m_protocol = new QComboBox;
    m_protocol->addItem(tr("corrected (posterior mean)"), int(Protocol::Corrected));
    m_protocol->addItem(tr("paper (sampled latent)"), int(Protocol::Paper));
    bar->addWidget(m_protocol);
    bar->addWidget(new QLabel(tr("Seed")));
    m_seed = new QSpinBox;
    m_seed->setRange(0, 1000000);
    m_seed->setToolTip(tr("Seed of the sampled latent (paper protocol)"));
    bar->addWidget(m_seed);
    m_layout = new QComboBox;
    m_layout->addItems({tr("Stains as rows"), tr("Stains as columns")});
    bar->addWidget(m_layout);
    m_diffMode = new QComboBox;
    m_diffMode->addItems({tr("Signed difference"), tr("|Difference|")});
    bar->addWidget(m_diffMode);
    m_tileGrid = new QCheckBox(tr("Tiles"));
    m_tileGrid->setChecked(true);
    m_tileGrid->setToolTip(tr("Show the tile grid the model works on"));
    bar->addWidget(m_tileGrid);
    auto *fit = new QToolButton;
    fit->setText(tr("Fit"));
    auto *one = new QToolButton;
    one->setText(tr("1:1"));
    bar->addWidget(fit);
    bar->addWidget(one);
    auto *exportButton = new QPushButton(tr("Export…"));
    bar->addWidget(exportButton);
    bar->addStretch(1);
    outer->addLayout(bar);

    auto *body = new QHBoxLayout;
    m_tabs = new QTabWidget;
    m_gridHost = new QWidget;
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setSpacing(3);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_box = new AspectBox(m_gridHost);
    m_tabs->addTab(m_box, tr("Reconstruction"));
    auto *latentScroll = new QScrollArea;
    m_latentHost = new QWidget;
    m_latentGrid = new QGridLayout(m_latentHost);
    latentScroll->setWidget(m_latentHost);
    latentScroll->setWidgetResizable(true);
    m_tabs->addTab(latentScroll, tr("Latents"));
    body->addWidget(m_tabs, 4);

    auto *side = new QVBoxLayout;
    m_status = new QLabel(tr("Select a site"));
    m_status->setWordWrap(true);
    side->addWidget(m_status);
    m_progress = new QProgressBar;
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("%v / %m tile batches"));
    m_progress->hide();
    side->addWidget(m_progress);
    m_metrics = new QTableWidget(0, 4);
    m_metrics->verticalHeader()->hide();
    m_metrics->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_metrics->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metrics->setMinimumWidth(300);
    side->addWidget(m_metrics, 2);
    m_kld = new QLabel;
    m_kld->setWordWrap(true);
    side->addWidget(m_kld);
    m_tileInfo = new QLabel;
    m_tileInfo->setWordWrap(true);
    m_tileInfo->setTextFormat(Qt::RichText);
    side->addWidget(m_tileInfo);
    m_readout = new QLabel;
    m_readout->setTextFormat(Qt::RichText);
    side->addWidget(m_readout);

    auto *contrast = new QGridLayout;
    contrast->addWidget(new QLabel(tr("Saturation %")), 0, 0);
    m_saturation = new QDoubleSpinBox;
    m_saturation->setRange(0, 20);
    m_saturation->setDecimals(2);
    m_saturation->setSingleStep(0.1);
    m_saturation->setValue(0.35);
    contrast->addWidget(m_saturation, 0, 1);
    m_linkContrast = new QCheckBox(tr("Link contrast across stains"));
    contrast->addWidget(m_linkContrast, 1, 0, 1, 2);
    m_autoRange = new QCheckBox(tr("Auto difference range"));
    m_autoRange->setChecked(true);
    contrast->addWidget(m_autoRange, 2, 0);
    m_rangeSpin = new QDoubleSpinBox;
    m_rangeSpin->setRange(1, 255);
    m_rangeSpin->setDecimals(0);
    m_rangeSpin->setPrefix(QStringLiteral("±"));
    m_rangeSpin->setEnabled(false);
    contrast->addWidget(m_rangeSpin, 2, 1);
    side->addLayout(contrast);
    m_colorBar = new QLabel;
    m_colorBar->setMinimumHeight(150);
    side->addWidget(m_colorBar);
    side->addStretch(1);
    body->addLayout(side, 1);
    outer->addLayout(body, 1);

    // The model boxes are editable: a choice counts when it is picked from the list or the typing is finished
    // (Enter / leaving the box), never per keystroke — each keystroke used to start a reconstruction.
    auto commitModels = [this] {
        if (m_restoring) return;
        m_state->beginUpdate();
        m_state->setModel(model());
        m_state->setCompareModel(m_compareModel->currentText());
        m_state->endUpdate();
        saveSettings();
    };
    for (QComboBox *box : {m_model, m_compareModel}) {
        connect(box, &QComboBox::activated, this, commitModels);
        connect(box->lineEdit(), &QLineEdit::editingFinished, this, commitModels);
    }
    connect(m_protocol, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_restoring) m_state->setProtocol(protocol());
        saveSettings();
    });
    connect(m_seed, &QSpinBox::valueChanged, this, [this](int v) {
        if (!m_restoring) m_state->setSeed(quint64(v));
        saveSettings();
    });
    connect(m_layout, &QComboBox::currentIndexChanged, this, [this] {
        rebuildGrid();
        refreshImages();
    });
    connect(m_diffMode, &QComboBox::currentIndexChanged, this, &InspectorView::refreshImages);
    connect(m_tileGrid, &QCheckBox::toggled, this, &InspectorView::refreshImages);
    connect(m_saturation, &QDoubleSpinBox::valueChanged, this, &InspectorView::refreshImages);
    connect(m_linkContrast, &QCheckBox::toggled, this, &InspectorView::refreshImages);
    connect(m_autoRange, &QCheckBox::toggled, this, [this](bool on) {
        m_rangeSpin->setEnabled(!on);
        refreshImages();
    });
    connect(m_rangeSpin, &QDoubleSpinBox::valueChanged, this, [this] {
        if (!m_autoRange->isChecked()) refreshImages();
    });
    connect(fit, &QToolButton::clicked, this, [this] {
        if (!m_panels.isEmpty()) m_panels[0][0]->zoomFit();
    });
    connect(one, &QToolButton::clicked, this, [this] {
        if (!m_panels.isEmpty()) m_panels[0][0]->zoomOneToOne();
    });
    connect(exportButton, &QPushButton::clicked, this, &InspectorView::exportDialog);
}

void InspectorView::setAvailableModels(const QStringList &specs)
{
    for (QComboBox *box : {m_model, m_compareModel}) {
        const QString current = box->currentText();
        box->blockSignals(true);
        for (const QString &s : specs)
            if (box->findText(s) < 0) box->addItem(s);
        box->setCurrentText(current);
        box->blockSignals(false);
    }
}

void InspectorView::setSettingsGroup(const QString &group)
{
    m_settingsGroup = group;
    QSettings s;
    s.beginGroup(group);
    m_restoring = true; // one recomputation at the end, not one per control
    // Only what was saved overrides the current state (a model chosen before the screen opened stays).
    auto restore = [&s](const char *key, auto apply) {
        if (s.contains(QLatin1String(key))) apply(s.value(QLatin1String(key)));
    };
    // Models chosen explicitly (the command line's --inspect / --compare) before this restore win over saved ones;
    // the next screen's settings apply again.
    if (!m_modelChosen) restore("model", [this](const QVariant &v) { m_model->setCurrentText(v.toString()); });
    if (!m_compareChosen) restore("compare", [this](const QVariant &v) { m_compareModel->setCurrentText(v.toString()); });
    m_modelChosen = m_compareChosen = false;
    restore("protocol", [this](const QVariant &v) { setProtocol(Protocol(v.toInt())); });
    restore("seed", [this](const QVariant &v) { m_seed->setValue(v.toInt()); });
    restore("layout", [this](const QVariant &v) { m_layout->setCurrentIndex(v.toInt()); });
    restore("differenceMode", [this](const QVariant &v) { m_diffMode->setCurrentIndex(v.toInt()); });
    restore("tileGrid", [this](const QVariant &v) { m_tileGrid->setChecked(v.toBool()); });
    restore("saturation", [this](const QVariant &v) { m_saturation->setValue(v.toDouble()); });
    restore("linkContrast", [this](const QVariant &v) { m_linkContrast->setChecked(v.toBool()); });
    restore("autoRange", [this](const QVariant &v) { m_autoRange->setChecked(v.toBool()); });
    restore("range", [this](const QVariant &v) { m_rangeSpin->setValue(v.toDouble()); });
    m_restoring = false;
    // The restored choices, as one request.
    m_state->beginUpdate();
    m_state->setModel(model());
    m_state->setCompareModel(m_compareModel->currentText());
    m_state->setProtocol(protocol());
    m_state->setSeed(quint64(m_seed->value()));
    m_state->endUpdate();
}

void InspectorView::saveSettings() const
{
    if (m_settingsGroup.isEmpty() || m_restoring) return;
    QSettings s;
    s.beginGroup(m_settingsGroup);
    s.setValue(QStringLiteral("model"), m_model->currentText());
    s.setValue(QStringLiteral("compare"), m_compareModel->currentText());
    s.setValue(QStringLiteral("protocol"), m_protocol->currentData().toInt());
    s.setValue(QStringLiteral("seed"), m_seed->value());
    s.setValue(QStringLiteral("layout"), m_layout->currentIndex());
    s.setValue(QStringLiteral("differenceMode"), m_diffMode->currentIndex());
    s.setValue(QStringLiteral("tileGrid"), m_tileGrid->isChecked());
    s.setValue(QStringLiteral("saturation"), m_saturation->value());
    s.setValue(QStringLiteral("linkContrast"), m_linkContrast->isChecked());
    s.setValue(QStringLiteral("autoRange"), m_autoRange->isChecked());
    s.setValue(QStringLiteral("range"), m_rangeSpin->value());
}

void InspectorView::rebuildGrid()
{
    for (const auto &row : m_panels)
        for (auto *p : row) p->deleteLater();
    m_panels.clear();
    while (QLayoutItem *item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!m_state->result()) return;
    const int nStains = int(m_state->result()->stains.size());
    const int nCols = m_state->compareResult() ? 5 : 3;
    const bool rows = m_layout->currentIndex() == 0;
    if (m_focusStain > nStains) m_focusStain = -1;
    for (int c = 0; c < nCols; ++c) {
        auto *head = new QLabel(columnTitle(c, m_state->result()->model, m_state->compareResult() ? m_state->compareResult()->model : QString()));
        head->setAlignment(Qt::AlignCenter);
        head->setWordWrap(true);
        // Fixed header sizes, so the panel box (AspectBox) knows what is left for the square panels.
        if (rows) head->setFixedHeight(kHeaderHeight);
        else head->setFixedWidth(kHeaderWidth);
        if (rows)
            m_grid->addWidget(head, 0, c + 1);
        else
            m_grid->addWidget(head, c + 1, 0);
    }
    for (int s = 0; s <= nStains; ++s) {
        const QString name = s < nStains ? m_state->result()->stains[size_t(s)].stain : tr("Composite");
        // The stain's name is a button: focus mode (this stain large) and back.
        auto *label = new QPushButton(name);
        label->setFlat(true);
        label->setCursor(Qt::PointingHandCursor);
        label->setStyleSheet(QStringLiteral("font-weight: bold; color: %1").arg(s < nStains ? stainColor(name).darker(120).name() : QStringLiteral("#000")));
        label->setToolTip(m_focusStain == s ? tr("Show every stain") : tr("Focus: %1 large (original | reconstruction | difference)").arg(name));
        connect(label, &QPushButton::clicked, this, [this, s] { setFocusStain(m_focusStain == s ? -1 : s); });
        const bool hidden = m_focusStain >= 0 && m_focusStain != s;
        label->setVisible(!hidden);
        if (rows) label->setFixedWidth(kHeaderWidth);
        else label->setFixedHeight(kHeaderHeight);
        if (rows)
            m_grid->addWidget(label, s + 1, 0);
        else
            m_grid->addWidget(label, 0, s + 1);
        QVector<ImagePanel *> line;
        for (int c = 0; c < nCols; ++c) {
            auto *panel = new ImagePanel;
            panel->setMinimumSize(90, 90);
            if (rows)
                m_grid->addWidget(panel, s + 1, c + 1);
            else
                m_grid->addWidget(panel, c + 1, s + 1);
            connect(panel, &ImagePanel::viewChanged, this, &InspectorView::onViewChanged);
            connect(panel, &ImagePanel::pixelHovered, this, &InspectorView::onPixelHovered);
            panel->setVisible(!hidden);
            line << panel;
        }
        m_panels << line;
    }
    updateCells();
}

void InspectorView::updateCells()
{
    const SiteReconstruction *r = m_state->result();
    if (!r) return;
    const int nStains = int(r->stains.size()) + 1; // + composite
    const int nCols = m_state->compareResult() ? 5 : 3;
    const int lines = m_focusStain >= 0 ? 1 : nStains;
    const bool rows = m_layout->currentIndex() == 0;
    const cv::Size img = r->stains.empty() ? cv::Size(1, 1) : r->stains.front().original.size();
    const double aspect = img.height > 0 ? double(img.width) / img.height : 1.0;
    // Room for the stain names (a column or a row), the column titles and the spacing between panels.
    const int cols = rows ? nCols : lines, rowsN = rows ? lines : nCols, sp = m_grid->spacing();
    m_box->setCells(cols, rowsN, aspect, QSize(kHeaderWidth + sp * cols, kHeaderHeight + sp * rowsN));
}

void InspectorView::setFocusStain(int stainIndex)
{
    m_focusStain = stainIndex;
    rebuildGrid();
    refreshImages();
}

void InspectorView::focusTile(int row, int col)
{
    m_pendingTileRow = row;
    m_pendingTileCol = col;
    if (m_state->result() && !m_state->isRunning()) applyFocusTile();
}

void InspectorView::applyFocusTile()
{
    if (m_pendingTileRow == -2 || !m_state->result() || m_panels.isEmpty()) return;
    const int row = m_pendingTileRow, col = m_pendingTileCol;
    m_pendingTileRow = m_pendingTileCol = -2;
    const TileGrid &grid = m_state->result()->grid;
    ViewState v;
    if (row >= 0 && col >= 0 && row < grid.rows && col < grid.cols) {
        const cv::Rect rect = grid.sourceRect(row, col);
        const ImagePanel *p = m_panels[m_focusStain >= 0 && m_focusStain < m_panels.size() ? m_focusStain : 0].front();
        v.zoom = std::max(0.05, std::min(p->width(), p->height()) / double(std::max(rect.width, rect.height)));
        v.center = QPointF(rect.x + rect.width / 2.0, rect.y + rect.height / 2.0);
        m_tileGrid->setChecked(true);
        m_focusedTile = QPoint(col, row);
    } else {
        m_focusedTile = QPoint(-1, -1);
    }
    for (const auto &line : m_panels)
        for (ImagePanel *p : line) p->setViewState(v);
}

InspectorFigureOptions InspectorView::figureOptions() const
{
    InspectorFigureOptions o;
    o.stainsAsRows = m_layout->currentIndex() == 0;
    o.absoluteDifference = m_diffMode->currentIndex() == 1;
    o.differenceRange = m_diffRange;
    o.saturation = m_saturation->value();
    o.limits = m_limits;
    o.caption = m_state->caption();
    return o;
}

void InspectorView::refreshImages()
{
    saveSettings();
    if (m_restoring || !m_state->result() || m_panels.isEmpty()) return;
    m_limits = autoStainLimits(*m_state->result(), m_saturation->value(), m_linkContrast->isChecked());
    m_diffRange = m_autoRange->isChecked() ? autoDifferenceRange(*m_state->result()) : m_rangeSpin->value();
    if (m_autoRange->isChecked()) {
        m_rangeSpin->blockSignals(true);
        m_rangeSpin->setValue(m_diffRange);
        m_rangeSpin->blockSignals(false);
    }
    const bool absolute = m_diffMode->currentIndex() == 1;
    const int grid = m_tileGrid->isChecked() ? m_state->result()->grid.tileSize : 0;
    // The same renderer as the exported figure: what the panels show is what a figure prints.
    const InspectorPanels rendered = renderInspectorPanels(*m_state->result(), m_state->compareResult(), figureOptions());
    for (int s = 0; s < rendered.images.size() && s < m_panels.size(); ++s)
        for (int c = 0; c < rendered.images[s].size() && c < m_panels[s].size(); ++c) {
            ImagePanel *panel = m_panels[s][c];
            panel->setOverlayGrid(grid);
            panel->setImage(rendered.images[s][c]);
            if (s == int(m_state->result()->stains.size()) && (c == Difference || c == CompareDifference)) panel->setTitle(tr("mean |diff|"));
        }
    m_colorBar->setPixmap(QPixmap::fromImage(renderColorBar(absolute ? Colormap::SequentialViridis : Colormap::DivergingRdBu,
                                                            absolute ? 0.0 : -m_diffRange, m_diffRange,
                                                            absolute ? tr("|recon − orig|") : tr("recon − orig"), 110, 150)));
}

void InspectorView::refreshMetrics()
{
    if (!m_state->result()) return;
    const QString ssimHeader = QString::fromStdString(ssimLabel(m_state->result()->protocol));
    QStringList headers{tr("Stain"), tr("MAE"), ssimHeader, tr("EMD")};
    if (m_state->compareResult()) headers << tr("MAE (%1)").arg(m_state->compareResult()->model) << QString::fromStdString(ssimLabel(m_state->compareResult()->protocol)) << tr("EMD (%1)").arg(m_state->compareResult()->model);
    m_metrics->setColumnCount(headers.size());
    m_metrics->setHorizontalHeaderLabels(headers);
    m_metrics->setRowCount(int(m_state->result()->stains.size()));
    auto cell = [](double v) {
        auto *it = new QTableWidgetItem(QString::number(v, 'f', 4));
        it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return it;
    };
    for (int i = 0; i < int(m_state->result()->stains.size()); ++i) {
        const auto &s = m_state->result()->stains[size_t(i)];
        m_metrics->setItem(i, 0, new QTableWidgetItem(s.stain));
        m_metrics->setItem(i, 1, cell(s.mae));
        m_metrics->setItem(i, 2, cell(ssimReported(m_state->result()->protocol, s.ssim)));
        m_metrics->setItem(i, 3, cell(s.emd));
        if (m_state->compareResult())
            if (const StainReconstruction *c = m_state->compareResult()->stain(s.stain)) {
                m_metrics->setItem(i, 4, cell(c->mae));
                m_metrics->setItem(i, 5, cell(ssimReported(m_state->compareResult()->protocol, c->ssim)));
                m_metrics->setItem(i, 6, cell(c->emd));
            }
    }
    m_metrics->setToolTip(tr("Whole crop: mean over the %1 tiles; [0,1] scale; %2 protocol")
                              .arg(m_state->result()->grid.count())
                              .arg(protocolName(m_state->result()->protocol)));
    QStringList kld;
    for (const SiteReconstruction *r : {m_state->result(), m_state->compareResult()}) {
        if (!r) continue;
        for (const auto &t : r->triplets)
            if (!t.kld.empty())
                kld << tr("KLD %1 (%2) · %3: %4 per tile")
                           .arg(t.name, t.stains.join(QLatin1Char('/')), r->model)
                           .arg(t.kldMean, 0, 'g', 5);
    }
    m_kld->setText(kld.isEmpty() ? tr("KLD: the model has no posterior (weight-free baseline)") : kld.join(QLatin1Char('\n')));
}

void InspectorView::refreshLatents()
{
    for (auto *p : m_latentPanels) p->deleteLater();
    m_latentPanels.clear();
    while (QLayoutItem *item = m_latentGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!m_state->result()) return;
    int row = 0;
    for (const auto &t : m_state->result()->triplets) {
        if (t.latentChannels.empty()) continue;
        auto *head = new QLabel(tr("<b>Triplet %1</b> (%2)").arg(t.name, t.stains.join(QStringLiteral(", "))));
        m_latentGrid->addWidget(head, row++, 0, 1, 4);
        for (size_t c = 0; c < t.latentChannels.size(); ++c) {
            const cv::Mat &m = t.latentChannels[c];
            cv::Scalar mean, sd;
            cv::meanStdDev(m, mean, sd);
            double lo = 0, hi = 0;
            cv::minMaxLoc(m, &lo, &hi);
            auto *panel = new ImagePanel;
            panel->setMinimumSize(150, 150);
            panel->setImage(renderChannel(m, autoContrast(m, 0.5), Qt::white));
            panel->setTitle(tr("z%1  μ %2  σ %3  [%4, %5]")
                                .arg(c)
                                .arg(mean[0], 0, 'f', 2)
                                .arg(sd[0], 0, 'f', 2)
                                .arg(lo, 0, 'f', 1)
                                .arg(hi, 0, 'f', 1));
            m_latentGrid->addWidget(panel, row + int(c) / 4, int(c) % 4);
            m_latentPanels << panel;
        }
        row += int(t.latentChannels.size() + 3) / 4;
    }
    if (m_latentPanels.isEmpty())
        m_latentGrid->addWidget(new QLabel(tr("This model has no latent space to show (weight-free baseline).")), 0, 0);
}

ImagePanel *InspectorView::panel(int stainIndex, Column column) const
{
    if (stainIndex < 0 || stainIndex >= m_panels.size() || column >= m_panels[stainIndex].size()) return nullptr;
    return m_panels[stainIndex][column];
}

void InspectorView::onViewChanged(const ViewState &v)
{
    for (const auto &row : m_panels)
        for (auto *p : row)
            if (p != sender()) p->setViewState(v);
}

QString InspectorView::pixelReadout() const { return m_readout->text(); }
QString InspectorView::tileReadout() const { return m_tileInfo->text(); }

void InspectorView::onPixelHovered(int x, int y)
{
    if (!m_state->result() || x < 0) {
        m_readout->clear();
        return;
    }
    QStringList lines{tr("<b>x %1, y %2</b> (orig / recon / diff)").arg(x).arg(y)};
    for (const auto &s : m_state->result()->stains) {
        if (x >= s.original.cols || y >= s.original.rows) continue;
        const int o = s.original.at<uint8_t>(y, x), r = s.reconstruction.at<uint8_t>(y, x);
        QString line = QStringLiteral("<span style='color:%1'>%2</span>: %3 / %4 / %5")
                           .arg(stainColor(s.stain).darker(130).name(), s.stain)
                           .arg(o)
                           .arg(r)
                           .arg(r - o);
        if (m_state->compareResult())
            if (const StainReconstruction *c = m_state->compareResult()->stain(s.stain)) {
                const int r2 = c->reconstruction.at<uint8_t>(y, x);
                line += QStringLiteral(" · %1 / %2").arg(r2).arg(r2 - o);
            }
        lines << line;
    }
    m_readout->setText(lines.join(QStringLiteral("<br>")));

    const int tr_ = y / m_state->result()->grid.tileSize, tc = x / m_state->result()->grid.tileSize;
    if (tr_ == m_hoverTileRow && tc == m_hoverTileCol) return;
    m_hoverTileRow = tr_;
    m_hoverTileCol = tc;
    QStringList t{tr("<b>Tile r%1c%2</b> (MAE · %3 · EMD)").arg(tr_).arg(tc).arg(QString::fromStdString(ssimLabel(m_state->result()->protocol)).toHtmlEscaped())};
    for (const auto &s : m_state->result()->stains)
        for (const auto &m : s.tiles)
            if (m.row == tr_ && m.col == tc)
                t << QStringLiteral("%1: %2 · %3 · %4")
                         .arg(s.stain)
                         .arg(m.mae, 0, 'f', 4)
                         .arg(ssimReported(m_state->result()->protocol, m.ssim), 0, 'f', 4)
                         .arg(m.emd, 0, 'f', 4);
    for (const auto &trip : m_state->result()->triplets) {
        const size_t i = size_t(tr_ * m_state->result()->grid.cols + tc);
        if (i < trip.kld.size()) t << tr("KLD %1: %2").arg(trip.name).arg(trip.kld[i], 0, 'g', 5);
    }
    m_tileInfo->setText(t.join(QStringLiteral("<br>")));
}

namespace {
// Figure + metrics CSV of the shown results; the shared pointers keep them alive while a worker draws.
void writeFigureAndCsv(const QString &path, int dpi, const std::shared_ptr<const SiteReconstruction> &main,
                       const std::shared_ptr<const SiteReconstruction> &compare, const InspectorFigureOptions &o,
                       const QString &csv)
{
    const QSizeF size = inspectorFigureSize(*main, compare.get(), o);
    cprecon::exportFigure(path, size, dpi, [&](QPainter &p, const QSizeF &s) { paintInspectorFigure(p, s, *main, compare.get(), o); });
    if (!csv.isEmpty()) writeMetricsCsv(csv, {main.get(), compare.get()});
}
} // namespace

void InspectorView::exportFigure(const QString &path, int dpi) const
{
    if (!m_state->result()) throw Error("nothing to export yet", path.toStdString(), "wait for the reconstruction to finish");
    writeFigureAndCsv(path, dpi, m_state->sharedResult(), m_state->sharedCompareResult(), figureOptions(), {});
}

Task *InspectorView::exportInBackground(const QString &path, int dpi, const QString &csv)
{
    if (!m_state->result()) throw Error("nothing to export yet", path.toStdString(), "wait for the reconstruction to finish");
    // A 600-DPI PNG of 25 panels takes seconds: drawn on a worker, the window stays responsive.
    auto *task = new FunctionTask<bool>(
        tr("Export %1").arg(path),
        [path, dpi, csv, main = m_state->sharedResult(), compare = m_state->sharedCompareResult(), o = figureOptions()](Task &) {
            writeFigureAndCsv(path, dpi, main, compare, o, csv);
            return true;
        });
    connect(task, &Task::finished, this, [this, task, path, csv](bool ok) {
        if (ok)
            m_status->setText(tr("Exported %1 and %2").arg(path, csv));
        else if (QApplication::platformName() != QLatin1String("offscreen"))
            QMessageBox::warning(this, tr("Export failed"), task->errorMessage());
        else
            m_status->setText(tr("Export failed: %1").arg(task->errorMessage()));
        Q_EMIT exportFinished(ok, ok ? path : task->errorMessage());
    });
    m_state->tasks()->addTask(task);
    m_status->setText(tr("Exporting %1…").arg(path));
    return task;
}

void InspectorView::exportMetricsCsv(const QString &path) const
{
    if (!m_state->result()) throw Error("nothing to export yet", path.toStdString(), "wait for the reconstruction to finish");
    writeMetricsCsv(path, {m_state->result(), m_state->compareResult()});
}

void InspectorView::exportDialog()
{
    if (!m_state->result()) return;
    QSettings s;
    const QString start = s.value(QStringLiteral("inspector/exportDir")).toString();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export figure"), start + QStringLiteral("/") + QString(m_state->siteLabel()).replace(QLatin1Char('/'), QLatin1Char('_')) + QStringLiteral(".png"),
        tr("PNG image (*.png);;PDF (*.pdf);;SVG (*.svg)"));
    if (path.isEmpty()) return;
    s.setValue(QStringLiteral("inspector/exportDir"), QFileInfo(path).absolutePath());
    int dpi = s.value(QStringLiteral("inspector/dpi"), 300).toInt();
    if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        bool ok = false;
        dpi = QInputDialog::getInt(this, tr("Export figure"), tr("Resolution (DPI)"), dpi, 72, 1200, 50, &ok);
        if (!ok) return;
        s.setValue(QStringLiteral("inspector/dpi"), dpi);
    }
    const QString csv = QFileInfo(path).absolutePath() + QLatin1Char('/') + QFileInfo(path).completeBaseName() + QStringLiteral("_metrics.csv");
    exportInBackground(path, dpi, csv);
}

} // namespace cprecon::ui
