#pragma once
// The main window: File ▸ Open screen… (folder or file, recent screens), the plate map (always visible), the sites
// of the selected well, all channels of the selected site, and a problems panel listing what did not load.
// Loading runs as Tasks on the window's TaskManager; a newer request cancels and supersedes an older one (restart pattern).
#include "jobs/TaskManager.h"
#include "models/ModelPool.h"
#include "screen/Screen.h"

#include <QMainWindow>
#include <QPointer>

#include "run/RunExecution.h"
#include <QPointer>

#include <memory>

#include <opencv2/core.hpp>

class QComboBox;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QSplitter;
class QTabWidget;
class QTreeWidget;

namespace cprecon::ui {

class InspectorView;
class PlateMapView;
class RunPanel;
class RunResultsView;
class SiteView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Starts loading a screen (root folder, load_data CSV, nf-core sheet or image folder) in the background.
    void openScreen(const QString &path);
    void selectPlate(const QString &barcode);
    void selectWell(const QString &well);
    void selectSite(int siteNumber);

    // For tests and other views.
    std::shared_ptr<const Screen> screen() const { return m_screen; }
    bool isBusy() const;
    PlateMapView *plateMap() const { return m_plateMap; }
    SiteView *siteView() const { return m_siteView; }
    InspectorView *inspector() const { return m_inspector; }
    void showInspector(bool show); // switches the right-hand tab
    QListWidget *siteList() const { return m_sites; }
    QTreeWidget *problemsList() const { return m_problems; }
    QDockWidget *problemsDock() const { return m_problemsDock; }
    QStringList recentScreens() const;

    // Benchmark runs (Benchmark ▸ New run… / Resume run…): one at a time, on their own worker, followed by the run
    // panel. Returns false when a run is already in progress.
    bool startRun(const run::RunRequest &request);
    bool isRunning() const;
    RunPanel *runPanel() const { return m_runPanel; }

    // Benchmark ▸ Open run… / `cprecon --run RUN_DIR`: the run's results views (opens the run's screen too when no
    // screen is open, so clicks reach the inspector). Recent runs are remembered.
    void openRun(const QString &folder);
    RunResultsView *resultsView() const { return m_results; }
    void showResults(); // switches the right-hand tab
    // A run in progress: its results views re-read the store at most this often (default 15 s).
    void setResultsRefreshInterval(int ms) { m_resultsReloadMs = ms; }
    QStringList recentRuns() const;
    // A well or tile of the run in the inspector: opens the run's screen when it is not the open one, selects the
    // well's site and shows the run's reconstruction (model, protocol, seed) zoomed on the tile (row/col -1: whole site).
    void inspectRunTile(const QString &plate, const QString &well, int site, const QString &model, int repeat, int tileRow = -1,
                        int tileCol = -1);

protected:
    void closeEvent(QCloseEvent *event) override;

Q_SIGNALS:
    void screenLoaded();
    void siteShown();
    void loadFailed(const QString &message);

private:
    struct ScreenResult {
        std::shared_ptr<Screen> screen;
        QString error;
    };
    struct SiteResult {
        QStringList stains;
        QVector<cv::Mat> images;
        QStringList errors;
        quint64 generation = 0;
        int siteNumber = 0;
    };

    void buildMenus();
    void onScreenLoaded(const ScreenResult &r);
    void showProblems();
    void showPlate(int index); // -1: none
    void onWellClicked(const QString &well);
    void loadSite(const Site &site);
    void onSiteLoaded(const SiteResult &r);
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void openDialog(bool folder);
    void refreshAvailableModels();
    void openModelsDialog();
    void restoreViewSettings();
    void saveViewSettings();
    void newRunDialog();
    void resumeRunDialog();
    void openRunDialog();
    void addRecentRun(const QString &folder);
    void rebuildRecentRunsMenu();
    void onRunProgress();
    void applyPendingInspection();

    std::shared_ptr<const Screen> m_screen;
    QString m_loadingPath;
    // Restart pattern without ever waiting on the GUI thread: every request gets its own watcher and a generation
    // number; a result whose generation is not the newest is dropped when it arrives.
    // Runs work(task) as a Task on the window's TaskManager; done(result) on the GUI thread when it succeeded.
    // `slot` remembers the task so that a newer request cancels the one it supersedes.
    template <typename Result, typename Work, typename Done>
    void runInBackground(const QString &what, QPointer<Task> &slot, Work work, Done done);
    quint64 m_screenGeneration = 0;
    quint64 m_siteGeneration = 0;
    // The window's loaded models and its workers (screen and site loads, inspector reconstructions). Members, so
    // the tasks are canceled and joined (m_tasks, declared last, goes first) before the models are released and
    // before any widget a completion could touch.
    std::unique_ptr<ModelPool> m_models = std::make_unique<ModelPool>();
    // Benchmark runs on their own worker, so a run of hours never holds up a screen or site load.
    std::unique_ptr<TaskManager> m_runTasks = std::make_unique<TaskManager>(1);
    std::unique_ptr<TaskManager> m_tasks = std::make_unique<TaskManager>();
    QPointer<Task> m_screenTask, m_siteTask; // the newest load of each kind
    QString m_currentPlate, m_currentWell;

    QComboBox *m_plateCombo = nullptr;
    QComboBox *m_colorBy = nullptr;
    PlateMapView *m_plateMap = nullptr;
    QLabel *m_plateSummary = nullptr;
    QListWidget *m_sites = nullptr;
    SiteView *m_siteView = nullptr;
    InspectorView *m_inspector = nullptr;
    QTabWidget *m_rightTabs = nullptr;
    QSplitter *m_split = nullptr; // plate map | views: its sizes persist per screen
    QTreeWidget *m_problems = nullptr;
    QMenu *m_recentMenu = nullptr;
    QStringList m_vaeSpecs; // checkpoints found on disk, offered by the run dialog
    RunPanel *m_runPanel = nullptr;
    QDockWidget *m_runDock = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    QPointer<Task> m_run;
    RunResultsView *m_results = nullptr;
    QMenu *m_recentRunsMenu = nullptr;
    qint64 m_lastResultsReload = 0; // ms since epoch: a run in progress refreshes its results views now and then
    int m_resultsReloadMs = 15000;
    struct PendingInspection {
        QString screen, plate, well, model;
        int site = 1, repeat = 0, tileRow = -1, tileCol = -1;
        bool active = false;
    } m_pending; // applied once the run's screen has loaded
};

} // namespace cprecon::ui
