#pragma once
// The plate map: a 96/384/1536 grid of wells coloured by treatment / control (or any metadata field),
// empty wells greyed, hover tooltip with the well's metadata, click selects a well.
#include "screen/Screen.h"

#include <QHash>
#include <QPainter>
#include <QWidget>

#include <memory>

namespace cprecon::ui {

class PlateMapView : public QWidget {
    Q_OBJECT
public:
    enum class ColorBy { ControlType, Perturbation, CellLine, TimePoint };

    explicit PlateMapView(QWidget *parent = nullptr);
    // Shares ownership of the plate (an aliasing pointer into its Screen), so replacing the screen elsewhere can
    // never leave the view drawing freed wells; nullptr clears.
    void setPlate(std::shared_ptr<const Plate> plate);
    const Plate *plate() const { return m_plate.get(); }
    void setColorBy(ColorBy mode);
    ColorBy colorBy() const { return m_colorBy; }
    void setSelectedWell(const QString &well);
    QString selectedWell() const { return m_selected; }

    // Geometry, public for tests and for the legend: centre of a well in widget coordinates.
    QPointF wellCenter(int row, int column) const;
    QString wellAt(const QPointF &pos) const; // "" when no well there
    QColor wellColor(const Well &well) const;
    static QString wellTooltip(const Well &well);

    QSize sizeHint() const override { return {520, 360}; }
    QSize minimumSizeHint() const override { return {240, 170}; }

Q_SIGNALS:
    void wellClicked(const QString &well);

protected:
    void paintEvent(QPaintEvent *) override;
    void mousePressEvent(QMouseEvent *) override;
    bool event(QEvent *) override;

private:
    struct Layout {
        double left, top, pitch;
        int rows, cols;
    };
    Layout layout() const;
    const Well *wellAtCell(int row, int column) const;
    void paintLegend(QPainter &p, double top);

    std::shared_ptr<const Plate> m_plate;
    ColorBy m_colorBy = ColorBy::ControlType;
    QString m_selected;
    QHash<int, const Well *> m_cells; // row * 1000 + column -> well
};

} // namespace cprecon::ui
