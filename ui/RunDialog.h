#pragma once
// Benchmark ▸ New run…: the run config over the open screen — subset (plates, cell lines, time points from the
// screen's metadata), models (the baselines and the checkpoints on disk), protocol, extractors, aggregations,
// repeats, null size, device, output folder. Every change is checked against the screen (planRun: missing
// weights, no negative controls in a dataset, too few tiles for FID...) and the problem is named inline; Start
// is enabled only for a run that can start.
#include "run/RunExecution.h"
#include "screen/Screen.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace cprecon::ui {

class RunDialog : public QDialog {
    Q_OBJECT
public:
    // models: reconstruction models to offer besides the baselines (e.g. "sd-vae:<path>" of checkpoints found).
    RunDialog(std::shared_ptr<const Screen> screen, const QStringList &models, QWidget *parent = nullptr);

    run::RunConfig config() const; // what the controls say
    run::RunRequest request() const;
    QString problems() const;      // the inline check's text ("" when the run can start without warnings)
    bool canStart() const;

    // For tests and scripted use.
    void setOutputFolder(const QString &folder);
    void setModelChecked(const QString &model, bool checked);
    void setExtractorChecked(const QString &extractor, bool checked);
    void setRepeats(int repeats);
    void setNullSize(int nullSize);
    void recheck(); // runs the check now (it also runs after every change)

private:
    std::shared_ptr<const Screen> m_screen;
    QListWidget *m_plates = nullptr, *m_cellLines = nullptr, *m_timePoints = nullptr, *m_models = nullptr;
    QComboBox *m_protocol = nullptr, *m_device = nullptr;
    std::vector<std::pair<QString, QCheckBox *>> m_extractors;
    QCheckBox *m_mean = nullptr, *m_median = nullptr;
    QSpinBox *m_repeats = nullptr, *m_nullSize = nullptr, *m_crop = nullptr;
    QLineEdit *m_folder = nullptr;
    QLabel *m_check = nullptr;
    QPushButton *m_start = nullptr;
    bool m_ok = false;
    QString m_problems;
};

} // namespace cprecon::ui
