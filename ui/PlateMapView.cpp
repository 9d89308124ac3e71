#include "PlateMapView.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>

namespace cprecon::ui {

PlateMapView::PlateMapView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PlateMapView::setPlate(std::shared_ptr<const Plate> shared)
{
    m_plate = std::move(shared);
    const Plate *plate = m_plate.get();
    m_cells.clear();
    if (plate)
        for (const auto &w : plate->wells) m_cells.insert(w.row * 1000 + w.column, &w);
    if (plate && !m_selected.isEmpty() && !plate->well(m_selected)) m_selected.clear();
    update();
}

void PlateMapView::setColorBy(ColorBy mode)
{
    m_colorBy = mode;
    update();
}

void PlateMapView::setSelectedWell(const QString &well)
{
    m_selected = well;
    update();
}

PlateMapView::Layout PlateMapView::layout() const
{
    const PlateFormat f = m_plate ? m_plate->format : PlateFormat::Wells384;
    Layout l{};
    l.rows = plateRows(f);
    l.cols = plateColumns(f);
    const double labelW = 26, labelH = 18, legendH = 22;
    l.pitch = std::max(4.0, std::min((width() - labelW - 6) / l.cols, (height() - labelH - legendH - 6) / l.rows));
    l.left = labelW + (width() - labelW - 6 - l.pitch * l.cols) / 2;
    l.top = labelH + (height() - labelH - legendH - 6 - l.pitch * l.rows) / 2;
    return l;
}

QPointF PlateMapView::wellCenter(int row, int column) const
{
    const Layout l = layout();
    return {l.left + (column + 0.5) * l.pitch, l.top + (row + 0.5) * l.pitch};
}

const Well *PlateMapView::wellAtCell(int row, int column) const { return m_cells.value(row * 1000 + column, nullptr); }

QString PlateMapView::wellAt(const QPointF &pos) const
{
    const Layout l = layout();
    const int c = int(std::floor((pos.x() - l.left) / l.pitch));
    const int r = int(std::floor((pos.y() - l.top) / l.pitch));
    if (r < 0 || c < 0 || r >= l.rows || c >= l.cols) return {};
    return wellName(r, c);
}

// Wells the platemap knows but that have no images: white inside (their category shows as a dashed ring).
static const QColor kNoImagesFill(252, 252, 252);

static QColor hashedColor(const QString &key)
{
    // Stable, well-spread hues for categorical metadata (golden-ratio hue walk over a hash).
    const uint h = qHash(key, 0x5eed);
    const double hue = std::fmod(double(h % 1000) * 0.618033988749895, 1.0);
    return QColor::fromHsvF(hue, 0.55, 0.92);
}

QColor PlateMapView::wellColor(const Well &well) const
{
    if (well.sites.isEmpty() && m_colorBy != ColorBy::ControlType) return QColor(215, 215, 215);
    switch (m_colorBy) {
    case ColorBy::ControlType:
        switch (well.meta.control) {
        case ControlType::NegativeControl: return QColor(120, 120, 120);
        case ControlType::PositiveControl: return QColor(230, 120, 0);
        case ControlType::Treatment: return QColor(40, 120, 200);
        case ControlType::Empty: return QColor(235, 235, 235);
        case ControlType::Unknown: return QColor(170, 200, 225);
        }
        break;
    case ColorBy::Perturbation:
        if (well.meta.isNegativeControl()) return QColor(120, 120, 120);
        return hashedColor(well.meta.perturbationId.isEmpty() ? well.meta.perturbationName : well.meta.perturbationId);
    case ColorBy::CellLine: return hashedColor(well.meta.cellLine);
    case ColorBy::TimePoint: return hashedColor(well.meta.timePoint);
    }
    return Qt::white;
}

QString PlateMapView::wellTooltip(const Well &well)
{
    QStringList lines;
    lines << QStringLiteral("<b>%1</b> — %2 site(s)").arg(well.name).arg(well.sites.size());
    auto add = [&](const QString &k, const QString &v) {
        if (!v.isEmpty()) lines << QStringLiteral("%1: %2").arg(k, v.toHtmlEscaped());
    };
    add(QStringLiteral("Perturbation"), well.meta.perturbationName);
    add(QStringLiteral("Id"), well.meta.perturbationId);
    add(QStringLiteral("Type"), well.meta.perturbationType);
    QString control;
    switch (well.meta.control) {
    case ControlType::NegativeControl: control = QStringLiteral("negative control"); break;
    case ControlType::PositiveControl: control = QStringLiteral("positive control"); break;
    case ControlType::Treatment: control = QStringLiteral("treatment"); break;
    case ControlType::Empty: control = QStringLiteral("empty"); break;
    case ControlType::Unknown: control = QStringLiteral("unknown"); break;
    }
    add(QStringLiteral("Control"), control + (well.meta.controlTypeRaw.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(well.meta.controlTypeRaw)));
    add(QStringLiteral("Cell line"), well.meta.cellLine);
    add(QStringLiteral("Time point"), well.meta.timePoint);
    int extra = 0;
    for (auto it = well.meta.extra.cbegin(); it != well.meta.extra.cend() && extra < 8; ++it, ++extra)
        add(it.key(), it.value());
    if (well.sites.isEmpty()) lines << QStringLiteral("<i>no images</i>");
    return lines.join(QStringLiteral("<br>"));
}

void PlateMapView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const Layout l = layout();
    if (!m_plate) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No screen open — File ▸ Open screen…"));
        return;
    }
    QFont f = font();
    f.setPointSizeF(std::max(6.0, std::min(9.0, l.pitch * 0.45)));
    p.setFont(f);
    p.setPen(palette().color(QPalette::Text));
    const int labelEvery = l.cols > 24 ? 4 : l.cols > 12 ? 2 : 1;
    for (int c = 0; c < l.cols; ++c)
        if ((c + 1) % labelEvery == 0 || c == 0)
            p.drawText(QRectF(l.left + c * l.pitch, l.top - 18, l.pitch, 16), Qt::AlignCenter, QString::number(c + 1));
    for (int r = 0; r < l.rows; ++r)
        p.drawText(QRectF(0, l.top + r * l.pitch, 24, l.pitch), Qt::AlignCenter, wellName(r, 0).chopped(2));

    const double radius = l.pitch * 0.42;
    for (int r = 0; r < l.rows; ++r) {
        for (int c = 0; c < l.cols; ++c) {
            const QPointF center = wellCenter(r, c);
            const Well *w = wellAtCell(r, c);
            const QColor color = w ? wellColor(*w) : QColor(238, 238, 238);
            if (w && w->sites.isEmpty()) {
                // Known from the platemap but without images: an empty well with a dashed ring in its category's
                // colour, so it never reads as a filled legend colour (a faded blue looked like "unknown").
                p.setBrush(kNoImagesFill);
                p.setPen(QPen(color, 1.4, Qt::DashLine));
            } else {
                p.setBrush(color);
                p.setPen(w ? QPen(color.darker(150), 1) : QPen(QColor(205, 205, 205), 1, Qt::DotLine));
            }
            p.drawEllipse(center, radius, radius);
            if (w && w->name == m_selected) {
                p.setBrush(Qt::NoBrush);
                p.setPen(QPen(palette().color(QPalette::Highlight), 2.5));
                p.drawEllipse(center, radius + 1.5, radius + 1.5);
            }
        }
    }
    QFont lf = font();
    lf.setPointSizeF(8);
    p.setFont(lf);
    paintLegend(p, l.top + l.rows * l.pitch + 6);
}

void PlateMapView::paintLegend(QPainter &p, double top)
{
    if (m_colorBy != ColorBy::ControlType) return;
    struct Item {
        QColor color;
        QString text;
    };
    const Item items[] = {{QColor(40, 120, 200), tr("treatment")},
                          {QColor(120, 120, 120), tr("negative control")},
                          {QColor(230, 120, 0), tr("positive control")},
                          {QColor(170, 200, 225), tr("unknown")},
                          {QColor(), tr("no images")}};
    double x = 6;
    const QFontMetrics fm(p.font());
    for (const auto &it : items) {
        if (x > 6 && x + 13 + fm.horizontalAdvance(it.text) > width()) { // wrap instead of cutting the legend off
            x = 6;
            top += 16;
        }
        const bool noImages = !it.color.isValid();
        p.setBrush(noImages ? kNoImagesFill : it.color);
        p.setPen(noImages ? QPen(QColor(40, 120, 200), 1.4, Qt::DashLine) : QPen(it.color.darker(140), 1));
        p.drawEllipse(QPointF(x + 5, top + 8), 5, 5);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QPointF(x + 13, top + 12), it.text);
        x += 22 + fm.horizontalAdvance(it.text);
    }
}

void PlateMapView::mousePressEvent(QMouseEvent *e)
{
    const QString name = wellAt(e->position());
    if (name.isEmpty() || !m_plate) return;
    int r = 0, c = 0;
    parseWellName(name, r, c);
    if (!wellAtCell(r, c)) return;
    setSelectedWell(name);
    Q_EMIT wellClicked(name);
}

bool PlateMapView::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip && m_plate) {
        auto *he = static_cast<QHelpEvent *>(e);
        const QString name = wellAt(he->pos());
        int r = 0, c = 0;
        const Well *w = (!name.isEmpty() && parseWellName(name, r, c)) ? wellAtCell(r, c) : nullptr;
        if (w)
            QToolTip::showText(he->globalPos(), wellTooltip(*w), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(e);
}

} // namespace cprecon::ui
