#pragma once
// One zoomable, pannable image panel with a title. Panels can be linked: they share one ViewState
// (zoom and centre in image coordinates), so zooming or dragging one moves all of them.
#include <QImage>
#include <QPointF>
#include <QWidget>

namespace cprecon::ui {

struct ViewState {
    double zoom = 0;       // screen pixels per image pixel; 0 = fit to panel
    QPointF center{-1, -1}; // image coordinates shown at the panel centre; (-1,-1) = image centre
    bool operator==(const ViewState &o) const { return zoom == o.zoom && center == o.center; }
};

class ImagePanel : public QWidget {
    Q_OBJECT
public:
    explicit ImagePanel(QWidget *parent = nullptr);
    void setImage(const QImage &image); // keeps the view state
    const QImage &image() const { return m_image; }
    void setTitle(const QString &title, const QColor &accent = Qt::white);
    QString title() const { return m_title; }
    void setOverlayGrid(int cellSize); // e.g. 256 for the tile grid; 0 = none
    void setBusy(bool busy, const QString &text = {});

    ViewState viewState() const { return m_view; }
    void setViewState(const ViewState &v); // does not emit
    double effectiveZoom() const;
    QPointF imageToWidget(const QPointF &p) const;
    QPointF widgetToImage(const QPointF &p) const;

    QSize sizeHint() const override { return {260, 260}; }

public Q_SLOTS:
    void zoomFit();
    void zoomOneToOne();
    void zoomBy(double factor, const QPointF &anchorWidget);

Q_SIGNALS:
    void viewChanged(const cprecon::ui::ViewState &state); // user zoomed/panned this panel
    void pixelHovered(int x, int y);                      // image coordinates, (-1,-1) when outside

protected:
    void paintEvent(QPaintEvent *) override;
    void wheelEvent(QWheelEvent *) override;
    void mousePressEvent(QMouseEvent *) override;
    void mouseMoveEvent(QMouseEvent *) override;
    void mouseReleaseEvent(QMouseEvent *) override;
    void mouseDoubleClickEvent(QMouseEvent *) override;
    void leaveEvent(QEvent *) override;

private:
    QPointF effectiveCenter() const;
    QImage m_image;
    QString m_title;
    QColor m_accent = Qt::white;
    ViewState m_view;
    int m_grid = 0;
    bool m_busy = false;
    QString m_busyText;
    bool m_dragging = false;
    QPointF m_dragStart;
    QPointF m_centerAtDragStart;
};

} // namespace cprecon::ui
