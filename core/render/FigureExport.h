#pragma once
// Writes a figure drawn by a paint callback as PNG (at a chosen DPI), PDF or SVG (vector), chosen by the file
// extension. Figure coordinates are points (1/72 inch) in all three, so one paint routine serves every format.
#include <QSizeF>
#include <QString>

#include <functional>

class QPainter;

namespace cprecon {

using FigurePainter = std::function<void(QPainter &painter, const QSizeF &sizePt)>;

// Throws cprecon::Error naming the file (unknown extension, cannot write, disk full).
void exportFigure(const QString &path, const QSizeF &sizePt, int dpi, const FigurePainter &paint);

// Pixel size a PNG export will have.
QSize figurePixelSize(const QSizeF &sizePt, int dpi);

} // namespace cprecon
