#pragma once
// Where tests find the golden fixtures, the shared real data and the built CLI; skip cleanly when absent.
#include <QString>
#include <QtTest>

namespace cprecon::test {

QString fixturesDir();      // $CPRECON_FIXTURES or the configured default (../shared/fixtures)
QString dataDir();          // $CPRECON_DATA or the configured default (../shared/data)
QString sourceDir();        // the project's source tree
QString cliPath();          // $CPRECON_CLI (set by CTest) or <build>/app/cprecon-cli
QString fixture(const QString &relative); // fixturesDir()/relative, or empty when it does not exist
QString data(const QString &relative);    // dataDir()/relative, or empty when it does not exist

// Runs cprecon-cli with args; returns exit code, fills stdout/stderr.
int runCli(const QStringList &args, QString *out = nullptr, QString *err = nullptr, int timeoutMs = 300000);

} // namespace cprecon::test

// QSKIP when a fixture/data path is missing (CI always has them).
#define CPRECON_REQUIRE_PATH(var, expr)                                                          \
    const QString var = (expr);                                                                  \
    if (var.isEmpty()) QSKIP(qPrintable(QStringLiteral("not found: ") + QStringLiteral(#expr)))
