// cprecon-cli: the headless twin of the app for clusters and scripts.
#include "CliRegistry.h"

#include "jobs/ComputeBudget.h"
#include "nets/TorchRuntime.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

#include <cstdio>
#include <iostream>

namespace cprecon::cli {

std::map<std::string, Command> &registry()
{
    static std::map<std::string, Command> r;
    return r;
}

Args::Args(const QStringList &args)
{
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a.startsWith(QStringLiteral("--"))) {
            QString key = a.mid(2), value;
            const int eq = key.indexOf(QLatin1Char('='));
            if (eq >= 0) {
                value = key.mid(eq + 1);
                key = key.left(eq);
            } else if (i + 1 < args.size() && !args[i + 1].startsWith(QStringLiteral("--"))) {
                value = args[++i];
            }
            m_options.append({key, value});
        } else {
            m_positionals << a;
        }
    }
}

bool Args::has(const QString &flag) const
{
    for (const auto &o : m_options)
        if (o.first == flag) return true;
    return false;
}

QString Args::value(const QString &key, const QString &fallback) const
{
    for (const auto &o : m_options)
        if (o.first == key) return o.second;
    return fallback;
}

QStringList Args::values(const QString &key) const
{
    QStringList out;
    for (const auto &o : m_options)
        if (o.first == key) out << o.second.split(QLatin1Char(','), Qt::SkipEmptyParts);
    return out;
}

QString Args::require(const QString &key) const
{
    if (!has(key) || value(key).isEmpty())
        throw Error("missing option --" + key.toStdString(), "", "see --help for the command's usage");
    return value(key);
}

int Args::intValue(const QString &key, int fallback) const
{
    if (!has(key)) return fallback;
    bool ok = false;
    const int v = value(key).toInt(&ok);
    if (!ok) throw Error("option --" + key.toStdString() + " expects an integer, got '" + value(key).toStdString() + "'");
    return v;
}

double Args::doubleValue(const QString &key, double fallback) const
{
    if (!has(key)) return fallback;
    bool ok = false;
    const double v = value(key).toDouble(&ok);
    if (!ok) throw Error("option --" + key.toStdString() + " expects a number, got '" + value(key).toStdString() + "'");
    return v;
}

} // namespace cprecon::cli

static void printHelp()
{
    std::cout << "cprecon-cli — CellPaint Recon, headless\n\nUsage: cprecon-cli <command> [options]\n\nCommands:\n";
    for (const auto &[name, cmd] : cprecon::cli::registry())
        std::cout << "  " << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') << cmd.summary << "\n";
    std::cout << "\n`cprecon-cli <command> --help` prints a command's options.\n";
}

// Commands that draw figures need fonts, i.e. a QGuiApplication; headless machines get the offscreen platform.
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
    std::unique_ptr<QCoreApplication> appPtr;
    if (needsGui(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        appPtr = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        appPtr = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication &app = *appPtr;
    QCoreApplication::setApplicationName(QStringLiteral("cprecon"));
    QCoreApplication::setOrganizationName(QStringLiteral("CellPaintRecon"));
    QStringList args = app.arguments().mid(1);
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
        std::cout << cmd->usage << "\n";
        return 0;
    }
    try {
        // One compute budget for the whole process (every command's --threads N; default all cores), set once
        // here for the project's pool, OpenCV, OpenBLAS and LibTorch (Debian's LibTorch starts with one thread).
        const cprecon::cli::Args global(rest);
        const int threads = global.intValue(QStringLiteral("threads"), 0);
        if (threads < 0) throw cprecon::Error("--threads must be >= 1 (or 0 for all cores)");
        cprecon::compute::configure(threads);
        cprecon::torchrt::followComputeBudget();
        return cmd->run(rest);
    } catch (const cprecon::Error &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
