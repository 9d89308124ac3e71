#pragma once
// Man pages (roff, man(7)) generated from the same option definitions as --help, for both programs: the package
// installs `cprecon --man` and `cprecon-cli --man` as cprecon.1 and cprecon-cli.1. Header-only: both executables
// include it and nothing else needs it.
#include <QString>
#include <QStringList>

#include <string>

namespace cprecon::man {

// Text for roff: backslashes doubled, a leading dot or quote escaped, hyphens of options kept as \-.
inline std::string escape(const QString &text)
{
    std::string out;
    const std::string s = text.toStdString();
    bool lineStart = true;
    for (char c : s) {
        if (lineStart && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\\\";
        else if (c == '-') out += "\\-";
        else out += c;
        lineStart = c == '\n';
    }
    return out;
}

inline std::string header(const char *name, const char *version, const char *summary)
{
    return std::string(".TH ") + name + " 1 \"\" \"cprecon " + version + "\" \"CellPaint Recon\"\n.SH NAME\n" + name + " \\- " +
           escape(QString::fromUtf8(summary)) + "\n";
}

inline std::string section(const char *title) { return std::string(".SH ") + title + "\n"; }

// One option: its names and value, then the help text indented.
inline std::string option(const QStringList &names, const QString &valueName, const QString &help)
{
    std::string head;
    for (const QString &n : names) head += (head.empty() ? "" : ", ") + std::string("\\fB") + escape((n.size() == 1 ? "-" : "--") + n) + "\\fR";
    if (!valueName.isEmpty()) head += " \\fI" + escape(valueName) + "\\fR";
    return ".TP\n" + head + "\n" + escape(help) + "\n";
}

inline std::string paragraph(const QString &text) { return ".PP\n" + escape(text) + "\n"; }

} // namespace cprecon::man
