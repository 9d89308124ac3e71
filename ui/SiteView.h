#pragma once
// All channels of one site side by side (one linked ImagePanel per stain, plus a composite), with per-channel
// LUT colour and contrast limits: auto percentile with a saturation % (linkable across channels) or manual.
#include "ImagePanel.h"
#include "render/ImageRendering.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <opencv2/core.hpp>

class QCheckBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QTableWidget;

namespace cprecon::ui {

class SiteView : public QWidget {
    Q_OBJECT
public:
    explicit SiteView(QWidget *parent = nullptr);

    // Shows these channel images (raw, any depth); resets contrast to auto.
    void setChannels(const QString &caption, const QStringList &stains, const QVector<cv::Mat> &images);
    void clear(const QString &message = {});
    void setBusy(bool busy, const QString &text = {});

    int channelCount() const { return m_stains.size(); }
    QStringList stains() const { return m_stains; }
    const cv::Mat &channelImage(int i) const { return m_images.at(i); }
    ContrastLimits limits(int i) const { return m_limits.value(i); }
    QColor color(int i) const { return m_colors.value(i); }
    ImagePanel *panel(int i) const { return m_panels.value(i); } // index channelCount() = composite
    bool contrastLinked() const;
    double saturation() const;
    bool compositeVisible() const;
    void setContrastLinked(bool linked);
    void setSaturation(double percent);
    void setManualLimits(int channel, const ContrastLimits &limits);
    void setCompositeVisible(bool visible);

Q_SIGNALS:
    void settingsChanged(); // saturation / link / composite toggled (the main window persists them)

private:
    void rebuildPanels();
    void recomputeAutoLimits();
    void refreshImages();
    void refreshTable();
    void onViewChanged(const ViewState &v);
    void onPixelHovered(int x, int y);

    QStringList m_stains;
    QVector<cv::Mat> m_images;
    QVector<ContrastLimits> m_limits;
    QVector<QColor> m_colors;
    QVector<ImagePanel *> m_panels;
    QGridLayout *m_grid = nullptr;
    QDoubleSpinBox *m_saturation = nullptr;
    QCheckBox *m_link = nullptr;
    QCheckBox *m_composite = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_readout = nullptr;
    QTableWidget *m_table = nullptr;
    bool m_updatingTable = false;
};

} // namespace cprecon::ui
