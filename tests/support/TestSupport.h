#pragma once
// Where tests find the golden fixtures, the shared real data and the built CLI; skip cleanly when absent.
#include "jobs/ComputeBudget.h"

#include <QByteArray>
#include <QMap>
#include <QElapsedTimer>
#include <QString>
#include <QTimer>
#include <QtTest>

#include <vector>

namespace cprecon::test {

QString fixturesDir();      // $CPRECON_FIXTURES or the configured default (../shared/fixtures)
QString dataDir();          // $CPRECON_DATA or the configured default (../shared/data)
QString sourceDir();        // the project's source tree
QString cliPath();          // $CPRECON_CLI (set by CTest) or <build>/app/cprecon-cli
QString fixture(const QString &relative); // fixturesDir()/relative, or empty when it does not exist
QString data(const QString &relative);    // dataDir()/relative, or empty when it does not exist

// Runs cprecon-cli with args; returns exit code, fills stdout/stderr. A process that does not finish within
// timeoutMs is killed, recorded as a test failure and returns kCliTimedOut (never 0); a crash returns kCliCrashed.
constexpr int kCliTimedOut = -3;
constexpr int kCliCrashed = -2;
int runCli(const QStringList &args, QString *out = nullptr, QString *err = nullptr, int timeoutMs = 300000);

// The smallest cosine similarity between matching rows of `dim` values of a and b (a reduced-precision path keeps
// each feature vector's direction).
double worstCosine(const std::vector<float> &a, const std::vector<float> &b, size_t dim);

// Every file directly in `dir`, by name -> bytes (for "byte-identical output" checks).
QMap<QString, QByteArray> folderBytes(const QString &dir);

// A phantom screen written by `cprecon-cli phantom` into dir: 1 plate of 96 wells, 256² sites, seed 6 (the GUI tests'
// screen). Returns its folder, or an empty string after recording a test failure.
QString writePhantom(const QString &dir);

// The owner's event loop keeps turning: the longest gap between 5 ms ticks between start() and stop(). skip() forgets
// the time since the last tick (work of the test itself, e.g. a screenshot).
class LoopGapMeter {
public:
    LoopGapMeter();
    void start();
    void stop();
    void skip();
    qint64 longestMs() const { return m_longest; }

private:
    QElapsedTimer m_clock;
    QTimer m_tick;
    qint64 m_last = 0, m_longest = 0;
};

// Strict mode (CPRECON_REQUIRE_DATA=1, as CI runs): a missing fixture, data folder or tool fails the test
// instead of skipping it, so a green run means every test really ran.
bool strictMode();

// Runs f() with the process's compute budget (jobs/ComputeBudget.h) set to `threads`, then restores all cores:
// for tests that check a result does not depend on the thread count.
template <typename F> auto withThreads(int threads, F &&f)
{
    const compute::ScopedBudget budget(threads);
    return f();
}

} // namespace cprecon::test

// Something a test needs is missing: skip it (a developer without ../shared), or fail it in strict mode (CI).
#define CPRECON_MISSING(reason)                                                                  \
    do {                                                                                         \
        if (cprecon::test::strictMode()) QFAIL(qPrintable(QStringLiteral("strict mode (CPRECON_REQUIRE_DATA=1): ") + (reason))); \
        QSKIP(qPrintable(QString(reason)));                                                      \
    } while (false)

// A fixture/data path the test needs; CPRECON_MISSING when it does not exist.
#define CPRECON_REQUIRE_PATH(var, expr)                                                          \
    const QString var = (expr);                                                                  \
    if (var.isEmpty()) CPRECON_MISSING(QStringLiteral("not found: ") + QStringLiteral(#expr))
