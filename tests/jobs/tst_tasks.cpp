// The one shape of long work: a Task runs on a worker, reports progress and finishes on the owner's thread;
// cancellation, failures and the TaskManager's shutdown.
#include "TestSupport.h"

#include "jobs/ParallelFor.h"
#include "jobs/TaskManager.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QThread>

#include <atomic>
#include <chrono>
#include <thread>

using namespace cprecon;

namespace {
// Works until canceled, checking the flag every 5 ms (like a reconstruction between batches).
class Spinner final : public Task {
public:
    Spinner() : Task(QStringLiteral("spin")) {}
    std::atomic<bool> started{false};

protected:
    bool run() override
    {
        started = true;
        while (!isCanceled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return true;
    }
};

// What a task said when it finished. The TaskManager deletes a task (deleteLater) once it has finished, and
// any later event loop -- a QSignalSpy::wait for another task -- may run that delete, so a test reads the
// outcome in the finished handler, as every real caller does, never through the pointer afterwards.
struct Outcome {
    explicit Outcome(Task *task)
    {
        QObject::connect(task, &Task::finished, task, [this, task](bool ok) {
            this->ok = ok;
            status = task->status();
            error = task->errorMessage();
            done = true;
        });
    }
    bool done = false, ok = false;
    Task::Status status = Task::Status::Queued;
    QString error;
};
} // namespace

class TestTasks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsOnAWorkerAndFinishesOnTheOwnersThread()
    {
        TaskManager tasks;
        QThread *workerThread = nullptr, *doneThread = nullptr;
        QList<double> fractions;
        auto *task = new FunctionTask<int>(
            QStringLiteral("sum"),
            [&](Task &t) {
                workerThread = QThread::currentThread();
                static_cast<FunctionTask<int> &>(t).setProgress(0.5, QStringLiteral("half"));
                return 42;
            },
            [&](int &r) {
                doneThread = QThread::currentThread();
                QCOMPARE(r, 42);
            });
        connect(task, &Task::progressChanged, this, [&](double f, const QString &) {
            QCOMPARE(QThread::currentThread(), thread());
            fractions << f;
        });
        Outcome outcome(task);
        QPointer<Task> alive(task);
        tasks.addTask(task);
        QTRY_VERIFY_WITH_TIMEOUT(outcome.done, 10000);
        QVERIFY(outcome.ok);
        QVERIFY(workerThread && workerThread != thread());
        QCOMPARE(doneThread, thread());
        QCOMPARE(fractions, QList<double>{0.5});
        QCOMPARE(outcome.status, Task::Status::Complete);
        QTRY_VERIFY(!alive); // deleted after finished
    }

    void cancelEndsARunningTaskPromptly()
    {
        TaskManager tasks;
        auto *task = new Spinner;
        Outcome outcome(task);
        QSignalSpy finished(task, &Task::finished);
        tasks.addTask(task);
        QTRY_VERIFY(task->started.load());
        QElapsedTimer clock;
        clock.start();
        task->cancel();
        QVERIFY(finished.wait(5000));
        QVERIFY2(clock.elapsed() < 500, qPrintable(QStringLiteral("%1 ms").arg(clock.elapsed())));
        QVERIFY(!outcome.ok);
        QCOMPARE(outcome.status, Task::Status::Canceled);
        QVERIFY(outcome.error.isEmpty()); // canceled is not failed
    }

    void failuresCarryTheirMessage()
    {
        TaskManager tasks;
        auto *bad = new FunctionTask<int>(QStringLiteral("bad"), [](Task &) -> int {
            throw Error("the file is broken", "/data/x.tif", "re-download it");
        });
        auto *canceled = new FunctionTask<int>(QStringLiteral("canceled"), [](Task &) -> int { throw Canceled(); });
        Outcome badOutcome(bad), canceledOutcome(canceled);
        tasks.addTask(bad);
        tasks.addTask(canceled);
        QTRY_VERIFY_WITH_TIMEOUT(badOutcome.done && canceledOutcome.done, 5000);
        QCOMPARE(badOutcome.status, Task::Status::Failed);
        QVERIFY2(badOutcome.error.contains(QStringLiteral("/data/x.tif")), qPrintable(badOutcome.error));
        QCOMPARE(canceledOutcome.status, Task::Status::Failed); // thrown without cancel(): a failure, not a cancellation
        QVERIFY2(canceledOutcome.error.contains(QStringLiteral("canceled")), qPrintable(canceledOutcome.error));
    }

    void destroyingTheManagerCancelsAndJoins()
    {
        QPointer<Task> alive;
        QElapsedTimer clock;
        {
            TaskManager tasks;
            auto *task = new Spinner;
            alive = task;
            tasks.addTask(task);
            QTRY_VERIFY(task->started.load());
            clock.start();
        } // cancels the spinner and waits for its worker
        QVERIFY2(clock.elapsed() < 500, qPrintable(QStringLiteral("%1 ms").arg(clock.elapsed())));
        QVERIFY(!alive);
    }

    void parallelLoopsNestWithoutDeadlock()
    {
        // A parallel loop inside a task inside another parallel loop: the one pool shares its threads.
        TaskManager tasks;
        auto *task = new FunctionTask<long>(QStringLiteral("nested"), [](Task &) {
            std::vector<long> partial(16, 0);
            parallelFor(partial.size(), [&](size_t i) {
                std::vector<long> inner(64, 0);
                parallelFor(inner.size(), [&](size_t j) { inner[j] = long(i * 64 + j); });
                for (long v : inner) partial[i] += v;
            });
            long sum = 0;
            for (long v : partial) sum += v;
            return sum;
        });
        QSignalSpy done(task, &Task::finished);
        tasks.addTask(task);
        QVERIFY(done.wait(10000));
        QCOMPARE(done.at(0).at(0).toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TestTasks)
#include "tst_tasks.moc"
