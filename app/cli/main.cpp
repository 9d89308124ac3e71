// cprecon-cli: the headless twin of the app for clusters and scripts.
#include "CliRegistry.h"

#include "jobs/ComputeBudget.h"
#include "jobs/HeapPolicy.h"
#include "nets/TorchRuntime.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QApplication>

#include <memory>

#include <cstdio>
#include <iostream>

namespace cprecon::cli {

std::map<std::string, Command> &registry()
{
    static std::map<std::string, Command> r;
    return r;
}

} // namespace cprecon::cli

static void printHelp()
{
    std::cout << "cprecon-cli — CellPaint Recon, headless\n\nUsage: cprecon-cli <command> [options]\n\nCommands:\n";
    for (const auto &[name, cmd] : cprecon::cli::registry())
        std::cout << "  " << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << cmd.summary << "\n";
    std::cout << "\n`cprecon-cli <command> --help` prints a command's options; --version the version; --man the man page.\n";
}

// Commands that draw figures need fonts and widgets (QCustomPlot), i.e. a QApplication; headless machines get the offscreen platform.
static bool needsGui(int argc, char **argv)
{
    QStringList words;
    for (int i = 1; i < argc && i < 4; ++i) words << QString::fromLocal8Bit(argv[i]);
    for (int n = int(words.size()); n >= 1; --n) {
        const auto it = cprecon::cli::registry().find(words.mid(0, n).join(QLatin1Char(' ')).toStdString());
        if (it != cprecon::cli::registry().end()) return it->second.needsGui;
    }
    return false;
}

int main(int argc, char **argv)
{
    cprecon::heap::keepFreedBlocksForReuse(); // before any thread exists (one arena)
    std::unique_ptr<QCoreApplication> appPtr;
    if (needsGui(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        appPtr = std::make_unique<QApplication>(argc, argv); // figures are drawn by QCustomPlot, a widget
    } else {
        appPtr = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication &app = *appPtr;
    QCoreApplication::setApplicationName(QStringLiteral("cprecon"));
    QCoreApplication::setOrganizationName(QStringLiteral("CellPaintRecon"));
    QStringList args = app.arguments().mid(1);
    if (!args.isEmpty() && args[0] == QStringLiteral("--version")) {
        std::cout << "cprecon-cli " << CPRECON_VERSION << "\n";
        return 0;
    }
    if (!args.isEmpty() && args[0] == QStringLiteral("--man")) { // the package's man page, from the same definitions
        std::cout << cprecon::cli::manPage(CPRECON_VERSION);
        return 0;
    }
    if (args.isEmpty() || args[0] == QStringLiteral("--help") || args[0] == QStringLiteral("-h")) {
        printHelp();
        return args.isEmpty() ? 2 : 0;
    }
    // Longest match of command words ("screen info" before "screen").
    auto &reg = cprecon::cli::registry();
    const cprecon::cli::Command *cmd = nullptr;
    int words = 0;
    for (int n = std::min<int>(3, args.size()); n >= 1 && !cmd; --n) {
        const auto it = reg.find(args.mid(0, n).join(QLatin1Char(' ')).toStdString());
        if (it != reg.end()) {
            cmd = &it->second;
            words = n;
        }
    }
    if (!cmd) {
        std::cerr << "cprecon-cli: unknown command '" << args.join(QLatin1Char(' ')).toStdString() << "'\n";
        printHelp();
        return 2;
    }
    const QStringList rest = args.mid(words);
    if (rest.contains(QStringLiteral("--help")) || rest.contains(QStringLiteral("-h"))) {
        std::cout << cprecon::cli::helpText(*cmd);
        return 0;
    }
    try {
        const cprecon::cli::Args parsed = cprecon::cli::parseArguments(*cmd, rest);
        // One compute budget for the whole process (--threads N; default all cores), set once here for the
        // project's pool, OpenCV, OpenBLAS and LibTorch (Debian's LibTorch starts with one thread).
        cprecon::compute::configure(parsed.intValue(QStringLiteral("threads"), 0));
        cprecon::torchrt::followComputeBudget();
        return cmd->run(parsed);
    } catch (const cprecon::Error &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
