#pragma once
// Subcommands of cprecon-cli register themselves here (one file per subcommand). Each declares its options once:
// main parses them with QCommandLineParser (an unknown option is an error naming it), checks numeric ranges, and
// generates `cprecon-cli <command> --help` from the same definitions (later also the man pages).
#include <QMap>
#include <QStringList>

#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace cprecon::cli {

struct Option {
    QString name;        // without the leading "--"
    QString valueName;   // "N", "DIR", ...; empty = a flag without value
    QString help;
    QString defaultText; // shown as "(default: …)"
    bool numeric = false, integer = false;
    double min = -std::numeric_limits<double>::infinity(), max = std::numeric_limits<double>::infinity();
    bool repeatable = false; // --x a --x b (and --x a,b)
};
Option flag(QString name, QString help);
Option value(QString name, QString valueName, QString help, QString defaultText = {});
Option list(QString name, QString valueName, QString help, QString defaultText = {}); // repeatable / comma list
Option integer(QString name, QString valueName, QString help, QString defaultText, double min,
               double max = std::numeric_limits<double>::infinity());
Option number(QString name, QString valueName, QString help, QString defaultText, double min,
              double max = std::numeric_limits<double>::infinity());

// The parsed arguments of one command: only its declared options, already range-checked.
class Args {
public:
    Args() = default;
    Args(QStringList positionals, QMap<QString, QStringList> values);
    bool has(const QString &option) const;         // given on the command line
    QString value(const QString &key, const QString &fallback = {}) const; // the last value given
    QStringList values(const QString &key) const;  // every value, commas split: --x a --x b,c -> a, b, c
    QStringList positionals() const { return m_positionals; }
    QString require(const QString &key) const;     // throws cprecon::Error naming the missing option
    int intValue(const QString &key, int fallback) const;
    long long longValue(const QString &key, long long fallback) const; // accepts 1e6
    double doubleValue(const QString &key, double fallback) const;

private:
    QStringList m_positionals;
    QMap<QString, QStringList> m_values;
};

struct Command {
    std::string name;    // "screen info", "tiles", "model run", "bench models", ...
    std::string summary; // one line for `cprecon-cli --help`
    QString synopsis;    // what follows the command words in the usage line, e.g. "SCREEN --out DIR"
    QString description; // paragraphs after the option list
    std::vector<Option> options;
    std::function<int(const Args &args)> run; // returns the process exit code
    bool needsGui = false; // renders figures (fonts): runs under a QApplication on the offscreen platform
};

std::map<std::string, Command> &registry();

struct Registrar {
    explicit Registrar(Command c) { registry()[c.name] = std::move(c); }
};

// Options every command has (--threads: the process's compute budget, set once in main).
std::vector<Option> globalOptions();
// `cprecon-cli <command> --help`, generated from the command's options.
std::string helpText(const Command &command);
// `cprecon-cli --man`: the man page of every command, from the same definitions.
std::string manPage(const char *version);
// Parses the arguments after the command words. Throws cprecon::Error naming an unknown option, a missing or
// malformed value, or a number out of range.
Args parseArguments(const Command &command, const QStringList &arguments);

// Option lists joined: e.g. options({...}, screenOptions(), pipelineOptions()).
template <typename... Lists> std::vector<Option> options(std::vector<Option> first, Lists... rest)
{
    (first.insert(first.end(), rest.begin(), rest.end()), ...);
    return first;
}

} // namespace cprecon::cli
