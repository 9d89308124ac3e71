#pragma once
// Results of a benchmark run (Benchmark ▸ Open run…, or the run in progress): tabs for the pixel metrics' box plots,
// FID and KLD bars, the FR table (click a cell: the activity behind it), the activity plot, the plate heatmap (click a
// well: the inspector), the mAP scatter (click a perturbation: its wells) and the worst tiles (click: the inspector at
// that tile). Every view exports PNG / PDF / SVG and the CSV of what it draws; Export all writes every figure with a
// manifest.json, the files `cprecon-cli report --format` writes. The run loads on a worker (restart pattern: a newer
// load supersedes an older one), so a run that is still writing can be reloaded at any time.
#include "jobs/TaskManager.h"
#include "models/ModelPool.h"
#include "PlotExport.h"
#include "run/RunResults.h"
#include "screen/Screen.h"

#include <QPointer>
#include <QWidget>

#include <memory>
#include <set>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTabWidget;

namespace cprecon::ui {

class FrTableModel;
class PlotView;
class TileGallery;

class RunResultsView : public QWidget {
    Q_OBJECT
public:
    enum Tab { PixelMetrics, FidKld, FrTab, Activity, Heatmap, Scatter, WorstTiles };

    RunResultsView(TaskManager *tasks, ModelPool *models, QWidget *parent = nullptr);

    void openRun(const QString &folder); // loads in the background; loaded() when shown
    void reload();                       // the same run again (a run in progress has more sites now)
    void setScreen(std::shared_ptr<const Screen> screen); // the window's screen, for the gallery's thumbnails
    std::shared_ptr<const run::RunResults> results() const { return m_results; }
    QString folder() const { return m_folder; }
    bool isLoading() const { return bool(m_load); }
    QString statusText() const; // the header's status line (what is stored, or why the run cannot be read)

    // The views, for tests and the window.
    QTabWidget *tabs() const { return m_tabs; }
    PlotView *boxPlot() const { return m_box; }
    PlotView *fidPlot() const { return m_fid; }
    PlotView *kldPlot() const { return m_kld; }
    PlotView *activityPlot() const { return m_activity; }
    PlotView *heatmapPlot() const { return m_heatmap; }
    PlotView *scatterPlot() const { return m_scatter; }
    QTableView *frTable() const { return m_frView; }
    FrTableModel *frModel() const { return m_frModel; }
    QTableWidget *activityTable() const { return m_activityTable; }
    QListWidget *perturbationWells() const { return m_pertWells; }
    TileGallery *gallery() const { return m_gallery; }
    QComboBox *boxMetric() const { return m_boxMetric; }
    QComboBox *heatmapQuantity() const { return m_heatQuantity; }
    QComboBox *heatmapPlate() const { return m_heatPlate; }
    QCheckBox *heatmapSharedLimits() const { return m_heatShared; }

    // The FR cell (row, dataset column) -> the per-perturbation activity table below it.
    void showFrCell(int row, int column);
    // The wells of a perturbation of the scatter (payload of its point).
    void showPerturbationWells(const QVariantMap &payload);

    // Exports a plot / the FR table / the gallery by the path's extension (.png .pdf .svg, .csv = the data drawn,
    // .md = the FR table). Throws cprecon::Error naming the file.
    void exportView(PlotView *view, const QString &path, int dpi) const;
    void exportFrTable(const QString &path) const;
    // Every figure into `folder`, one per event-loop turn; exportAllFinished when done.
    void exportAll(const QString &folder, const plots::ExportOptions &options);
    bool isExporting() const { return bool(m_batch); }

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);
    void wellActivated(const QString &plate, const QString &well, const QString &model, int repeat); // the model shown
    void tileActivated(const cprecon::run::RankedTile &tile, const QString &model, int repeat);
    void exportAllFinished(bool ok, const QString &folderOrError);

private:
    void buildUi();
    QWidget *plotTab(PlotView *view, QWidget *controls);
    void show(std::shared_ptr<const run::RunResults> results);
    void rebuildChoices();
    void drawTab(int tab); // when stale
    void drawBox();
    void drawFidKld();
    void drawActivity();
    void drawHeatmap();
    void drawScatter();
    void exportDialog(PlotView *view);
    void exportAllDialog();
    void exportStep();
    void saveSettings() const;
    void restoreSettings();
    QString settingsGroup() const;

    TaskManager *m_tasks;
    ModelPool *m_models;
    QString m_folder;
    std::shared_ptr<const run::RunResults> m_results;
    std::shared_ptr<const Screen> m_screen;
    QPointer<Task> m_load;
    quint64 m_generation = 0;
    bool m_updating = false;
    std::set<int> m_stale; // tabs not drawn since the last (re)load
    std::unique_ptr<plots::FigureExportBatch> m_batch;

    QLabel *m_title = nullptr, *m_status = nullptr;
    QPushButton *m_reload = nullptr, *m_exportAll = nullptr;
    QSpinBox *m_dpi = nullptr;
    QTabWidget *m_tabs = nullptr;
    PlotView *m_box = nullptr, *m_fid = nullptr, *m_kld = nullptr, *m_activity = nullptr, *m_heatmap = nullptr, *m_scatter = nullptr;
    QComboBox *m_boxMetric = nullptr, *m_fidExtractor = nullptr, *m_activityChoice = nullptr, *m_scatterChoice = nullptr;
    QComboBox *m_heatQuantity = nullptr, *m_heatModel = nullptr, *m_heatPlate = nullptr;
    QCheckBox *m_heatShared = nullptr;
    QTableView *m_frView = nullptr;
    FrTableModel *m_frModel = nullptr;
    QLabel *m_frCellTitle = nullptr, *m_pertTitle = nullptr;
    QTableWidget *m_activityTable = nullptr;
    QListWidget *m_pertWells = nullptr;
    TileGallery *m_gallery = nullptr;
};

} // namespace cprecon::ui
