#pragma once
// Long work, in one shape (QgsTask's): run() on a worker thread of a TaskManager, isCanceled() checked inside long
// steps, setProgress() from anywhere, finished(ok) delivered on the thread that owns the Task (the GUI thread for
// the app) after finishedOnOwner(ok) has handed the results over. A task that throws cprecon::Canceled, or
// returns while canceled, ends Canceled; any other exception ends Failed with its message.
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace cprecon {

class Task : public QObject {
    Q_OBJECT
public:
    enum class Status { Queued, Running, Complete, Canceled, Failed };

    explicit Task(QString description, QObject *parent = nullptr);
    ~Task() override;

    QString description() const { return m_description; }
    Status status() const { return m_status.load(); }
    bool isFinished() const;
    bool isCanceled() const { return m_canceled.load(); }
    // Any thread. run() sees isCanceled() at its next check; onCancel() lets a task interrupt a blocking call.
    void cancel();
    // For core functions that take a cancel flag (reconstructSite, extractScreenProfiles, ...).
    const std::atomic<bool> *cancelFlag() const { return &m_canceled; }
    double progress() const { return m_progress.load(); }
    QString progressText() const;
    QString errorMessage() const; // after finished(false)

Q_SIGNALS:
    void progressChanged(double fraction, const QString &text); // on the owner's thread
    void finished(bool ok);                                    // on the owner's thread, once

protected:
    // On a worker thread. Return false (with setErrorMessage) or throw to fail.
    virtual bool run() = 0;
    // On the owner's thread, before finished(ok): move results out of the worker's reach.
    virtual void finishedOnOwner(bool ok) { (void)ok; }
    // Any thread, from cancel(): interrupt a blocking call (e.g. a network transfer).
    virtual void onCancel() {}
    // Any thread. fraction in [0, 1] (negative: unknown); delivered to the owner's thread as progressChanged.
    void setProgress(double fraction, const QString &text = {});
    void setErrorMessage(const QString &message);

private:
    friend class TaskManager;
    void runOnWorker();                                  // called by the TaskManager's worker
    void completeOnOwner(bool ok, const QString &error); // queued to the owner's thread

    QString m_description;
    std::atomic<Status> m_status{Status::Queued};
    std::atomic<bool> m_canceled{false};
    std::atomic<double> m_progress{0.0};
    mutable std::mutex m_mutex; // m_progressText, m_error
    QString m_progressText, m_error;
};

// A Task from two functions: work(task) on the worker returns the result, done(result) runs on the owner's
// thread when it succeeded (failures and cancellation arrive as finished(false) / status()).
template <typename Result> class FunctionTask final : public Task {
public:
    FunctionTask(QString description, std::function<Result(Task &)> work, std::function<void(Result &)> done = {},
                 QObject *parent = nullptr)
        : Task(std::move(description), parent), m_work(std::move(work)), m_done(std::move(done))
    {
    }
    using Task::setProgress; // work() may report progress through the task it is given

protected:
    bool run() override
    {
        m_result = std::make_unique<Result>(m_work(*this));
        return true;
    }
    void finishedOnOwner(bool ok) override
    {
        if (ok && m_done && m_result) m_done(*m_result);
    }

private:
    std::function<Result(Task &)> m_work;
    std::function<void(Result &)> m_done;
    std::unique_ptr<Result> m_result;
};

} // namespace cprecon
