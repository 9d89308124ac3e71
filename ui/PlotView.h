#pragma once
// A results plot on screen: a QCustomPlot that shows a tooltip for the figure's point nearest the cursor and reports
// clicks on it (a well of a heatmap, a perturbation of the scatter). The figure routines (plots/RunFigures) draw into it.
#include "QCustomPlotInclude.h"
#include "RunFigures.h"

#include <QVariantMap>

namespace cprecon::ui {

class PlotView : public QCustomPlot {
    Q_OBJECT
public:
    explicit PlotView(QWidget *parent = nullptr);

    // Draws with `draw` (one of plots::draw*), keeping its targets for hover and click.
    void show(const std::function<plots::DrawnFigure(QCustomPlot &, plots::PlotTargets *)> &draw);
    const plots::DrawnFigure &figure() const { return m_figure; }
    const plots::PlotTargets &targets() const { return m_targets; }
    // The target within `radius` pixels of pos, or null.
    const plots::PlotTarget *targetAt(const QPointF &pos, double radius = 10) const;
    QPointF targetPosition(const plots::PlotTarget &t) const; // in widget pixels (after a replot)

Q_SIGNALS:
    void targetClicked(const QVariantMap &payload);

protected:
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    plots::DrawnFigure m_figure;
    plots::PlotTargets m_targets;
};

} // namespace cprecon::ui
