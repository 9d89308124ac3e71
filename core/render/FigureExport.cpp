#include "render/FigureExport.h"

#include "util/Error.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <cmath>

namespace cprecon {

QSize figurePixelSize(const QSizeF &sizePt, int dpi)
{
    return {int(std::lround(sizePt.width() / 72.0 * dpi)), int(std::lround(sizePt.height() / 72.0 * dpi))};
}

void exportFigure(const QString &path, const QSizeF &sizePt, int dpi, const FigurePainter &paint)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    const std::string file = path.toStdString();
    if (dpi < 10 || dpi > 2400) throw Error("DPI " + std::to_string(dpi) + " out of range", file, "use 72..2400");
    if (ext == QLatin1String("png")) {
        QImage img(figurePixelSize(sizePt, dpi), QImage::Format_ARGB32);
        img.fill(Qt::white);
        img.setDotsPerMeterX(int(std::lround(dpi / 0.0254)));
        img.setDotsPerMeterY(int(std::lround(dpi / 0.0254)));
        {
            QPainter p(&img);
            p.setRenderHint(QPainter::Antialiasing);
            p.setRenderHint(QPainter::TextAntialiasing);
            p.scale(dpi / 72.0, dpi / 72.0);
            paint(p, sizePt);
        }
        if (!img.save(path, "PNG")) throw Error("cannot write PNG", file, "check the folder is writable and the disk has space");
    } else if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(dpi);
        pdf.setPageSize(QPageSize(sizePt, QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setCreator(QStringLiteral("CellPaint Recon"));
        QPainter p;
        if (!p.begin(&pdf)) throw Error("cannot write PDF", file, "check the folder is writable");
        p.scale(dpi / 72.0, dpi / 72.0);
        paint(p, sizePt);
        p.end();
    } else if (ext == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(sizePt.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), sizePt));
        svg.setResolution(72);
        svg.setTitle(QStringLiteral("CellPaint Recon figure"));
        QPainter p;
        if (!p.begin(&svg)) throw Error("cannot write SVG", file, "check the folder is writable");
        paint(p, sizePt);
        p.end();
    } else {
        throw Error("unknown figure format '." + ext.toStdString() + "'", file, "use .png, .pdf or .svg");
    }
    if (QFileInfo(path).size() <= 0) throw Error("figure file is empty after writing", file, "check free disk space");
}

} // namespace cprecon
