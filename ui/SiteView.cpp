#include "SiteView.h"

#include <QCheckBox>
#include <QColorDialog>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace cprecon::ui {

namespace {
enum Column { ColStain, ColColor, ColLow, ColHigh, ColCount };

QString pixelText(const cv::Mat &m, int x, int y)
{
    if (m.empty() || x >= m.cols || y >= m.rows) return QStringLiteral("–");
    switch (m.depth()) {
    case CV_8U: return QString::number(m.channels() == 1 ? m.at<uint8_t>(y, x) : m.ptr<uint8_t>(y)[x * m.channels()]);
    case CV_16U: return QString::number(m.at<uint16_t>(y, x));
    case CV_32F: return QString::number(double(m.at<float>(y, x)), 'g', 5);
    case CV_64F: return QString::number(m.at<double>(y, x), 'g', 5);
    default: return QStringLiteral("?");
    }
}
} // namespace

SiteView::SiteView(QWidget *parent) : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);

    auto *bar = new QHBoxLayout;
    m_caption = new QLabel(tr("No site selected"));
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_caption, 1);
    bar->addWidget(new QLabel(tr("Saturation %")));
    m_saturation = new QDoubleSpinBox;
    m_saturation->setRange(0.0, 20.0);
    m_saturation->setSingleStep(0.1);
    m_saturation->setDecimals(2);
    m_saturation->setValue(0.35);
    m_saturation->setToolTip(tr("Auto contrast saturates this share of pixels (half dark, half bright)"));
    bar->addWidget(m_saturation);
    m_link = new QCheckBox(tr("Link contrast"));
    m_link->setToolTip(tr("Use one set of contrast limits for all channels"));
    bar->addWidget(m_link);
    m_composite = new QCheckBox(tr("Composite"));
    m_composite->setChecked(true);
    bar->addWidget(m_composite);
    auto *fit = new QToolButton;
    fit->setText(tr("Fit"));
    auto *one = new QToolButton;
    one->setText(tr("1:1"));
    bar->addWidget(fit);
    bar->addWidget(one);
    outer->addLayout(bar);

    m_grid = new QGridLayout;
    m_grid->setSpacing(3);
    outer->addLayout(m_grid, 1);

    auto *bottom = new QHBoxLayout;
    m_table = new QTableWidget(0, ColCount);
    m_table->setHorizontalHeaderLabels({tr("Stain"), tr("LUT"), tr("Min"), tr("Max")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->setMaximumHeight(170);
    bottom->addWidget(m_table, 2);
    m_readout = new QLabel;
    m_readout->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_readout->setMinimumWidth(180);
    m_readout->setTextFormat(Qt::RichText);
    bottom->addWidget(m_readout, 1);
    outer->addLayout(bottom);

    connect(m_saturation, &QDoubleSpinBox::valueChanged, this, [this] {
        recomputeAutoLimits();
        refreshImages();
        Q_EMIT settingsChanged();
    });
    connect(m_link, &QCheckBox::toggled, this, [this] {
        recomputeAutoLimits();
        refreshImages();
        Q_EMIT settingsChanged();
    });
    connect(m_composite, &QCheckBox::toggled, this, [this](bool on) {
        if (m_panels.size() > m_stains.size()) m_panels.last()->setVisible(on);
        Q_EMIT settingsChanged();
    });
    connect(fit, &QToolButton::clicked, this, [this] {
        if (!m_panels.isEmpty()) m_panels.first()->zoomFit();
    });
    connect(one, &QToolButton::clicked, this, [this] {
        if (!m_panels.isEmpty()) m_panels.first()->zoomOneToOne();
    });
    connect(m_table, &QTableWidget::cellChanged, this, [this](int row, int col) {
        if (m_updatingTable || row >= m_limits.size() || (col != ColLow && col != ColHigh)) return;
        bool ok = false;
        const double v = m_table->item(row, col)->text().toDouble(&ok);
        if (!ok) {
            refreshTable();
            return;
        }
        ContrastLimits l = m_limits[row];
        (col == ColLow ? l.low : l.high) = v;
        setManualLimits(row, l);
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int row, int col) {
        if (col != ColColor || row >= m_colors.size()) return;
        const QColor c = QColorDialog::getColor(m_colors[row], this, tr("LUT colour for %1").arg(m_stains[row]));
        if (!c.isValid()) return;
        m_colors[row] = c;
        refreshImages();
        refreshTable();
    });
}

bool SiteView::contrastLinked() const { return m_link->isChecked(); }
double SiteView::saturation() const { return m_saturation->value(); }
bool SiteView::compositeVisible() const { return m_composite->isChecked(); }
void SiteView::setContrastLinked(bool linked) { m_link->setChecked(linked); }
void SiteView::setSaturation(double percent) { m_saturation->setValue(percent); }
void SiteView::setCompositeVisible(bool visible) { m_composite->setChecked(visible); }

void SiteView::setChannels(const QString &caption, const QStringList &stains, const QVector<cv::Mat> &images)
{
    const bool sameLayout = stains == m_stains;
    m_caption->setText(caption);
    m_stains = stains;
    m_images = images;
    m_colors.clear();
    for (const auto &s : stains) m_colors << stainColor(s);
    if (!sameLayout) rebuildPanels();
    recomputeAutoLimits();
    refreshImages();
    for (auto *p : m_panels) p->setBusy(false);
}

void SiteView::clear(const QString &message)
{
    m_caption->setText(message.isEmpty() ? tr("No site selected") : message);
    m_images.clear();
    for (auto *p : m_panels) p->setImage({});
    m_readout->clear();
}

void SiteView::setBusy(bool busy, const QString &text)
{
    for (auto *p : m_panels) p->setBusy(busy, text);
}

void SiteView::rebuildPanels()
{
    for (auto *p : m_panels) p->deleteLater();
    m_panels.clear();
    const int n = m_stains.size() + 1; // + composite
    const int cols = n <= 4 ? n : (n + 1) / 2;
    for (int i = 0; i < n; ++i) {
        auto *panel = new ImagePanel(this);
        const bool composite = i == m_stains.size();
        panel->setTitle(composite ? tr("Composite") : m_stains[i], composite ? Qt::white : stainColor(m_stains[i]));
        m_grid->addWidget(panel, i / cols, i % cols);
        connect(panel, &ImagePanel::viewChanged, this, &SiteView::onViewChanged);
        connect(panel, &ImagePanel::pixelHovered, this, &SiteView::onPixelHovered);
        m_panels << panel;
    }
    m_panels.last()->setVisible(m_composite->isChecked());
}

void SiteView::recomputeAutoLimits()
{
    m_limits.resize(m_images.size());
    for (int i = 0; i < m_images.size(); ++i) m_limits[i] = autoContrast(m_images[i], m_saturation->value());
    if (m_link->isChecked()) linkContrastLimits(m_limits);
}

void SiteView::setManualLimits(int channel, const ContrastLimits &limits)
{
    if (channel < 0 || channel >= m_limits.size()) return;
    ContrastLimits l = limits;
    if (l.high <= l.low) l.high = l.low + 1e-9;
    if (m_link->isChecked())
        for (auto &x : m_limits) x = l;
    else
        m_limits[channel] = l;
    refreshImages();
}

void SiteView::refreshImages()
{
    for (int i = 0; i < m_stains.size() && i < m_panels.size(); ++i)
        m_panels[i]->setImage(i < m_images.size() ? renderChannel(m_images[i], m_limits.value(i), m_colors.value(i)) : QImage());
    if (m_panels.size() > m_stains.size()) {
        QVector<cv::Mat> imgs;
        QVector<ContrastLimits> lims;
        QVector<QColor> cols;
        for (int i = 0; i < m_images.size(); ++i) {
            // Brightfield planes would wash out a fluorescence composite.
            if (m_stains[i].startsWith(QStringLiteral("Brightfield"))) continue;
            imgs << m_images[i];
            lims << m_limits[i];
            cols << m_colors[i];
        }
        m_panels.last()->setImage(renderComposite(imgs, lims, cols));
    }
    refreshTable();
}

void SiteView::refreshTable()
{
    m_updatingTable = true;
    m_table->setRowCount(m_stains.size());
    for (int i = 0; i < m_stains.size(); ++i) {
        auto *name = new QTableWidgetItem(m_stains[i]);
        name->setFlags(Qt::ItemIsEnabled);
        m_table->setItem(i, ColStain, name);
        auto *lut = new QTableWidgetItem;
        lut->setBackground(m_colors.value(i));
        lut->setFlags(Qt::ItemIsEnabled);
        lut->setToolTip(tr("Double-click to change the colour"));
        m_table->setItem(i, ColColor, lut);
        m_table->setItem(i, ColLow, new QTableWidgetItem(QString::number(m_limits.value(i).low, 'g', 6)));
        m_table->setItem(i, ColHigh, new QTableWidgetItem(QString::number(m_limits.value(i).high, 'g', 6)));
    }
    m_updatingTable = false;
}

void SiteView::onViewChanged(const ViewState &v)
{
    for (auto *p : m_panels)
        if (p != sender()) p->setViewState(v);
}

void SiteView::onPixelHovered(int x, int y)
{
    if (x < 0 || m_images.isEmpty()) {
        m_readout->clear();
        return;
    }
    QStringList lines{QStringLiteral("<b>x %1, y %2</b>").arg(x).arg(y)};
    for (int i = 0; i < m_images.size(); ++i)
        lines << QStringLiteral("<span style='color:%1'>%2</span>: %3")
                     .arg(m_colors[i].name(), m_stains[i], pixelText(m_images[i], x, y));
    m_readout->setText(lines.join(QStringLiteral("<br>")));
}

} // namespace cprecon::ui
