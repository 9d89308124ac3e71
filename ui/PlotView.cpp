#include "PlotView.h"

#include <QMouseEvent>
#include <QToolTip>

#include <cmath>

namespace cprecon::ui {

PlotView::PlotView(QWidget *parent) : QCustomPlot(parent)
{
    setMouseTracking(true);
    setMinimumSize(360, 260);
}

void PlotView::show(const std::function<plots::DrawnFigure(QCustomPlot &, plots::PlotTargets *)> &draw)
{
    m_targets.clear();
    m_figure = draw(*this, &m_targets);
    replot();
}

QPointF PlotView::targetPosition(const plots::PlotTarget &t) const
{
    if (!t.rect) return {-1e9, -1e9};
    return {t.rect->axis(QCPAxis::atBottom)->coordToPixel(t.key), t.rect->axis(QCPAxis::atLeft)->coordToPixel(t.value)};
}

const plots::PlotTarget *PlotView::targetAt(const QPointF &pos, double radius) const
{
    const plots::PlotTarget *best = nullptr;
    double bestD = radius * radius;
    for (const plots::PlotTarget &t : m_targets) {
        if (t.halfKey > 0 && t.rect) {
            const double k = t.rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x()), v = t.rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y());
            if (std::abs(k - t.key) <= t.halfKey && std::abs(v - t.value) <= t.halfValue) return &t;
            continue;
        }
        const QPointF p = targetPosition(t);
        const double d = (p.x() - pos.x()) * (p.x() - pos.x()) + (p.y() - pos.y()) * (p.y() - pos.y());
        if (d <= bestD) {
            bestD = d;
            best = &t;
        }
    }
    return best;
}

void PlotView::mouseMoveEvent(QMouseEvent *event)
{
    QCustomPlot::mouseMoveEvent(event);
    const plots::PlotTarget *t = targetAt(event->position(), 14);
    if (t) QToolTip::showText(event->globalPosition().toPoint(), t->tooltip, this);
    else QToolTip::hideText();
    setCursor(t && !t->payload.isEmpty() ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void PlotView::mouseReleaseEvent(QMouseEvent *event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton) return;
    const plots::PlotTarget *t = targetAt(event->position(), 14);
    if (t && !t->payload.isEmpty()) Q_EMIT targetClicked(t->payload);
}

} // namespace cprecon::ui
