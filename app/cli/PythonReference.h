#pragma once
// Runs a reference-implementation timing script (benchmarks/*.py) with Debian's /usr/bin/python3 in the same run as
// our benchmark, echoing its output, and collects its "key: number" lines. Missing Python or packages are reported
// (with the apt packages to install) and give an empty result: a benchmark never fails because the reference is absent.
#include <QString>
#include <QStringList>

#include <map>
#include <string>

namespace cprecon::cli {

struct PythonReferenceRun {
    QString script;
    QStringList args;
    int threads = 1;               // OMP / OpenBLAS threads of the reference
    QString extraLibraryPath;      // e.g. Debian's reference BLAS/LAPACK folders instead of the alternatives' choice
    QString note;                  // printed after the command line (e.g. "[reference BLAS/LAPACK]")
    QString packagesHint;          // "python3-skimage python3-scipy"
};

std::map<std::string, double> runPythonReference(const PythonReferenceRun &run);

} // namespace cprecon::cli
