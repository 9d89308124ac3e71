#pragma once
// The registry of known models: what each network is, which files it needs, where the official copies live,
// how to check them and under which licence they come. Pure data (no LibTorch); the built-in table is
// core/models/BuiltinModels.cpp, extra entries can be loaded from JSON ($CPRECON_MODEL_REGISTRY, mirrors, tests).
#include <QString>
#include <QStringList>
#include <QUrl>

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <vector>


namespace cprecon::models {

enum class ModelKind { Vae, InceptionTorchvision, InceptionFid, OpenPhenom, Baseline };
QString kindName(ModelKind kind); // "vae", "inception-torchvision", "inception-fid", "openphenom", "baseline"
std::optional<ModelKind> kindFromName(const QString &name);

// How a file's content is checked. Only published values: torch-hub style file names carry the first hex
// digits of the file's sha256 ("…-0cc3c7bd.pth"), so for those only the prefix is known offline.
struct ChecksumRule {
    QString sha256;       // full lowercase hex digest, empty when not published
    QString sha256Prefix; // leading hex digits, e.g. "0cc3c7bd", empty when not published

    bool isEmpty() const { return sha256.isEmpty() && sha256Prefix.isEmpty(); }
    bool matches(const QString &actualHex) const; // true when empty
    QString describe() const;                    // "sha256 = …", "sha256 starts with 0cc3c7bd", "no published checksum"
};

struct ModelFile {
    QString path;             // relative to the model's repository root, e.g. "vae/diffusion_pytorch_model.safetensors"
    QStringList alternatives; // other accepted relative paths (e.g. the .bin of the same weights); never downloaded
    QString url;              // official download URL; empty = https://huggingface.co/<hfRepo>/resolve/main/<path>
    ChecksumRule checksum;
    qint64 approxBytes = 0;   // approximate size for display only (0 = unknown)
    bool weights = false;     // the weight file (as opposed to config.json)

    QString fileName() const; // last path component
};

struct KnownModel {
    QString name;        // registry id, e.g. "sd-vae-v1-4"
    QString displayName; // e.g. "Stable Diffusion v1.4 VAE"
    ModelKind kind = ModelKind::Baseline;
    QString hfRepo;      // "CompVis/stable-diffusion-v1-4" when the model lives on the Hugging Face hub
    QString subfolder;   // "vae" when the model is a subfolder of its repository
    bool torchHub = false; // single file found by name in the torch hub checkpoints folder
    std::vector<ModelFile> files;
    QString licence;
    QString licenceUrl;
    bool nonCommercial = false; // licence forbids commercial use: the UI and docs warn
    bool gated = false;         // the hub requires login + accepting the licence before downloading
    QString page;               // human-readable source page
    QString role;               // role in the paper's protocol / the app
    QString notes;
    QStringList specs;          // baselines: the model specs model lists offer (e.g. jpeg:75, jpeg:90); default: name

    bool isBaseline() const { return kind == ModelKind::Baseline; }
    bool isSingleFile() const { return files.size() == 1; }
    qint64 approxBytes() const;                // sum over files (0 = unknown)
    const ModelFile *weightsFile() const;      // the file flagged weights (or the only file)
    QString licenceSummary() const;            // licence + " — NON-COMMERCIAL" / " — gated" flags
};

class ModelRegistry {
public:
    // The built-in table plus, when set, the JSON file named by $CPRECON_MODEL_REGISTRY (entries with an
    // existing name replace the built-in one).
    static ModelRegistry standard();
    static const ModelRegistry &builtin();

    // Parses {"models": [...]} (format: docs/user/models.md). Throws cprecon::Error naming `origin` and the entry.
    static ModelRegistry fromJson(const QByteArray &json, const QString &origin);
    static ModelRegistry fromFile(const QString &path);
    QByteArray toJson() const; // same format, round-trips through fromJson

    const std::vector<KnownModel> &models() const { return m_models; }
    const KnownModel *find(const QString &name) const;
    const KnownModel &get(const QString &name) const; // throws cprecon::Error listing the known names
    void add(KnownModel model);                       // replaces an entry of the same name
    void merge(const ModelRegistry &other);
    // The one list of weight-free baselines every model list offers (inspector, CLI, factory), in registry order.
    QStringList baselineSpecs() const;

    // Download URL of a file: the official one, or urlBase + "/" + file.path when a mirror base is given.
    static QUrl downloadUrl(const KnownModel &model, const ModelFile &file, const QString &urlBase = {});

private:
    static KnownModel parseModel(const nlohmann::json &o, const QString &origin, int index);
    std::vector<KnownModel> m_models;
};

} // namespace cprecon::models
