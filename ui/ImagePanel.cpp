#include "ImagePanel.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <cmath>

namespace cprecon::ui {

ImagePanel::ImagePanel(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(120, 120);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImagePanel::setImage(const QImage &image)
{
    m_image = image;
    update();
}

void ImagePanel::setTitle(const QString &title, const QColor &accent)
{
    m_title = title;
    m_accent = accent;
    update();
}

void ImagePanel::setOverlayGrid(int cellSize)
{
    m_grid = cellSize;
    update();
}

void ImagePanel::setBusy(bool busy, const QString &text)
{
    m_busy = busy;
    m_busyText = text;
    update();
}

void ImagePanel::setViewState(const ViewState &v)
{
    if (v == m_view) return;
    m_view = v;
    update();
}

double ImagePanel::effectiveZoom() const
{
    if (m_view.zoom > 0) return m_view.zoom;
    if (m_image.isNull()) return 1.0;
    return std::min(double(width()) / m_image.width(), double(height()) / m_image.height());
}

QPointF ImagePanel::effectiveCenter() const
{
    if (m_view.center.x() < 0 && !m_image.isNull()) return {m_image.width() / 2.0, m_image.height() / 2.0};
    return m_view.center;
}

QPointF ImagePanel::imageToWidget(const QPointF &p) const
{
    const double z = effectiveZoom();
    return (p - effectiveCenter()) * z + QPointF(width() / 2.0, height() / 2.0);
}

QPointF ImagePanel::widgetToImage(const QPointF &p) const
{
    const double z = effectiveZoom();
    return (p - QPointF(width() / 2.0, height() / 2.0)) / z + effectiveCenter();
}

void ImagePanel::zoomFit()
{
    m_view = ViewState{};
    update();
    Q_EMIT viewChanged(m_view);
}

void ImagePanel::zoomOneToOne()
{
    m_view.zoom = 1.0;
    m_view.center = effectiveCenter();
    update();
    Q_EMIT viewChanged(m_view);
}

void ImagePanel::zoomBy(double factor, const QPointF &anchorWidget)
{
    if (m_image.isNull()) return;
    const QPointF anchorImage = widgetToImage(anchorWidget);
    const double z = std::clamp(effectiveZoom() * factor, 0.02, 64.0);
    // keep the image point under the cursor fixed
    m_view.center = anchorImage - (anchorWidget - QPointF(width() / 2.0, height() / 2.0)) / z;
    m_view.zoom = z;
    update();
    Q_EMIT viewChanged(m_view);
}

void ImagePanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(18, 18, 18));
    if (!m_image.isNull()) {
        const double z = effectiveZoom();
        const QPointF topLeft = imageToWidget(QPointF(0, 0));
        const QRectF target(topLeft, QSizeF(m_image.width() * z, m_image.height() * z));
        // Nearest-neighbour when magnified (pixels must stay pixels), smooth when reduced.
        p.setRenderHint(QPainter::SmoothPixmapTransform, z < 1.0);
        p.drawImage(target, m_image);
        if (m_grid > 0) {
            p.setPen(QPen(QColor(255, 255, 255, 110), 1, Qt::DashLine));
            for (int x = m_grid; x < m_image.width(); x += m_grid)
                p.drawLine(imageToWidget(QPointF(x, 0)), imageToWidget(QPointF(x, m_image.height())));
            for (int y = m_grid; y < m_image.height(); y += m_grid)
                p.drawLine(imageToWidget(QPointF(0, y)), imageToWidget(QPointF(m_image.width(), y)));
        }
    }
    if (!m_title.isEmpty()) {
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        const QRect band(0, 0, width(), p.fontMetrics().height() + 6);
        p.fillRect(band, QColor(0, 0, 0, 150));
        p.setPen(m_accent);
        p.drawText(band.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, m_title);
    }
    if (m_busy) {
        p.fillRect(rect(), QColor(0, 0, 0, 120));
        p.setPen(Qt::white);
        p.drawText(rect(), Qt::AlignCenter, m_busyText.isEmpty() ? tr("Loading…") : m_busyText);
    }
}

void ImagePanel::wheelEvent(QWheelEvent *e)
{
    const double steps = e->angleDelta().y() / 120.0;
    if (steps != 0) zoomBy(std::pow(1.25, steps), e->position());
    e->accept();
}

void ImagePanel::mousePressEvent(QMouseEvent *e)
{
    if (e->button() == Qt::LeftButton && !m_image.isNull()) {
        m_dragging = true;
        m_dragStart = e->position();
        m_centerAtDragStart = effectiveCenter();
        if (m_view.zoom <= 0) m_view.zoom = effectiveZoom();
    }
}

void ImagePanel::mouseMoveEvent(QMouseEvent *e)
{
    if (m_dragging) {
        m_view.center = m_centerAtDragStart - (e->position() - m_dragStart) / effectiveZoom();
        update();
        Q_EMIT viewChanged(m_view);
    }
    if (m_image.isNull()) return;
    const QPointF ip = widgetToImage(e->position());
    const int x = int(std::floor(ip.x())), y = int(std::floor(ip.y()));
    if (x >= 0 && y >= 0 && x < m_image.width() && y < m_image.height())
        Q_EMIT pixelHovered(x, y);
    else
        Q_EMIT pixelHovered(-1, -1);
}

void ImagePanel::mouseReleaseEvent(QMouseEvent *) { m_dragging = false; }

void ImagePanel::mouseDoubleClickEvent(QMouseEvent *) { zoomFit(); }

void ImagePanel::leaveEvent(QEvent *) { Q_EMIT pixelHovered(-1, -1); }

} // namespace cprecon::ui
