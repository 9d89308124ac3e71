#pragma once
// Results ▸ Worst tiles: the tiles of one reconstruction ranked by a pixel metric and stain (worst first), each as
// original | reconstruction | |difference| thumbnails of that tile, the numbers beside; a click opens the inspector at
// that tile. Ranking (one streaming pass over the store) and thumbnails (each site reconstructed once, exactly as the
// run did: same request, same per-tile noise) run as a Task; choosing anything else restarts it.
#include "jobs/TaskManager.h"
#include "models/ModelPool.h"
#include "run/RunResults.h"
#include "screen/Screen.h"

#include <QImage>
#include <QPointer>
#include <QWidget>

#include <memory>

class QComboBox;
class QGridLayout;
class QLabel;
class QSpinBox;
class QToolButton;

namespace cprecon::ui {

struct GalleryTile {
    run::RankedTile tile;
    QImage original, reconstruction, difference; // thumbnails (empty when the site could not be reconstructed)
    QString error;
};

class TileGallery : public QWidget {
    Q_OBJECT
public:
    TileGallery(TaskManager *tasks, ModelPool *models, QWidget *parent = nullptr);

    // `screen`: the run's screen when the window has it open (else the gallery opens config.screens itself).
    void setResults(std::shared_ptr<const run::RunResults> results, std::shared_ptr<const Screen> screen);
    void setChoice(const QString &model, int repeat, const QString &metric, const QString &stain, int count);
    void refresh();

    const std::vector<GalleryTile> &tiles() const { return m_tiles; }
    QToolButton *tileButton(int i) const { return i >= 0 && i < m_buttons.size() ? m_buttons[i] : nullptr; }
    bool isBusy() const { return bool(m_task); }
    // The gallery as a figure (rows of original | reconstruction | difference with the numbers) and its CSV.
    void exportFigure(const QString &path, int dpi) const; // throws cprecon::Error
    std::string csv() const;

Q_SIGNALS:
    void tileActivated(const cprecon::run::RankedTile &tile, const QString &model, int repeat);
    void ready();

private:
    void rebuildChoices();
    void showTiles();

    TaskManager *m_tasks;
    ModelPool *m_models;
    std::shared_ptr<const run::RunResults> m_results;
    std::shared_ptr<const Screen> m_screen;
    std::vector<GalleryTile> m_tiles;
    QPointer<Task> m_task;
    quint64 m_generation = 0;
    QComboBox *m_model = nullptr, *m_metric = nullptr, *m_stain = nullptr;
    QSpinBox *m_count = nullptr;
    QLabel *m_status = nullptr;
    QWidget *m_host = nullptr;
    QGridLayout *m_grid = nullptr;
    QVector<QToolButton *> m_buttons;
    bool m_updating = false;
};

} // namespace cprecon::ui

