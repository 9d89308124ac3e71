#include "ModelPicker.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QRegularExpression>
#include <QSignalBlocker>

namespace cprecon::ui {

using namespace cprecon::models;

namespace {
constexpr int kSpecRole = Qt::UserRole;
constexpr int kPathRole = Qt::UserRole + 1;
const int kJpegPresets[] = {90, 75, 50, 25, 10};
} // namespace

ModelPicker::ModelPicker(Purpose purpose, QWidget *parent) : QWidget(parent), m_purpose(purpose)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_combo = new QComboBox(this);
    m_combo->setObjectName(QStringLiteral("modelCombo"));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(m_combo);
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this](int) {
        if (m_combo->currentIndex() >= 0) Q_EMIT modelChosen(currentSpec());
    });
    refresh();
}

bool ModelPicker::isValidJpegSpec(const QString &spec, int *quality)
{
    static const QRegularExpression re(QStringLiteral("^jpeg:(\\d{1,3})$"));
    const auto m = re.match(spec);
    if (!m.hasMatch()) return false;
    const int q = m.captured(1).toInt();
    if (q < 1 || q > 100) return false;
    if (quality) *quality = q;
    return true;
}

void ModelPicker::addJpeg(int quality)
{
    const QString spec = QStringLiteral("jpeg:%1").arg(quality);
    m_combo->addItem(tr("JPEG q=%1 (baseline)").arg(quality), spec);
    m_combo->setItemData(m_combo->count() - 1, tr("JPEG compression at quality %1, no weights needed").arg(quality), Qt::ToolTipRole);
}

void ModelPicker::refresh()
{
    ModelRegistry registry;
    try {
        registry = ModelRegistry::standard();
    } catch (const std::exception &) {
        registry = ModelRegistry::builtin(); // a broken extra registry must not empty the picker
    }
    refresh(registry, DiscoveryConfig::fromEnvironment());
}

void ModelPicker::refresh(const ModelRegistry &registry, const DiscoveryConfig &config)
{
    const QString previous = currentSpec();
    const QSignalBlocker block(m_combo);
    m_combo->clear();
    if (m_purpose == Purpose::Reconstruction) {
        m_combo->addItem(tr("Bicubic ×8 (baseline)"), QStringLiteral("bicubic8"));
        m_combo->setItemData(0, tr("Bicubic down/up-sampling by 8: same 48× compression as the SD-VAE latent, no weights"),
                             Qt::ToolTipRole);
        for (int q : kJpegPresets) addJpeg(q);
    }
    const WeightDiscovery discovery(config);
    for (const KnownModel &m : registry.models()) {
        const bool wanted = m_purpose == Purpose::Reconstruction
                                ? m.kind == ModelKind::Vae
                                : (m.kind == ModelKind::InceptionTorchvision || m.kind == ModelKind::InceptionFid ||
                                   m.kind == ModelKind::OpenPhenom);
        if (!wanted) continue;
        const ModelStatus st = discovery.status(m);
        if (!st.isUsable()) continue;
        QString text = m.displayName;
        if (m.nonCommercial) text += tr(" — non-commercial");
        m_combo->addItem(text, m.name);
        const int row = m_combo->count() - 1;
        m_combo->setItemData(row, st.path, kPathRole);
        m_combo->setItemData(row, tr("%1\n%2\nLicence: %3").arg(m.name, st.path, m.licenceSummary()), Qt::ToolTipRole);
    }
    int index = m_combo->findData(previous, kSpecRole);
    if (index < 0 && isValidJpegSpec(previous)) {
        int q = 0;
        isValidJpegSpec(previous, &q);
        addJpeg(q);
        index = m_combo->count() - 1;
    }
    m_combo->setCurrentIndex(index >= 0 ? index : 0);
}

QString ModelPicker::currentSpec() const
{
    return m_combo->currentData(kSpecRole).toString();
}

QString ModelPicker::currentPath() const
{
    return m_combo->currentData(kPathRole).toString();
}

QStringList ModelPicker::specs() const
{
    QStringList out;
    for (int i = 0; i < m_combo->count(); ++i) out << m_combo->itemData(i, kSpecRole).toString();
    return out;
}

bool ModelPicker::setCurrentSpec(const QString &spec)
{
    int index = m_combo->findData(spec, kSpecRole);
    int q = 0;
    if (index < 0 && m_purpose == Purpose::Reconstruction && isValidJpegSpec(spec, &q)) {
        addJpeg(q);
        index = m_combo->count() - 1;
    }
    if (index < 0) return false;
    m_combo->setCurrentIndex(index);
    return true;
}

} // namespace cprecon::ui
