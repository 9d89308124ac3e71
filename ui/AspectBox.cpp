#include "AspectBox.h"

#include <algorithm>
#include <cmath>

namespace cprecon::ui {

AspectBox::AspectBox(QWidget *content, QWidget *parent) : QWidget(parent), m_content(content)
{
    m_content->setParent(this);
}

void AspectBox::setCells(int cols, int rows, double aspect, QSize header)
{
    m_cols = std::max(1, cols);
    m_rows = std::max(1, rows);
    m_aspect = aspect > 0 ? aspect : 1.0;
    m_header = header;
    place();
}

QSize AspectBox::cellSize() const
{
    const double w = (width() - m_header.width()) / double(m_cols), h = (height() - m_header.height()) / double(m_rows);
    const double cellW = std::max(1.0, std::min(w, h * m_aspect));
    return {int(cellW), int(cellW / m_aspect)};
}

void AspectBox::place()
{
    const QSize cell = cellSize();
    const int w = std::min(width(), cell.width() * m_cols + m_header.width());
    const int h = std::min(height(), cell.height() * m_rows + m_header.height());
    m_content->setGeometry((width() - w) / 2, (height() - h) / 2, w, h);
}

void AspectBox::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    place();
}

} // namespace cprecon::ui
