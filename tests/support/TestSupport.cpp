#include "TestSupport.h"

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
    p.waitForFinished(timeoutMs);
    if (out) *out = QString::fromUtf8(p.readAllStandardOutput());
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

} // namespace cprecon::test
