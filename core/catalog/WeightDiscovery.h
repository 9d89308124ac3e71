#pragma once
// Finds registry models already on disk: a path the user picked, the user models folder(s), the Hugging Face hub
// cache and the torch hub checkpoints folder — in that order — and reports each model's status
// (available / missing / partial download / checksum mismatch). Cheap by default (stat calls only);
// with verifyChecksums the files are hashed (streaming sha256, cached per process).
#include "catalog/ModelRegistry.h"
#include "catalog/ModelStatus.h"

#include <QMap>
#include <QString>
#include <QStringList>

class QSettings;

namespace cprecon::models {

struct DiscoveryConfig {
    QStringList hfHubRoots;     // hub cache folders holding models--ORG--NAME/, in priority order
    QStringList torchHubRoots;  // torch hub checkpoints folders
    QStringList userModelRoots; // user models folders; the first is where downloads go
    QMap<QString, QString> pickedPaths; // model name -> file or folder the user chose
    bool verifyChecksums = false;

    // From the environment and settings:
    //  HF:    $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub
    //  torch: $TORCH_HOME/hub/checkpoints, $XDG_CACHE_HOME/torch/hub/checkpoints, ~/.cache/torch/hub/checkpoints
    //  user:  $CPRECON_MODELS (':'-separated), settings "models/folder", default ~/.local/share/cprecon/models
    //  picked: settings "models/picked/<name>"
    // settings == nullptr uses a default-constructed QSettings (organisation/application of the app).
    static DiscoveryConfig fromEnvironment(const QSettings *settings = nullptr);
    QString downloadRoot() const; // userModelRoots.first() (or the default folder)
};

// Settings helpers (keys documented in docs/user/models.md).
QString defaultModelsFolder(); // QStandardPaths GenericDataLocation + /cprecon/models
void setModelsFolder(QSettings &settings, const QString &folder);
void rememberPickedPath(QSettings &settings, const QString &model, const QString &path);
void forgetPickedPath(QSettings &settings, const QString &model);

// What to load for a user-given weights argument: an existing file/folder is returned as is; a registry name
// ("sd-vae-v1-4") is looked up with the standard registry and DiscoveryConfig::fromEnvironment(). Throws
// cprecon::Error when it is neither, or when the model is not on this machine (the fix names
// `cprecon-cli models download <name>`). `kind` (optional) receives the model's kind for registry names.
QString resolveWeights(const QString &nameOrPath, ModelKind *kind = nullptr);

class WeightDiscovery {
public:
    explicit WeightDiscovery(DiscoveryConfig config);
    const DiscoveryConfig &config() const { return m_config; }

    ModelStatus status(const KnownModel &model) const;
    std::vector<ModelStatus> statusAll(const ModelRegistry &registry) const;

    // Status of `model` at a file or folder the user picked (does not remember it). A folder may be a diffusers
    // folder, a repository root (with the model's subfolder inside) or hold the single weight file; a file is
    // taken as the weight file (any name; its config.json, if the model needs one, must sit next to it).
    ModelStatus checkPath(const KnownModel &model, const QString &path) const;

    // The snapshot folder of `repo` ("ORG/NAME") in a hub cache root: the one refs/main names when it exists
    // and holds the required files, else the newest snapshot holding them, else the refs/main / newest one.
    // Empty when the repo is not cached.
    static QString hfSnapshot(const QString &hubRoot, const QString &repo, const QStringList &requiredFiles = {});
    static QString hfRepoFolder(const QString &hubRoot, const QString &repo); // <root>/models--ORG--NAME

private:
    ModelStatus evaluate(const KnownModel &model, const QString &source, const QString &base,
                         const QString &pickedFile) const;
    void verify(const KnownModel &model, ModelStatus &status) const;
    DiscoveryConfig m_config;
};

} // namespace cprecon::models
