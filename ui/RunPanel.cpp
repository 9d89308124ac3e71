#include "RunPanel.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace cprecon::ui {

RunPanel::RunPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(tr("No run yet: Benchmark ▸ New run…"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stage = new QLabel;
    m_bar = new QProgressBar;
    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
    m_stats = new QLabel;
    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    auto *buttons = new QHBoxLayout;
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Stop after the site in progress and wait (everything computed is stored); press again to go on"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_resume = new QPushButton(tr("Resume"));
    m_openReport = new QPushButton(tr("Open report folder"));
    for (QPushButton *b : {m_pause, m_cancel, m_resume, m_openReport}) {
        b->setEnabled(false);
        buttons->addWidget(b);
    }
    buttons->addStretch(1);
    layout->addWidget(m_title);
    layout->addWidget(m_stage);
    layout->addWidget(m_bar);
    layout->addWidget(m_stats);
    layout->addLayout(buttons);
    layout->addWidget(m_log, 1);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (!m_task) return;
        m_task->cancel();
        m_stage->setText(tr("Canceling after the site in progress…"));
        m_cancel->setEnabled(false);
    });
    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        if (!m_task) return;
        m_task->setPaused(paused);
        m_pause->setText(paused ? tr("Continue") : tr("Pause"));
        if (paused) m_stage->setText(tr("Pausing after the site in progress…"));
    });
    connect(m_resume, &QPushButton::clicked, this, [this] { Q_EMIT resumeRequested(m_folder); });
    connect(m_openReport, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_reportFolder)); });
}

void RunPanel::follow(run::BenchmarkTask *task, const QString &folder)
{
    m_task = task;
    m_folder = folder;
    m_reportFolder.clear();
    m_title->setText(tr("Run %1").arg(folder));
    m_stage->setText(tr("Checking the run against its screens…"));
    m_stats->clear();
    m_bar->setValue(0);
    m_log->clear();
    m_cancel->setEnabled(true);
    m_pause->setEnabled(true);
    m_pause->setChecked(false);
    m_resume->setEnabled(false);
    m_openReport->setEnabled(false);
    connect(task, &run::BenchmarkTask::runProgress, this, &RunPanel::onProgress);
    connect(task, &run::BenchmarkTask::runMessage, this, &RunPanel::onMessage);
    connect(task, &Task::finished, this, &RunPanel::onFinished);
}

QString RunPanel::statusText() const { return m_stage->text(); }

void RunPanel::onProgress(const run::RunProgress &p)
{
    if (p.tilesTotal > 0) m_bar->setValue(int(1000.0 * double(p.tilesDone) / double(p.tilesTotal)));
    m_stage->setText(tr("Tiles: %1 / %2 tile units, %3 / %4 sites").arg(p.tilesDone).arg(p.tilesTotal).arg(p.sitesDone).arg(p.sitesTotal));
    m_stats->setText(tr("%1 tiles/s · ETA %2 · device %3 · model busy %4 %")
                         .arg(p.tilesPerSecond, 0, 'f', 2)
                         .arg(QString::fromStdString(run::formatDuration(p.etaSeconds)), QString::fromStdString(p.device))
                         .arg(100 * p.modelBusyFraction, 0, 'f', 0));
}

void RunPanel::onMessage(const QString &event, const QString &text)
{
    if (event == QLatin1String("analysis")) {
        m_stage->setText(tr("Analysis: %1").arg(text));
        return;
    }
    if (event == QLatin1String("paused")) m_stage->setText(tr("Paused: %1").arg(text));
    m_log->appendPlainText(text);
}

void RunPanel::onFinished(bool ok)
{
    const run::BenchmarkTask *task = m_task;
    m_task = nullptr;
    m_cancel->setEnabled(false);
    m_pause->setEnabled(false);
    if (ok && task && task->outcome()) {
        m_bar->setValue(1000);
        m_reportFolder = task->outcome()->reportFolder;
        m_stage->setText(m_reportFolder.isEmpty() ? tr("Done") : tr("Done: the report is in %1").arg(m_reportFolder));
        m_openReport->setEnabled(!m_reportFolder.isEmpty());
        if (!m_reportFolder.isEmpty()) Q_EMIT reportReady(m_reportFolder);
        return;
    }
    const bool canceled = task && task->status() == Task::Status::Canceled;
    m_stage->setText(canceled ? tr("Interrupted: everything stored is kept — Resume continues the run")
                              : tr("Failed: %1").arg(task ? task->errorMessage() : tr("the run ended")));
    if (!canceled && task) m_log->appendPlainText(task->errorMessage());
    m_resume->setEnabled(canceled || QFileInfo::exists(m_folder + QStringLiteral("/results.sqlite")));
}

} // namespace cprecon::ui
