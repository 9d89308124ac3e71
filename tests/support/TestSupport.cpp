#include "TestSupport.h"

#include <algorithm>
#include <cmath>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <QDir>
#include <QFileInfo>
#include <QProcess>

namespace cprecon::test {

static QString envOr(const char *name, const char *fallback)
{
    const QByteArray v = qgetenv(name);
    return QDir::cleanPath(v.isEmpty() ? QString::fromUtf8(fallback) : QString::fromLocal8Bit(v));
}

QString fixturesDir() { return envOr("CPRECON_FIXTURES", CPRECON_FIXTURES_DEFAULT); }
QString dataDir() { return envOr("CPRECON_DATA", CPRECON_DATA_DEFAULT); }
QString sourceDir() { return QString::fromUtf8(CPRECON_SOURCE_DIR); }
QString cliPath()
{
    const QByteArray v = qgetenv("CPRECON_CLI");
    return v.isEmpty() ? QString::fromUtf8(CPRECON_BINARY_DIR) + QStringLiteral("/app/cprecon-cli") : QString::fromLocal8Bit(v);
}

QString fixture(const QString &relative)
{
    const QString p = QDir(fixturesDir()).filePath(relative);
    return QFileInfo::exists(p) ? p : QString();
}

QString data(const QString &relative)
{
    const QString p = QDir(dataDir()).filePath(relative);
    return QFileInfo::exists(p) ? p : QString();
}

int runCli(const QStringList &args, QString *out, QString *err, int timeoutMs)
{
    QProcess p;
    p.start(cliPath(), args);
    if (!p.waitForStarted(30000)) {
        if (err) *err = QStringLiteral("cannot start ") + cliPath();
        return -1;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        const QString what = QStringLiteral("cprecon-cli %1 did not finish within %2 s").arg(args.join(QLatin1Char(' '))).arg(timeoutMs / 1000);
        if (out) *out = QString::fromUtf8(p.readAllStandardOutput());
        if (err) *err = what + QLatin1Char('\n') + QString::fromUtf8(p.readAllStandardError());
        QTest::qFail(qPrintable(what), __FILE__, __LINE__);
        return kCliTimedOut;
    }
    if (out) *out = QString::fromUtf8(p.readAllStandardOutput());
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : kCliCrashed;
}

bool strictMode()
{
    const QByteArray v = qgetenv("CPRECON_REQUIRE_DATA");
    return !v.isEmpty() && v != "0";
}

double worstCosine(const std::vector<float> &a, const std::vector<float> &b, size_t dim)
{
    double worst = 1;
    for (size_t row = 0; row + dim <= std::min(a.size(), b.size()); row += dim) {
        double dot = 0, a2 = 0, b2 = 0;
        for (size_t k = row; k < row + dim; ++k) {
            dot += double(a[k]) * b[k];
            a2 += double(a[k]) * a[k];
            b2 += double(b[k]) * b[k];
        }
        worst = std::min(worst, dot / std::sqrt(a2 * b2));
    }
    return worst;
}

QMap<QString, QByteArray> folderBytes(const QString &dir)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(dir, QDir::Files);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly)) out[QFileInfo(path).fileName()] = f.readAll();
    }
    return out;
}

QString writePhantom(const QString &dir)
{
    const QString out = QDir(dir).filePath(QStringLiteral("phantom"));
    QString stdOut, stdErr;
    const int rc = runCli({QStringLiteral("phantom"), QStringLiteral("--out"), out, QStringLiteral("--plates"), QStringLiteral("1"),
                           QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--size"), QStringLiteral("256"),
                           QStringLiteral("--seed"), QStringLiteral("6"), QStringLiteral("--quiet")},
                          &stdOut, &stdErr);
    if (rc != 0) {
        QTest::qFail(qPrintable(QStringLiteral("cprecon-cli phantom failed: ") + stdErr), __FILE__, __LINE__);
        return {};
    }
    return out;
}

LoopGapMeter::LoopGapMeter()
{
    QObject::connect(&m_tick, &QTimer::timeout, [this] {
        const qint64 now = m_clock.elapsed();
        m_longest = std::max(m_longest, now - m_last);
        m_last = now;
    });
}

void LoopGapMeter::start()
{
    m_longest = m_last = 0;
    m_clock.start();
    m_tick.start(5);
}

void LoopGapMeter::stop() { m_tick.stop(); }

void LoopGapMeter::skip() { m_last = m_clock.elapsed(); }

} // namespace cprecon::test
