// Parsing and help of the declared command options (CliRegistry.h), on QCommandLineParser.
#include "CliRegistry.h"
#include "ManPage.h"

#include "util/Error.h"

#include <QCommandLineParser>

#include <cmath>
#include <sstream>

namespace cprecon::cli {

namespace {
std::string u8(const QString &s) { return s.toStdString(); }
} // namespace

Option flag(QString name, QString help) { return Option{std::move(name), {}, std::move(help)}; }

Option value(QString name, QString valueName, QString help, QString defaultText)
{
    return Option{std::move(name), std::move(valueName), std::move(help), std::move(defaultText)};
}

Option list(QString name, QString valueName, QString help, QString defaultText)
{
    Option o = value(std::move(name), std::move(valueName), std::move(help), std::move(defaultText));
    o.repeatable = true;
    return o;
}

Option integer(QString name, QString valueName, QString help, QString defaultText, double min, double max)
{
    Option o = value(std::move(name), std::move(valueName), std::move(help), std::move(defaultText));
    o.numeric = o.integer = true;
    o.min = min;
    o.max = max;
    return o;
}

Option number(QString name, QString valueName, QString help, QString defaultText, double min, double max)
{
    Option o = value(std::move(name), std::move(valueName), std::move(help), std::move(defaultText));
    o.numeric = true;
    o.min = min;
    o.max = max;
    return o;
}

std::vector<Option> globalOptions()
{
    return {integer(QStringLiteral("threads"), QStringLiteral("N"),
                    QStringLiteral("cores this process may keep busy: the project's pool, OpenCV, OpenBLAS, LibTorch"),
                    QStringLiteral("all cores"), 1, 4096)};
}

Args::Args(QStringList positionals, QMap<QString, QStringList> values)
    : m_positionals(std::move(positionals)), m_values(std::move(values))
{
}

bool Args::has(const QString &option) const { return m_values.contains(option); }

QString Args::value(const QString &key, const QString &fallback) const
{
    const auto it = m_values.find(key);
    return it == m_values.end() || it->isEmpty() ? fallback : it->last();
}

QStringList Args::values(const QString &key) const
{
    QStringList out;
    for (const QString &v : m_values.value(key)) out << v.split(QLatin1Char(','), Qt::SkipEmptyParts);
    return out;
}

QString Args::require(const QString &key) const
{
    if (!has(key) || value(key).isEmpty())
        throw Error("missing option --" + u8(key), "", "see --help for the command's usage");
    return value(key);
}

int Args::intValue(const QString &key, int fallback) const
{
    if (!has(key)) return fallback;
    bool ok = false;
    const int v = value(key).toInt(&ok);
    if (!ok) throw Error("option --" + u8(key) + " expects an integer, got '" + u8(value(key)) + "'", "", "give a whole number");
    return v;
}

long long Args::longValue(const QString &key, long long fallback) const
{
    if (!has(key)) return fallback;
    bool ok = false;
    const double v = value(key).toDouble(&ok);
    if (!ok || v != std::floor(v) || std::abs(v) > 9e18)
        throw Error("option --" + u8(key) + " expects an integer, got '" + u8(value(key)) + "'", "", "give a whole number");
    return static_cast<long long>(v);
}

double Args::doubleValue(const QString &key, double fallback) const
{
    if (!has(key)) return fallback;
    bool ok = false;
    const double v = value(key).toDouble(&ok);
    if (!ok) throw Error("option --" + u8(key) + " expects a number, got '" + u8(value(key)) + "'", "", "give a number such as 0.05");
    return v;
}

Args parseArguments(const Command &command, const QStringList &arguments)
{
    const std::vector<Option> all = options(command.options, globalOptions());
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const Option &o : all) {
        QCommandLineOption qo(o.name, o.help);
        if (!o.valueName.isEmpty()) qo.setValueName(o.valueName);
        parser.addOption(qo);
    }
    const QString hint = QStringLiteral("see `cprecon-cli %1 --help`").arg(QString::fromStdString(command.name));
    if (!parser.parse(QStringList{QStringLiteral("cprecon-cli")} + arguments))
        throw Error(u8(parser.errorText()), "", u8(hint));
    QMap<QString, QStringList> values;
    for (const Option &o : all) {
        if (!parser.isSet(o.name)) continue;
        QStringList given = o.valueName.isEmpty() ? QStringList{QString()} : parser.values(o.name);
        if (!o.repeatable && given.size() > 1)
            throw Error("option --" + u8(o.name) + " given " + std::to_string(given.size()) + " times", "", "give it once");
        if (o.numeric)
            for (const QString &v : given) {
                bool ok = false;
                const double x = v.toDouble(&ok);
                if (!ok || !std::isfinite(x) || (o.integer && x != std::floor(x)))
                    throw Error("option --" + u8(o.name) + " expects " + (o.integer ? "an integer" : "a number") + ", got '" +
                                    u8(v) + "'",
                                "", u8(hint));
                if (x < o.min || x > o.max) {
                    std::ostringstream range;
                    range << "use a value";
                    if (std::isfinite(o.min)) range << " >= " << o.min;
                    if (std::isfinite(o.min) && std::isfinite(o.max)) range << " and";
                    if (std::isfinite(o.max)) range << " <= " << o.max;
                    throw Error("option --" + u8(o.name) + " is out of range (got " + u8(v) + ")", "", range.str());
                }
            }
        values.insert(o.name, given);
    }
    return Args(parser.positionalArguments(), values);
}

std::string helpText(const Command &c)
{
    std::ostringstream out;
    out << "Usage: cprecon-cli " << c.name;
    if (!c.synopsis.isEmpty()) out << " " << u8(c.synopsis);
    out << " [options]\n\n" << c.summary << "\n\nOptions:\n";
    const std::vector<Option> all = options(c.options, globalOptions());
    size_t width = 0;
    auto head = [](const Option &o) { return u8(QStringLiteral("--") + o.name + (o.valueName.isEmpty() ? QString() : QStringLiteral(" ") + o.valueName)); };
    for (const Option &o : all) width = std::max(width, head(o).size());
    for (const Option &o : all) {
        const std::string h = head(o);
        out << "  " << h << std::string(width - h.size() + 2, ' ') << u8(o.help);
        if (!o.defaultText.isEmpty()) out << " (default: " << u8(o.defaultText) << ")";
        out << "\n";
    }
    out << "  --help" << std::string(width > 6 ? width - 6 + 2 : 2, ' ') << "this text\n";
    if (!c.description.isEmpty()) out << "\n" << u8(c.description) << "\n";
    return out.str();
}

std::string manPage(const char *version)
{
    std::string out = man::header("cprecon-cli", version, "CellPaint Recon, headless: Cell Painting reconstruction benchmarks");
    out += man::section("SYNOPSIS") + "\\fBcprecon\\-cli\\fR \\fIcommand\\fR [\\fIoptions\\fR]\n";
    out += man::section("DESCRIPTION") +
           man::paragraph(QStringLiteral("The headless twin of cprecon(1) for clusters and scripts: browse screens, reconstruct them with "
                                         "autoencoders or weight-free baselines, and run the benchmark of Compressing Biology "
                                         "(arXiv 2510.19887) with its reports and figures. Every command prints its options with --help."));
    out += man::section("GLOBAL OPTIONS");
    for (const Option &o : globalOptions()) out += man::option({o.name}, o.valueName, o.help + (o.defaultText.isEmpty() ? QString() : QStringLiteral(" (default: ") + o.defaultText + QLatin1Char(')')));
    out += man::section("COMMANDS");
    for (const auto &[name, c] : registry()) {
        out += ".SS " + man::escape(QString::fromStdString(name) + (c.synopsis.isEmpty() ? QString() : QStringLiteral(" ") + c.synopsis)) + "\n";
        out += man::escape(QString::fromStdString(c.summary)) + "\n";
        for (const Option &o : c.options)
            out += man::option({o.name}, o.valueName, o.help + (o.defaultText.isEmpty() ? QString() : QStringLiteral(" (default: ") + o.defaultText + QLatin1Char(')')));
        if (!c.description.isEmpty()) out += man::paragraph(c.description);
    }
    out += man::section("EXIT STATUS") + "0 on success; 1 on an error (the message names the file and the fix); 2 on a usage error.\n";
    out += man::section("SEE ALSO") + "\\fBcprecon\\fR(1); /usr/share/doc/cprecon/ and the user guide (docs/user) of the sources.\n";
    return out;
}

} // namespace cprecon::cli
