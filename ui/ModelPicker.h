#pragma once
// A combo box of the models usable right now: the weight-free baselines (bicubic8, jpeg:<q>) always, and registry
// checkpoints when discovery finds them on disk. Emits the chosen model spec ("bicubic8", "jpeg:75",
// "sd-vae-v1-4", ...); currentPath() gives the weights to load for a checkpoint.
#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"

#include <QWidget>

class QComboBox;

namespace cprecon::ui {

class ModelPicker : public QWidget {
    Q_OBJECT
public:
    enum class Purpose {
        Reconstruction, // baselines + VAEs
        Features,       // InceptionV3 (both recipes) + OpenPhenom
    };
    explicit ModelPicker(Purpose purpose = Purpose::Reconstruction, QWidget *parent = nullptr);

    // Re-runs discovery (stat calls only) with the standard registry and the environment/settings, or with the
    // given ones; keeps the current choice when it is still listed.
    void refresh();
    void refresh(const models::ModelRegistry &registry, const models::DiscoveryConfig &config);

    QString currentSpec() const;
    QString currentPath() const; // weights folder/file of a checkpoint; empty for baselines
    QStringList specs() const;   // every listed spec, in order
    // Selects a listed spec; "jpeg:<1..100>" is added when not listed. Returns false for unknown specs.
    bool setCurrentSpec(const QString &spec);
    QComboBox *comboBox() const { return m_combo; }

    static bool isValidJpegSpec(const QString &spec, int *quality = nullptr);

Q_SIGNALS:
    void modelChosen(const QString &spec);

private:
    void addJpeg(int quality);
    Purpose m_purpose;
    QComboBox *m_combo = nullptr;
};

} // namespace cprecon::ui
