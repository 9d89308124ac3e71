#pragma once
// Subcommands of cprecon-cli register themselves here (one file per subcommand, see CMakeLists).
#include <QStringList>

#include <functional>
#include <map>
#include <string>

namespace cprecon::cli {

struct Command {
    std::string name;    // "screen info", "tiles", "model run", "bench models", ...
    std::string summary; // one line for `cprecon-cli --help`
    std::string usage;   // full usage text printed by `cprecon-cli <name> --help`
    // args = the arguments after the command words. Returns the process exit code.
    std::function<int(const QStringList &args)> run;
    bool needsGui = false; // renders figures (fonts): runs under a QGuiApplication on the offscreen platform
};

std::map<std::string, Command> &registry();

struct Registrar {
    explicit Registrar(Command c) { registry()[c.name] = std::move(c); }
};

// Tiny argument helper shared by the commands: --key value / --flag / positionals.
class Args {
public:
    explicit Args(const QStringList &args);
    bool has(const QString &flag) const;           // --flag present (with or without value)
    QString value(const QString &key, const QString &fallback = {}) const;
    QStringList values(const QString &key) const;  // repeated --key a --key b, or --key a,b
    QStringList positionals() const { return m_positionals; }
    QString require(const QString &key) const;     // throws cprecon::Error naming the missing option
    int intValue(const QString &key, int fallback) const;
    double doubleValue(const QString &key, double fallback) const;

private:
    QStringList m_positionals;
    QList<QPair<QString, QString>> m_options;
};

} // namespace cprecon::cli
