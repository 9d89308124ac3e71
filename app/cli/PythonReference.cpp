#include "PythonReference.h"

#include <QFileInfo>
#include <QProcess>

#include <iostream>

namespace cprecon::cli {

std::map<std::string, double> runPythonReference(const PythonReferenceRun &run)
{
    std::map<std::string, double> values;
    const QString python = QStringLiteral("/usr/bin/python3");
    if (!QFileInfo::exists(python)) {
        std::cout << "reference: /usr/bin/python3 not found, skipped\n";
        return values;
    }
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OMP_NUM_THREADS"), QString::number(run.threads));
    env.insert(QStringLiteral("OPENBLAS_NUM_THREADS"), QString::number(run.threads));
    if (!run.extraLibraryPath.isEmpty()) env.insert(QStringLiteral("LD_LIBRARY_PATH"), run.extraLibraryPath);
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const QStringList args = QStringList{run.script} + run.args;
    std::cout << "reference: " << python.toStdString() << " " << args.join(QLatin1Char(' ')).toStdString()
              << (run.note.isEmpty() ? std::string() : "  " + run.note.toStdString()) << "\n" << std::flush;
    p.start(python, args);
    if (!p.waitForStarted()) {
        std::cout << "reference: could not start python, skipped\n";
        return values;
    }
    QByteArray all;
    while (p.state() != QProcess::NotRunning) {
        p.waitForReadyRead(1000);
        const QByteArray chunk = p.readAllStandardOutput();
        if (chunk.isEmpty()) continue;
        std::cout << "  | " << QString::fromUtf8(chunk).trimmed().replace(QStringLiteral("\n"), QStringLiteral("\n  | ")).toStdString()
                  << "\n" << std::flush;
        all += chunk;
    }
    all += p.readAllStandardOutput();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        std::cout << "reference: python exited with code " << p.exitCode() << " (needs " << run.packagesHint.toStdString()
                  << ": apt-get install " << run.packagesHint.toStdString() << ")\n";
    for (const QByteArray &line : all.split('\n')) {
        if (line.startsWith('#')) continue;
        const int colon = line.indexOf(':');
        if (colon <= 0) continue;
        bool ok = false;
        const double v = line.mid(colon + 1).trimmed().toDouble(&ok);
        if (ok) values[line.left(colon).trimmed().toStdString()] = v;
    }
    return values;
}

} // namespace cprecon::cli
