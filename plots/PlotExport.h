#pragma once
// Export of the run's figures: a QCustomPlot to PNG (chosen DPI), PDF or SVG (vector: text and paths), and "Export
// all" — every standard figure of a run in the chosen formats plus the CSV of what each draws, the FR table as CSV
// and Markdown, and a manifest.json listing them. `cprecon-cli report --format` and the app's Export all run the
// same FigureExportBatch, so their files are identical.
#include "RunFigures.h"

#include <QSizeF>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>
#include <vector>

class QCustomPlot;

namespace cprecon::plots {

// Draws `plot` laid out at sizePt (points; 1 pt = 1 layout unit, fonts in points) into `path` by its extension.
// PNG: sizePt x dpi / 72 pixels, the DPI recorded in the file. Throws cprecon::Error naming the file.
void exportPlot(QCustomPlot &plot, const QString &path, const QSizeF &sizePt, int dpi = 300);

// Writes text (a figure's CSV, a Markdown table) to path; throws cprecon::Error naming the file.
void writeTextFile(const QString &path, const std::string &text);

struct ExportOptions {
    QStringList formats{QStringLiteral("png"), QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("csv"), QStringLiteral("md")};
    int dpi = 300;
    // Throws cprecon::Error for an unknown format, naming it and the ones there are.
    static QStringList parseFormats(const QString &commaSeparated);
};

struct ExportedFigure {
    QString id, title;
    QStringList files; // relative to the folder
    bool empty = false;
    QString note;
};

// One figure per next() so the GUI can export between events; the CLI loops. Runs on the GUI thread (QCustomPlot is
// a widget); the batch draws on its own hidden plot.
class FigureExportBatch {
public:
    FigureExportBatch(std::shared_ptr<const run::RunResults> results, QString folder, ExportOptions options);
    ~FigureExportBatch();
    int total() const;            // figures + the FR table + the manifest
    int done() const { return m_done; }
    bool atEnd() const { return m_done >= total(); }
    void next();                  // exports the next item; throws cprecon::Error naming the file
    const std::vector<ExportedFigure> &exported() const { return m_exported; }
    QString folder() const { return m_folder; }

private:
    std::shared_ptr<const run::RunResults> m_results;
    QString m_folder;
    ExportOptions m_options;
    std::vector<FigureEntry> m_figures;
    std::unique_ptr<QCustomPlot> m_plot;
    std::vector<ExportedFigure> m_exported;
    int m_done = 0;
};

} // namespace cprecon::plots
