#pragma once
// Owns the worker threads that run Tasks (QThreadPool: tasks orchestrate — read files, call the networks — while
// the numeric work inside them runs on the one CPU pool and LibTorch's, within the compute budget). Injected, not
// global: the GUI and the CLI each own one. Destroying it cancels every task and waits for the workers, which
// check isCanceled() inside their long steps, so closing a window returns promptly.
#include "jobs/Task.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

namespace cprecon {

class TaskManager : public QObject {
    Q_OBJECT
public:
    explicit TaskManager(int workers = 4, QObject *parent = nullptr);
    ~TaskManager() override; // cancels all tasks and waits for the workers

    // Starts `task` (which must live on the calling thread) on a worker and takes ownership: the task is deleted
    // (deleteLater) after its finished(ok). Keep a QPointer<Task> to cancel it or read its status meanwhile.
    Task *addTask(Task *task);
    int activeTasks() const; // started and not yet finished
    void cancelAll();
    // Waits up to msecs for the workers to become idle (tests, shutdown); true when idle.
    bool waitForIdle(int msecs);

Q_SIGNALS:
    void taskFinished(cprecon::Task *task, bool ok); // before the task is deleted
    void allTasksFinished();

private:
    QThreadPool m_pool;
    QList<QPointer<Task>> m_tasks;
};

} // namespace cprecon
