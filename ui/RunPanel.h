#pragma once
// Benchmark ▸ the run in progress: stage, a progress bar of tile units, throughput, ETA, the model's busy share,
// the run's messages (notes, warnings, the tile-pass summary) and Pause / Cancel / Resume / Open report. It only presents a
// BenchmarkTask that MainWindow started; canceling stops between sites and the store stays resumable.
#include "run/RunExecution.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace cprecon::ui {

class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(QWidget *parent = nullptr);

    // Follows `task` until it finishes (the panel never owns it).
    void follow(run::BenchmarkTask *task, const QString &folder);
    bool isRunning() const { return m_task != nullptr; }
    QString folder() const { return m_folder; }
    QString statusText() const;             // for tests: the stage line
    QProgressBar *progressBar() const { return m_bar; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *resumeButton() const { return m_resume; }
    QPushButton *pauseButton() const { return m_pause; }

Q_SIGNALS:
    void resumeRequested(const QString &folder);
    void reportReady(const QString &reportFolder);

private:
    void onProgress(const run::RunProgress &p);
    void onMessage(const QString &event, const QString &text);
    void onFinished(bool ok);

    QPointer<run::BenchmarkTask> m_task;
    QString m_folder, m_reportFolder;
    QLabel *m_title = nullptr, *m_stage = nullptr, *m_stats = nullptr;
    QProgressBar *m_bar = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QPushButton *m_cancel = nullptr, *m_pause = nullptr, *m_resume = nullptr, *m_openReport = nullptr;
};

} // namespace cprecon::ui
