#pragma once
// The reconstruction inspector: for the selected site, per stain original | reconstruction | difference (and a
// second model side by side), linked zoom/pan, shared contrast for original and reconstruction, a signed
// colour-blind-safe difference map with its colour bar, live metrics per stain and per tile, KLD per triplet,
// the latent channels, and export of the figure (PNG/PDF/SVG) and the numbers (CSV).
// What is inspected and computed lives in InspectorModel (requests, results); this view only presents it.
// Reconstructions run as Tasks: cached per (site, model, protocol, seed and every setting that changes a number);
// choosing another site or model cancels the running job. Changing contrast, zoom or layout never recomputes.
#include "AspectBox.h"
#include "ImagePanel.h"
#include "recon/ReconstructionReport.h"
#include "recon/InspectorModel.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QProgressBar;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace cprecon::ui {

class InspectorView : public QWidget {
    Q_OBJECT
public:
    enum Column { Original = 0, Reconstruction = 1, Difference = 2, CompareReconstruction = 3, CompareDifference = 4 };

    // Reconstructions run as Tasks on `tasks` with the models of `models` (the window's), or on the view's own.
    explicit InspectorView(TaskManager *tasks = nullptr, ModelPool *models = nullptr, QWidget *parent = nullptr);

    // The site to inspect (copied); caption fields name it in figures. Starts the reconstruction when active.
    void setSite(const Site &site, const FigureCaption &caption);
    void setActive(bool active); // only an active (visible) inspector computes
    void setModel(const QString &spec);
    void setCompareModel(const QString &spec); // empty = no comparison
    void setProtocol(Protocol p);
    void setSeed(quint64 seed);
    void setPipeline(const PipelineOptions &pipeline) { m_state->setPipeline(pipeline); } // a run's crop and tiles
    void setStainsAsRows(bool rows);
    void setAbsoluteDifference(bool absolute);
    void setAvailableModels(const QStringList &specs); // model picker entries (baselines always present)
    // Display settings (model, protocol, layout, contrast, difference mode...) persist in this QSettings group;
    // the main window passes one group per screen. Restores the group's values at once.
    void setSettingsGroup(const QString &group);

    // State, for tests and exports.
    QString model() const;
    Protocol protocol() const;
    bool isRunning() const;
    const SiteReconstruction *result() const { return m_state->result(); }
    const SiteReconstruction *compareResult() const { return m_state->compareResult(); }
    InspectorModel *state() const { return m_state; }
    ImagePanel *panel(int stainIndex, Column column) const; // stainIndex == stain count: composite row
    QTableWidget *metricsTable() const { return m_metrics; }
    QString pixelReadout() const;
    QString tileReadout() const;
    ReconstructionRunner *runner() const;
    InspectorFigureOptions figureOptions() const;

    // Zooms every panel onto tile (row, col) of the crop (row < 0: the whole site), now or when the next result shows.
    void focusTile(int row, int col);
    QPoint focusedTile() const { return m_focusedTile; } // (col, row) last applied; (-1, -1) none
    // Focus mode: one stain's original | reconstruction | difference large (-1: every stain). Clicking a stain's
    // name toggles it.
    void setFocusStain(int stainIndex);
    int focusStain() const { return m_focusStain; }
    AspectBox *panelBox() const { return m_box; }

    void exportFigure(const QString &path, int dpi) const; // throws cprecon::Error
    // The same (plus the metrics CSV when csv is given) as a Task; exportFinished when done. What the dialog uses.
    Task *exportInBackground(const QString &path, int dpi, const QString &csv = {});
    void exportMetricsCsv(const QString &path) const;      // throws cprecon::Error

Q_SIGNALS:
    void reconstructionShown(); // a (new) result is on screen
    void reconstructionFailed(const QString &message);
    void exportFinished(bool ok, const QString &pathOrError);

private:
    void buildUi();
    void onResultsChanged(bool layoutChanged);
    void rebuildGrid();
    void refreshImages();
    void refreshMetrics();
    void refreshLatents();
    void onPixelHovered(int x, int y);
    void onViewChanged(const ViewState &v);
    void exportDialog();
    void saveSettings() const;
    void applyFocusTile();
    void updateCells();

    InspectorModel *m_state = nullptr; // what is inspected and computed; the view only presents it
    QVector<ContrastLimits> m_limits;
    double m_diffRange = 1;

    QComboBox *m_model = nullptr, *m_compareModel = nullptr, *m_protocol = nullptr, *m_layout = nullptr,
              *m_diffMode = nullptr;
    QSpinBox *m_seed = nullptr;
    QDoubleSpinBox *m_saturation = nullptr, *m_rangeSpin = nullptr;
    QCheckBox *m_linkContrast = nullptr, *m_autoRange = nullptr, *m_tileGrid = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr, *m_readout = nullptr, *m_tileInfo = nullptr, *m_colorBar = nullptr, *m_kld = nullptr;
    QTableWidget *m_metrics = nullptr;
    QTabWidget *m_tabs = nullptr;
    QWidget *m_gridHost = nullptr;
    AspectBox *m_box = nullptr;
    int m_focusStain = -1;
    int m_pendingTileRow = -2, m_pendingTileCol = -2; // -2: nothing pending
    QPoint m_focusedTile{-1, -1};
    QGridLayout *m_grid = nullptr;
    QVector<QVector<ImagePanel *>> m_panels; // [stain row][column]
    QWidget *m_latentHost = nullptr;
    QGridLayout *m_latentGrid = nullptr;
    QVector<ImagePanel *> m_latentPanels;
    int m_hoverTileRow = -1, m_hoverTileCol = -1;
    QString m_settingsGroup;
    bool m_restoring = false;
    bool m_modelChosen = false, m_compareChosen = false; // set by setModel / setCompareModel until the next restore
};

} // namespace cprecon::ui
