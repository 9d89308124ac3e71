#include "jobs/Task.h"

#include "util/Error.h"

#include <QMetaObject>
#include <QPointer>

namespace cprecon {

Task::Task(QString description, QObject *parent) : QObject(parent), m_description(std::move(description)) {}

Task::~Task() = default;

bool Task::isFinished() const
{
    const Status s = status();
    return s == Status::Complete || s == Status::Canceled || s == Status::Failed;
}

void Task::cancel()
{
    if (m_canceled.exchange(true)) return;
    onCancel();
}

QString Task::progressText() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_progressText;
}

QString Task::errorMessage() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_error;
}

void Task::setErrorMessage(const QString &message)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_error = message;
}

void Task::setProgress(double fraction, const QString &text)
{
    if (fraction >= 0) m_progress = std::min(1.0, fraction);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!text.isEmpty()) m_progressText = text;
    }
    // Queued to the owner's thread; dropped if the task is gone by then.
    QMetaObject::invokeMethod(this, [this, fraction, text] { Q_EMIT progressChanged(fraction, text); }, Qt::QueuedConnection);
}

void Task::runOnWorker()
{
    bool ok = false;
    QString error;
    if (!isCanceled()) {
        m_status = Status::Running;
        try {
            ok = run();
            if (!ok) error = errorMessage();
        } catch (const Canceled &e) {
            ok = false;
            if (!isCanceled()) error = QString::fromStdString(e.what()); // thrown without cancel(): a failure
        } catch (const std::exception &e) {
            ok = false;
            error = QString::fromStdString(e.what());
        } catch (...) {
            ok = false;
            error = QStringLiteral("unknown error");
        }
    }
    if (isCanceled()) ok = false;
    QMetaObject::invokeMethod(this, [this, ok, error] { completeOnOwner(ok, error); }, Qt::QueuedConnection);
}

void Task::completeOnOwner(bool ok, const QString &error)
{
    if (!ok && !error.isEmpty() && !isCanceled()) setErrorMessage(error);
    m_status = ok ? Status::Complete : isCanceled() ? Status::Canceled : Status::Failed;
    finishedOnOwner(ok);
    Q_EMIT finished(ok);
}

} // namespace cprecon
