#include "MainWindow.h"

#include "InspectorView.h"
#include "ModelsDialog.h"
#include "PlateMapView.h"
#include "RunDialog.h"
#include "RunPanel.h"
#include "RunResultsView.h"
#include "SiteView.h"

#include "image/ImageReader.h"
#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"
#include "run/BenchmarkRun.h"
#include "run/WeightResolution.h"
#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cprecon::ui {

namespace {
constexpr int kMaxRecent = 10;
const QString kRecentKey = QStringLiteral("recentScreens");
const QString kRecentRunsKey = QStringLiteral("recentRuns");
} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("CellPaint Recon"));
    resize(1400, 900);

    // Left: plate selector + plate map + sites of the selected well.
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 4, 4);
    auto *plateBar = new QHBoxLayout;
    plateBar->addWidget(new QLabel(tr("Plate")));
    m_plateCombo = new QComboBox;
    m_plateCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_plateCombo->setMinimumContentsLength(14);
    plateBar->addWidget(m_plateCombo, 1);
    plateBar->addWidget(new QLabel(tr("Colour by")));
    m_colorBy = new QComboBox;
    m_colorBy->addItems({tr("Control / treatment"), tr("Perturbation"), tr("Cell line"), tr("Time point")});
    plateBar->addWidget(m_colorBy);
    leftLayout->addLayout(plateBar);
    m_plateMap = new PlateMapView;
    leftLayout->addWidget(m_plateMap, 3);
    m_plateSummary = new QLabel;
    m_plateSummary->setWordWrap(true);
    leftLayout->addWidget(m_plateSummary);
    leftLayout->addWidget(new QLabel(tr("Sites of the selected well")));
    m_sites = new QListWidget;
    m_sites->setMaximumHeight(130);
    leftLayout->addWidget(m_sites, 1);

    m_siteView = new SiteView;
    m_inspector = new InspectorView(m_tasks.get(), m_models.get());
    m_rightTabs = new QTabWidget;
    m_rightTabs->addTab(m_siteView, tr("Channels"));
    m_rightTabs->addTab(m_inspector, tr("Reconstruction inspector"));
    m_results = new RunResultsView(m_tasks.get(), m_models.get());
    m_rightTabs->addTab(m_results, tr("Run results"));
    connect(m_results, &RunResultsView::wellActivated, this, [this](const QString &plate, const QString &well, QString model, int repeat) {
        const auto r = m_results->results();
        if (!r || r->config.models.isEmpty()) return;
        if (model.isEmpty()) model = r->config.models.front(), repeat = 0; // the view shows no model: the run's first
        int site = 1;
        for (const auto &[loc, info] : r->infos)
            if (QString::fromStdString(loc.plate) == plate && QString::fromStdString(loc.well) == well) {
                site = loc.site;
                break;
            }
        inspectRunTile(plate, well, site, model, repeat);
    });
    connect(m_results, &RunResultsView::tileActivated, this, [this](const run::RankedTile &t, const QString &model, int repeat) {
        inspectRunTile(QString::fromStdString(t.key.plate), QString::fromStdString(t.key.well), t.key.site, model, repeat, t.tileRow, t.tileCol);
    });
    auto *split = m_split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(m_rightTabs);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    setCentralWidget(split);
    connect(split, &QSplitter::splitterMoved, this, &MainWindow::saveViewSettings);

    auto *dock = m_problemsDock = new QDockWidget(tr("Problems"), this);
    dock->setObjectName(QStringLiteral("problemsDock"));
    m_problems = new QTreeWidget;
    m_problems->setHeaderLabels({tr("Severity"), tr("File"), tr("Row"), tr("Problem"), tr("Fix")});
    m_problems->setRootIsDecorated(false);
    m_problems->header()->setSectionResizeMode(QHeaderView::Interactive);
    dock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {110}, Qt::Vertical);

    m_runDock = new QDockWidget(tr("Benchmark run"), this);
    m_runDock->setObjectName(QStringLiteral("runDock"));
    m_runPanel = new RunPanel;
    m_runDock->setWidget(m_runPanel);
    addDockWidget(Qt::BottomDockWidgetArea, m_runDock);
    tabifyDockWidget(dock, m_runDock);
    m_runDock->hide(); // shown when a run starts
    dock->hide();      // shown when a screen has problems
    connect(m_runPanel, &RunPanel::resumeRequested, this, [this](const QString &folder) {
        run::RunRequest r;
        r.folder = folder;
        r.resume = true;
        r.appVersion = QApplication::applicationVersion().toStdString();
        startRun(r);
    });

    buildMenus();
    refreshAvailableModels();
    // The window's size and docks as the user left them (per screen: the splitter; per run: the results views).
    {
        QSettings st;
        if (st.contains(QStringLiteral("window/geometry"))) restoreGeometry(st.value(QStringLiteral("window/geometry")).toByteArray());
    }
    statusBar()->showMessage(tr("Open a screen: File ▸ Open screen folder… / file…"));

    connect(m_plateCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (m_screen && i >= 0 && i < m_screen->plates.size()) showPlate(i);
    });
    connect(m_colorBy, &QComboBox::currentIndexChanged, this,
            [this](int i) { m_plateMap->setColorBy(static_cast<PlateMapView::ColorBy>(i)); });
    connect(m_plateMap, &PlateMapView::wellClicked, this, &MainWindow::onWellClicked);
    connect(m_sites, &QListWidget::currentRowChanged, this, [this](int row) {
        if (!m_screen || row < 0) return;
        const Plate *p = m_screen->plate(m_currentPlate);
        const Well *w = p ? p->well(m_currentWell) : nullptr;
        if (w && row < w->sites.size()) loadSite(w->sites[row]);
    });
    connect(m_siteView, &SiteView::settingsChanged, this, &MainWindow::saveViewSettings);
    // The inspector only computes while it is visible (reconstructions can take seconds per site).
    connect(m_rightTabs, &QTabWidget::currentChanged, this,
            [this](int index) { m_inspector->setActive(m_rightTabs->widget(index) == m_inspector); });
}

void MainWindow::refreshAvailableModels()
{
    // Checkpoints found on disk (HF cache, torch hub, models folder, picked files) join the baselines in the picker.
    const models::ModelRegistry registry = models::ModelRegistry::standard();
    const models::WeightDiscovery discovery(models::DiscoveryConfig::fromEnvironment());
    QStringList specs;
    for (const auto &st : discovery.statusAll(registry)) {
        const models::KnownModel *m = registry.find(st.name);
        if (m && m->kind == models::ModelKind::Vae && st.isUsable()) specs << QStringLiteral("sd-vae:") + st.path;
    }
    m_inspector->setAvailableModels(specs);
    m_vaeSpecs = specs;
}

bool MainWindow::isRunning() const { return m_run != nullptr; }

bool MainWindow::startRun(const run::RunRequest &request)
{
    if (m_run) return false; // one run at a time (the menu actions say so)
    auto *task = new run::BenchmarkTask(*m_models, request);
    m_run = task;
    m_runPanel->follow(task, request.folder);
    m_runDock->show();
    m_runDock->raise();
    m_lastResultsReload = 0;
    // Partial results: the results views follow the run, re-reading its store every m_resultsReloadMs.
    connect(task, &run::BenchmarkTask::runProgress, this, &MainWindow::onRunProgress);
    const QString folder = QFileInfo(request.folder).absoluteFilePath();
    connect(task, &Task::finished, this, [this, folder](bool) {
        statusBar()->showMessage(m_runPanel->statusText());
        if (QFileInfo::exists(QDir(folder).filePath(QStringLiteral("results.sqlite")))) {
            addRecentRun(folder);
            if (m_results->folder() == folder || m_results->folder().isEmpty()) m_results->openRun(folder);
        }
    });
    m_runTasks->addTask(task);
    return true;
}

void MainWindow::newRunDialog()
{
    if (m_run) {
        QMessageBox::information(this, tr("Benchmark"), tr("A run is in progress: cancel it first, or wait for it."));
        return;
    }
    if (!m_screen) {
        QMessageBox::information(this, tr("Benchmark"), tr("Open a screen first (File ▸ Open screen…)."));
        return;
    }
    RunDialog dialog(m_screen, m_vaeSpecs, this);
    if (dialog.exec() == QDialog::Accepted && dialog.canStart()) startRun(dialog.request());
}

void MainWindow::resumeRunDialog()
{
    if (m_run) {
        QMessageBox::information(this, tr("Benchmark"), tr("A run is in progress: cancel it first, or wait for it."));
        return;
    }
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Run folder to resume (holds results.sqlite)"));
    if (folder.isEmpty()) return;
    run::RunRequest r;
    r.folder = folder;
    r.resume = true;
    r.appVersion = QApplication::applicationVersion().toStdString();
    startRun(r);
}

void MainWindow::onRunProgress()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastResultsReload < m_resultsReloadMs || m_results->isLoading()) return;
    const QString folder = QFileInfo(m_runPanel->folder()).absoluteFilePath();
    if (!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("results.sqlite")))) return;
    m_lastResultsReload = now;
    if (m_results->folder() == folder) m_results->reload();
    else if (m_results->folder().isEmpty()) m_results->openRun(folder);
}

void MainWindow::openRunDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a run folder (holds config.json and results.sqlite)"),
                                                             QSettings().value(QStringLiteral("lastRunDir")).toString());
    if (folder.isEmpty()) return;
    QSettings().setValue(QStringLiteral("lastRunDir"), QFileInfo(folder).absolutePath());
    openRun(folder);
}

void MainWindow::openRun(const QString &folder)
{
    const QString abs = QFileInfo(folder).absoluteFilePath();
    if (!QFileInfo::exists(QDir(abs).filePath(QStringLiteral("results.sqlite")))) {
        const QString message = tr("%1 is not a run folder (no results.sqlite): choose the folder a run wrote (cprecon-cli run --out, "
                                   "or Benchmark ▸ New run…)").arg(abs);
        statusBar()->showMessage(message);
        Q_EMIT loadFailed(message);
        if (isVisible() && QApplication::platformName() != QLatin1String("offscreen")) QMessageBox::warning(this, tr("Open run"), message);
        return;
    }
    addRecentRun(abs);
    m_results->openRun(abs);
    showResults();
    // Without an open screen, open the run's: the heatmap and the gallery lead to its sites.
    connect(m_results, &RunResultsView::loaded, this, [this] {
        const auto r = m_results->results();
        if (r && !m_screen && m_loadingPath.isEmpty() && !r->config.screens.isEmpty() && QFileInfo::exists(r->config.screens.front()))
            openScreen(r->config.screens.front());
    }, Qt::SingleShotConnection);
}

void MainWindow::showResults() { m_rightTabs->setCurrentWidget(m_results); }

QStringList MainWindow::recentRuns() const { return QSettings().value(kRecentRunsKey).toStringList(); }

void MainWindow::addRecentRun(const QString &folder)
{
    QStringList list = recentRuns();
    list.removeAll(folder);
    list.prepend(folder);
    while (list.size() > kMaxRecent) list.removeLast();
    QSettings().setValue(kRecentRunsKey, list);
    rebuildRecentRunsMenu();
}

void MainWindow::rebuildRecentRunsMenu()
{
    if (!m_recentRunsMenu) return;
    m_recentRunsMenu->clear();
    const QStringList list = recentRuns();
    for (const QString &p : list) m_recentRunsMenu->addAction(p, this, [this, p] { openRun(p); });
    m_recentRunsMenu->setEnabled(!list.isEmpty());
}

void MainWindow::inspectRunTile(const QString &plate, const QString &well, int site, const QString &model, int repeat, int tileRow, int tileCol)
{
    const auto r = m_results->results();
    if (!r) return;
    m_pending = {r->config.screens.value(0), plate, well, model, site, repeat, tileRow, tileCol, true};
    const bool screenOpen = m_screen && m_screen->plate(plate) && m_screen->plate(plate)->well(well);
    if (!screenOpen) {
        if (m_pending.screen.isEmpty() || !QFileInfo::exists(m_pending.screen)) {
            statusBar()->showMessage(tr("The run's screen %1 is not on this machine: open it (File ▸ Open screen) to inspect %2 %3")
                                         .arg(m_pending.screen, plate, well));
            m_pending.active = false;
            return;
        }
        openScreen(m_pending.screen); // applyPendingInspection when it has loaded
        return;
    }
    applyPendingInspection();
}

void MainWindow::applyPendingInspection()
{
    if (!m_pending.active || !m_screen) return;
    const auto r = m_results->results();
    m_pending.active = false;
    if (!r) return;
    selectPlate(m_pending.plate);
    selectWell(m_pending.well);
    selectSite(m_pending.site);
    // The run's reconstruction: its model (resolved as the run resolved it), protocol and seed + repeat.
    std::string spec = m_pending.model.toStdString();
    try {
        spec = run::resolveModelSpec(spec);
    } catch (const std::exception &) {
        // keep the name: the inspector reports what it cannot load
    }
    m_inspector->setModel(QString::fromStdString(spec));
    m_inspector->setProtocol(r->config.protocol);
    m_inspector->setSeed(r->config.seed + quint64(m_pending.repeat));
    m_inspector->setPipeline(run::runPipelineOptions(r->config)); // the run's crop and tile size: its tiles
    m_inspector->focusTile(m_pending.tileRow, m_pending.tileCol);
    showInspector(true);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_run) {
        const auto answer = QMessageBox::question(this, tr("A benchmark run is in progress"),
                                                  tr("Stop the run and quit? Everything stored so far is kept; "
                                                     "Benchmark ▸ Resume run… continues it later."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_run->cancel(); // stops between sites; the run's TaskManager joins it on destruction
    }
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    QMainWindow::closeEvent(event);
}

void MainWindow::openModelsDialog()
{
    ModelsDialog dialog(this);
    connect(&dialog, &ModelsDialog::modelsChanged, this, &MainWindow::refreshAvailableModels);
    dialog.exec();
    refreshAvailableModels();
}

void MainWindow::showInspector(bool show) { m_rightTabs->setCurrentWidget(show ? static_cast<QWidget *>(m_inspector) : m_siteView); }

// Closing the window destroys its TaskManager, which cancels the loads still running (they check their cancel
// flag between files and CSV rows) and waits for them; results of superseded loads are dropped (generations).
MainWindow::~MainWindow() = default;

template <typename Result, typename Work, typename Done>
void MainWindow::runInBackground(const QString &what, QPointer<Task> &slot, Work work, Done done)
{
    if (slot) slot->cancel(); // superseded: free its worker as soon as it notices
    auto *task = new FunctionTask<Result>(what, std::move(work), std::move(done));
    slot = task;
    m_tasks->addTask(task);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openFolder = file->addAction(tr("Open screen &folder…"), this, [this] { openDialog(true); });
    openFolder->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open screen fi&le (load_data CSV, nf-core sheet)…"), this, [this] { openDialog(false); });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);

    QMenu *bench = menuBar()->addMenu(tr("&Benchmark"));
    bench->addAction(tr("&New run…"), this, &MainWindow::newRunDialog);
    bench->addAction(tr("&Resume run…"), this, &MainWindow::resumeRunDialog);
    bench->addSeparator();
    bench->addAction(tr("&Open run…"), this, &MainWindow::openRunDialog);
    m_recentRunsMenu = bench->addMenu(tr("Recent r&uns"));
    rebuildRecentRunsMenu();
    bench->addAction(tr("Show run re&sults"), this, &MainWindow::showResults);

    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Models…"), this, &MainWindow::openModelsDialog);
    tools->addAction(tr("&Reconstruction inspector"), this, [this] { showInspector(true); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About CellPaint Recon"), this, [this] {
        QMessageBox::about(this, tr("About CellPaint Recon"),
                           tr("<b>CellPaint Recon</b> %1<br>Does an image autoencoder keep the biology in Cell "
                              "Painting images? Reproduces and extends <i>Compressing Biology</i> "
                              "(arXiv 2510.19887).")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::openDialog(bool folder)
{
    QSettings s;
    const QString start = s.value(QStringLiteral("lastOpenDir")).toString();
    const QString path = folder ? QFileDialog::getExistingDirectory(this, tr("Open screen folder"), start)
                                : QFileDialog::getOpenFileName(this, tr("Open screen file"), start,
                                                               tr("Screen files (*.csv *.csv.gz);;All files (*)"));
    if (path.isEmpty()) return;
    s.setValue(QStringLiteral("lastOpenDir"), QFileInfo(path).absolutePath());
    openScreen(path);
}

QStringList MainWindow::recentScreens() const { return QSettings().value(kRecentKey).toStringList(); }

void MainWindow::addRecent(const QString &path)
{
    QStringList list = recentScreens();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent) list.removeLast();
    QSettings().setValue(kRecentKey, list);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList list = recentScreens();
    for (const QString &p : list) m_recentMenu->addAction(p, this, [this, p] { openScreen(p); });
    m_recentMenu->setEnabled(!list.isEmpty());
}

bool MainWindow::isBusy() const { return m_tasks->activeTasks() > 0; }

void MainWindow::openScreen(const QString &path)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    m_loadingPath = abs;
    statusBar()->showMessage(tr("Loading %1…").arg(abs));
    m_siteView->setBusy(true, tr("Loading screen…"));
    // A newer request cancels this one (openScreen checks the flag) and supersedes its result.
    const quint64 generation = ++m_screenGeneration;
    runInBackground<ScreenResult>(tr("Open %1").arg(abs), m_screenTask, [abs](Task &task) -> ScreenResult {
        ScreenResult r;
        OpenOptions options;
        options.cancel = task.cancelFlag();
        try {
            r.screen = std::make_shared<Screen>(cprecon::openScreen(abs, options));
        } catch (const Canceled &) {
            throw;
        } catch (const std::exception &e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }, [this, generation](const ScreenResult &r) {
        if (generation == m_screenGeneration) onScreenLoaded(r);
    });
}

void MainWindow::onScreenLoaded(const ScreenResult &r)
{
    m_siteView->setBusy(false);
    if (!r.screen) {
        statusBar()->showMessage(tr("Could not open %1").arg(m_loadingPath));
        QTreeWidgetItem *it = new QTreeWidgetItem({tr("Error"), m_loadingPath, QString(), r.error, QString()});
        m_problems->clear();
        m_problems->addTopLevelItem(it);
        m_problemsDock->show();
        Q_EMIT loadFailed(r.error);
        if (isVisible() && QApplication::platformName() != QLatin1String("offscreen"))
            QMessageBox::warning(this, tr("Could not open screen"), r.error);
        return;
    }
    showPlate(-1); // nothing may point into the previous screen once it is replaced
    m_screen = r.screen;
    addRecent(m_loadingPath);
    QString title = tr("CellPaint Recon — %1").arg(m_screen->name);
    if (m_screen->synthetic) title += tr(" [PHANTOM: synthetic, not biology]");
    setWindowTitle(title);

    m_plateCombo->blockSignals(true);
    m_plateCombo->clear();
    for (const auto &p : m_screen->plates) {
        int sites = 0;
        for (const auto &w : p.wells) sites += w.sites.size();
        m_plateCombo->addItem(QStringLiteral("%1 (%2 wells, %3 sites)").arg(p.barcode).arg(p.wells.size()).arg(sites));
    }
    m_plateCombo->blockSignals(false);
    showProblems();
    restoreViewSettings();
    statusBar()->showMessage(tr("%1: %2 plate(s), %3 problem(s)")
                                 .arg(m_screen->name)
                                 .arg(m_screen->plates.size())
                                 .arg(m_screen->problems.size()));
    if (const int first = preferredPlate(*m_screen); first >= 0) {
        m_plateCombo->setCurrentIndex(first);
        showPlate(first);
    }
    m_results->setScreen(m_screen);
    applyPendingInspection();
    Q_EMIT screenLoaded();
}

void MainWindow::showProblems()
{
    // The dock takes room only when there is something to read (View menu: right-click a dock bar to show it).
    m_problemsDock->setVisible(m_screen && !m_screen->problems.isEmpty());
    m_problems->clear();
    for (const auto &p : m_screen->problems) {
        auto *it = new QTreeWidgetItem({p.severity == Problem::Severity::Error ? tr("Error") : tr("Warning"), p.file,
                                        p.row >= 0 ? QString::number(p.row) : QString(), p.message, p.fix});
        it->setToolTip(3, p.message);
        m_problems->addTopLevelItem(it);
    }
}

void MainWindow::showPlate(int index)
{
    // The plate map shares ownership of the screen through an aliasing pointer to the plate.
    std::shared_ptr<const Plate> shared;
    if (m_screen && index >= 0 && index < m_screen->plates.size()) shared = std::shared_ptr<const Plate>(m_screen, &m_screen->plates[index]);
    const Plate *plate = shared.get();
    m_currentPlate = plate ? plate->barcode : QString();
    m_currentWell.clear();
    m_plateMap->setPlate(std::move(shared));
    m_sites->clear();
    if (!plate) return;
    int neg = 0, pos = 0, trt = 0, withImages = 0;
    for (const auto &w : plate->wells) {
        neg += w.meta.control == ControlType::NegativeControl;
        pos += w.meta.control == ControlType::PositiveControl;
        trt += w.meta.control == ControlType::Treatment;
        withImages += !w.sites.isEmpty();
    }
    m_plateSummary->setText(tr("<b>%1</b> — %2-well plate; %3 wells with images; %4 treatment, %5 negative control, "
                               "%6 positive control wells. Dashed rings are wells without images.")
                                .arg(plate->barcode)
                                .arg(int(plate->format))
                                .arg(withImages)
                                .arg(trt)
                                .arg(neg)
                                .arg(pos));
    // Open the first well with images, so a fresh screen shows pixels at once.
    for (const auto &w : plate->wells)
        if (!w.sites.isEmpty()) {
            selectWell(w.name);
            break;
        }
}

void MainWindow::selectPlate(const QString &barcode)
{
    if (!m_screen) return;
    for (int i = 0; i < m_screen->plates.size(); ++i)
        if (m_screen->plates[i].barcode == barcode) m_plateCombo->setCurrentIndex(i);
}

void MainWindow::selectWell(const QString &well)
{
    m_plateMap->setSelectedWell(well);
    onWellClicked(well);
}

void MainWindow::selectSite(int siteNumber)
{
    const Plate *p = m_screen ? m_screen->plate(m_currentPlate) : nullptr;
    const Well *w = p ? p->well(m_currentWell) : nullptr;
    if (!w) return;
    for (int i = 0; i < w->sites.size(); ++i)
        if (w->sites[i].number == siteNumber) m_sites->setCurrentRow(i);
}

void MainWindow::onWellClicked(const QString &well)
{
    const Plate *p = m_screen ? m_screen->plate(m_currentPlate) : nullptr;
    const Well *w = p ? p->well(well) : nullptr;
    if (!w) return;
    m_currentWell = well;
    m_sites->blockSignals(true);
    m_sites->clear();
    for (const auto &s : w->sites) {
        QStringList stains;
        for (const auto &c : s.channels) stains << c.stain;
        m_sites->addItem(tr("Site %1 — %2").arg(s.number).arg(stains.join(QStringLiteral(", "))));
    }
    m_sites->blockSignals(false);
    if (w->sites.isEmpty()) {
        m_siteView->clear(tr("%1 %2: no images for this well").arg(m_currentPlate, well));
        return;
    }
    m_sites->setCurrentRow(0); // loads the first site
}

void MainWindow::loadSite(const Site &site)
{
    FigureCaption caption;
    caption.screen = m_screen ? m_screen->name : QString();
    caption.plate = m_currentPlate;
    caption.well = m_currentWell;
    caption.site = site.number;
    m_inspector->setSite(site, caption);
    const quint64 generation = ++m_siteGeneration;
    m_siteView->setBusy(true);
    const Site copy = site; // the worker owns its copy; the screen may be replaced meanwhile
    runInBackground<SiteResult>(tr("Read site %1").arg(site.number), m_siteTask, [copy, generation](Task &task) -> SiteResult {
        SiteResult r;
        r.generation = generation;
        r.siteNumber = copy.number;
        // Cell Painting stains first in the canonical order, then any other channel (brightfield...).
        QVector<const ChannelImage *> ordered;
        for (const QString &stain : cellPaintingStains())
            if (const ChannelImage *c = copy.channel(stain)) ordered << c;
        for (const auto &c : copy.channels)
            if (!ordered.contains(&c)) ordered << &c;
        for (const ChannelImage *c : ordered) {
            if (task.isCanceled()) throw Canceled();
            try {
                r.images << readChannelImage(*c);
                r.stains << c->stain;
            } catch (const std::exception &e) {
                r.errors << QString::fromStdString(e.what());
            }
        }
        return r;
    }, [this](const SiteResult &r) {
        if (r.generation == m_siteGeneration) onSiteLoaded(r); // else superseded by a newer selection
    });
}

void MainWindow::onSiteLoaded(const SiteResult &r)
{
    const QString caption = tr("%1 · %2 · site %3").arg(m_currentPlate, m_currentWell).arg(r.siteNumber);
    if (r.images.isEmpty()) {
        m_siteView->setBusy(false);
        m_siteView->clear(tr("%1: no channel could be read").arg(caption));
    } else {
        m_siteView->setChannels(caption, r.stains, r.images);
    }
    for (const QString &e : r.errors) {
        m_problems->addTopLevelItem(new QTreeWidgetItem({tr("Error"), QString(), QString(), e, QString()}));
        m_problemsDock->show();
        statusBar()->showMessage(e);
    }
    Q_EMIT siteShown();
}

void MainWindow::restoreViewSettings()
{
    QSettings s;
    s.beginGroup(QStringLiteral("view/") + QString::number(qHash(m_screen ? m_screen->source : QString())));
    m_siteView->setSaturation(s.value(QStringLiteral("saturation"), 0.35).toDouble());
    m_siteView->setContrastLinked(s.value(QStringLiteral("linkContrast"), false).toBool());
    m_siteView->setCompositeVisible(s.value(QStringLiteral("composite"), true).toBool());
    m_inspector->setSettingsGroup(s.group() + QStringLiteral("/inspector"));
    if (s.contains(QStringLiteral("split"))) m_split->restoreState(s.value(QStringLiteral("split")).toByteArray());
    s.endGroup();
}

void MainWindow::saveViewSettings()
{
    if (!m_screen) return;
    QSettings s;
    s.beginGroup(QStringLiteral("view/") + QString::number(qHash(m_screen->source)));
    s.setValue(QStringLiteral("saturation"), m_siteView->saturation());
    s.setValue(QStringLiteral("linkContrast"), m_siteView->contrastLinked());
    s.setValue(QStringLiteral("composite"), m_siteView->compositeVisible());
    s.setValue(QStringLiteral("split"), m_split->saveState());
    s.endGroup();
}

} // namespace cprecon::ui
