#include "PlotExport.h"

#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <nlohmann/json.hpp>
#include "QCustomPlotInclude.h"

#include <cmath>

namespace cprecon::plots {

namespace {
const QStringList kFormats{QStringLiteral("png"), QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("csv"), QStringLiteral("md")};

// Paints the plot on a device whose logical DPI is 72, so a layout unit is a point and fonts given in points keep
// their size in every format; `scale` then maps points to the device's pixels (PNG) or leaves them (vector).
void paintPlot(QCustomPlot &plot, QPaintDevice &device, const QSizeF &sizePt, double scale, bool vector, const std::string &file)
{
    QCPPainter painter;
    if (!painter.begin(&device)) throw Error("cannot write the figure", file, "check the folder is writable");
    if (vector) {
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    plot.toPainter(&painter, int(std::lround(sizePt.width())), int(std::lround(sizePt.height())));
    painter.end();
}
} // namespace

void exportPlot(QCustomPlot &plot, const QString &path, const QSizeF &sizePt, int dpi)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    const std::string file = path.toStdString();
    if (dpi < 10 || dpi > 2400) throw Error("DPI " + std::to_string(dpi) + " out of range", file, "use 72..2400");
    if (ext == QLatin1String("png")) {
        const QSize px(int(std::lround(sizePt.width() / 72.0 * dpi)), int(std::lround(sizePt.height() / 72.0 * dpi)));
        QImage img(px, QImage::Format_ARGB32);
        img.fill(Qt::white);
        const int dpm72 = int(std::lround(72 / 0.0254));
        img.setDotsPerMeterX(dpm72);
        img.setDotsPerMeterY(dpm72);
        paintPlot(plot, img, sizePt, dpi / 72.0, false, file);
        img.setDotsPerMeterX(int(std::lround(dpi / 0.0254)));
        img.setDotsPerMeterY(int(std::lround(dpi / 0.0254)));
        if (!img.save(path, "PNG")) throw Error("cannot write PNG", file, "check the folder is writable and the disk has space");
    } else if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(72);
        pdf.setPageSize(QPageSize(sizePt, QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setCreator(QStringLiteral("CellPaint Recon"));
        paintPlot(plot, pdf, sizePt, 1.0, true, file);
    } else if (ext == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(sizePt.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), sizePt));
        svg.setResolution(72);
        svg.setTitle(QStringLiteral("CellPaint Recon figure"));
        paintPlot(plot, svg, sizePt, 1.0, true, file);
    } else {
        throw Error("unknown figure format '." + ext.toStdString() + "'", file, "use .png, .pdf or .svg");
    }
    if (QFileInfo(path).size() <= 0) throw Error("figure file is empty after writing", file, "check free disk space");
}

void writeTextFile(const QString &path, const std::string &text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.data(), qint64(text.size())) != qint64(text.size()))
        throw Error("cannot write", path.toStdString(), "check the folder is writable and the disk has space");
}

QStringList ExportOptions::parseFormats(const QString &commaSeparated)
{
    QStringList out;
    for (QString f : commaSeparated.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        f = f.trimmed().toLower();
        if (f.startsWith(QLatin1Char('.'))) f.remove(0, 1);
        if (!kFormats.contains(f))
            throw Error("unknown export format '" + f.toStdString() + "'", "--format", "use a comma-separated list of " + kFormats.join(QLatin1Char(',')).toStdString());
        if (!out.contains(f)) out << f;
    }
    if (out.isEmpty()) throw Error("no export format given", "--format", "e.g. --format png,pdf,svg,csv,md");
    return out;
}

FigureExportBatch::FigureExportBatch(std::shared_ptr<const run::RunResults> results, QString folder, ExportOptions options)
    : m_results(std::move(results)), m_folder(std::move(folder)), m_options(std::move(options))
{
    m_figures = standardFigures(*m_results);
    if (!QDir().mkpath(m_folder)) throw Error("cannot create the export folder", m_folder.toStdString(), "check the parent folder's permissions");
    m_plot = std::make_unique<QCustomPlot>();
    m_plot->setAttribute(Qt::WA_DontShowOnScreen);
}

FigureExportBatch::~FigureExportBatch() = default;

int FigureExportBatch::total() const { return int(m_figures.size()) + 2; }

void FigureExportBatch::next()
{
    if (atEnd()) return;
    const QDir dir(m_folder);
    const int i = m_done;
    if (i < int(m_figures.size())) {
        const FigureEntry &entry = m_figures[size_t(i)];
        const DrawnFigure d = entry.draw(*m_plot);
        ExportedFigure e{entry.id, d.title, {}, d.empty, d.emptyReason};
        for (const QString &fmt : m_options.formats) {
            if (fmt == QLatin1String("md")) continue;
            const QString name = entry.id + QLatin1Char('.') + fmt;
            if (fmt == QLatin1String("csv")) writeTextFile(dir.filePath(name), d.csv);
            else exportPlot(*m_plot, dir.filePath(name), d.sizePt, m_options.dpi);
            e.files << name;
        }
        m_exported.push_back(e);
    } else if (i == int(m_figures.size())) {
        ExportedFigure e{QStringLiteral("fr_table"), QStringLiteral("Fraction retrieved"), {}, m_results->fr.rows.empty(), {}};
        if (m_options.formats.contains(QStringLiteral("csv"))) {
            writeTextFile(dir.filePath(QStringLiteral("fr_table.csv")), run::frTableCsv(m_results->fr));
            e.files << QStringLiteral("fr_table.csv");
        }
        if (m_options.formats.contains(QStringLiteral("md"))) {
            writeTextFile(dir.filePath(QStringLiteral("fr_table.md")), run::frTableMarkdown(m_results->fr, m_results->config.protocol));
            e.files << QStringLiteral("fr_table.md");
        }
        m_exported.push_back(e);
    } else {
        nlohmann::json j;
        j["schema"] = "cprecon.figures/1";
        j["run"] = m_results->folder.toStdString();
        j["config_hash"] = m_results->configHash;
        j["protocol"] = protocolName(m_results->config.protocol);
        j["dpi"] = m_options.dpi;
        j["formats"] = nlohmann::json::array();
        for (const QString &f : m_options.formats) j["formats"].push_back(f.toStdString());
        j["stored_units"] = m_results->storedUnits;
        j["planned_sites"] = m_results->plannedSites;
        j["figures"] = nlohmann::json::array();
        for (const ExportedFigure &e : m_exported) {
            nlohmann::json f;
            f["id"] = e.id.toStdString();
            f["title"] = e.title.toStdString();
            f["files"] = nlohmann::json::array();
            for (const QString &file : e.files) f["files"].push_back(file.toStdString());
            f["empty"] = e.empty;
            if (!e.note.isEmpty()) f["note"] = e.note.toStdString();
            j["figures"].push_back(f);
        }
        writeTextFile(dir.filePath(QStringLiteral("manifest.json")), j.dump(2) + "\n");
    }
    ++m_done;
}

} // namespace cprecon::plots
