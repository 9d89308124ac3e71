#include "jobs/TaskManager.h"

namespace cprecon {

TaskManager::TaskManager(int workers, QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(std::max(1, workers));
    m_pool.setExpiryTimeout(30000);
}

TaskManager::~TaskManager()
{
    cancelAll();
    m_pool.waitForDone();
    for (const QPointer<Task> &t : m_tasks) delete t.data(); // their queued completions are dropped with them
}

Task *TaskManager::addTask(Task *task)
{
    task->setParent(nullptr);
    m_tasks.append(task);
    connect(task, &Task::finished, this, [this, task](bool ok) {
        m_tasks.removeAll(task);
        Q_EMIT taskFinished(task, ok);
        task->deleteLater();
        if (m_tasks.isEmpty()) Q_EMIT allTasksFinished();
    });
    m_pool.start([task] { task->runOnWorker(); });
    return task;
}

int TaskManager::activeTasks() const { return int(m_tasks.size()); }

void TaskManager::cancelAll()
{
    for (const QPointer<Task> &t : m_tasks)
        if (t) t->cancel();
}

bool TaskManager::waitForIdle(int msecs) { return m_pool.waitForDone(msecs); }

} // namespace cprecon
