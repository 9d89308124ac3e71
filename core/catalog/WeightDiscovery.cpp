#include "catalog/WeightDiscovery.h"

#include "catalog/FileHash.h"
#include "util/Error.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <memory>

namespace cprecon::models {

namespace {

const QString kFolderKey = QStringLiteral("models/folder");
const QString kPickedGroup = QStringLiteral("models/picked");

void addUnique(QStringList &list, const QString &path)
{
    if (path.isEmpty()) return;
    const QString clean = QDir::cleanPath(QDir(path).absolutePath());
    if (!list.contains(clean)) list << clean;
}

QString env(const char *name)
{
    return qEnvironmentVariable(name);
}

bool isSha256Hex(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
    return re.match(s).hasMatch();
}

// In the HF cache a snapshot file is a symlink to blobs/<etag>; for LFS files the etag is the content's sha256.
QString hfBlobSha256(const QString &path)
{
    const QFileInfo fi(path);
    if (!fi.isSymLink()) return {};
    const QString name = QFileInfo(fi.symLinkTarget()).fileName();
    return isSha256Hex(name) ? name : QString();
}

bool existsAsFile(const QString &path)
{
    const QFileInfo fi(path); // follows symlinks: a dangling HF symlink is "missing"
    return fi.exists() && fi.isFile();
}

// Names under which a registry file may appear inside a folder (repository root, diffusers folder, flat folder).
QStringList candidateNames(const KnownModel &model, const ModelFile &file)
{
    QStringList names;
    QStringList all{file.path};
    all += file.alternatives;
    const QString sub = model.subfolder.isEmpty() ? QString() : model.subfolder + QLatin1Char('/');
    for (const QString &n : all) {
        if (!names.contains(n)) names << n;
        if (!sub.isEmpty() && n.startsWith(sub) && !names.contains(n.mid(sub.size()))) names << n.mid(sub.size());
        const QString base = n.section(QLatin1Char('/'), -1);
        if (model.isSingleFile() && !names.contains(base)) names << base;
    }
    return names;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------

QString defaultModelsFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/cprecon/models");
}

void setModelsFolder(QSettings &settings, const QString &folder)
{
    settings.setValue(kFolderKey, folder);
}

void rememberPickedPath(QSettings &settings, const QString &model, const QString &path)
{
    settings.setValue(kPickedGroup + QLatin1Char('/') + model, path);
}

void forgetPickedPath(QSettings &settings, const QString &model)
{
    settings.remove(kPickedGroup + QLatin1Char('/') + model);
}

DiscoveryConfig DiscoveryConfig::fromEnvironment(const QSettings *settings)
{
    std::unique_ptr<QSettings> own;
    if (!settings) {
        own = std::make_unique<QSettings>();
        settings = own.get();
    }
    DiscoveryConfig c;
    const QString home = QDir::homePath();
    const QString xdgCache = env("XDG_CACHE_HOME").isEmpty() ? home + QStringLiteral("/.cache") : env("XDG_CACHE_HOME");

    addUnique(c.hfHubRoots, env("HF_HUB_CACHE"));
    addUnique(c.hfHubRoots, env("HUGGINGFACE_HUB_CACHE"));
    if (!env("HF_HOME").isEmpty()) addUnique(c.hfHubRoots, env("HF_HOME") + QStringLiteral("/hub"));
    addUnique(c.hfHubRoots, xdgCache + QStringLiteral("/huggingface/hub"));
    addUnique(c.hfHubRoots, home + QStringLiteral("/.cache/huggingface/hub"));

    if (!env("TORCH_HOME").isEmpty()) addUnique(c.torchHubRoots, env("TORCH_HOME") + QStringLiteral("/hub/checkpoints"));
    addUnique(c.torchHubRoots, xdgCache + QStringLiteral("/torch/hub/checkpoints"));
    addUnique(c.torchHubRoots, home + QStringLiteral("/.cache/torch/hub/checkpoints"));

    for (const QString &p : env("CPRECON_MODELS").split(QDir::listSeparator(), Qt::SkipEmptyParts)) addUnique(c.userModelRoots, p);
    addUnique(c.userModelRoots, settings->value(kFolderKey).toString());
    addUnique(c.userModelRoots, defaultModelsFolder());

    // QSettings has no const group API: read the picked paths by full key.
    for (const QString &key : settings->allKeys())
        if (key.startsWith(kPickedGroup + QLatin1Char('/')))
            c.pickedPaths.insert(key.mid(kPickedGroup.size() + 1), settings->value(key).toString());
    return c;
}

QString DiscoveryConfig::downloadRoot() const
{
    return userModelRoots.isEmpty() ? defaultModelsFolder() : userModelRoots.first();
}

// ---------------------------------------------------------------------------------------------------------------

WeightDiscovery::WeightDiscovery(DiscoveryConfig config) : m_config(std::move(config)) {}

QString WeightDiscovery::hfRepoFolder(const QString &hubRoot, const QString &repo)
{
    QString name = repo;
    name.replace(QLatin1Char('/'), QStringLiteral("--"));
    return hubRoot + QStringLiteral("/models--") + name;
}

QString WeightDiscovery::hfSnapshot(const QString &hubRoot, const QString &repo, const QStringList &requiredFiles)
{
    const QString repoDir = hfRepoFolder(hubRoot, repo);
    const QDir snapshots(repoDir + QStringLiteral("/snapshots"));
    if (!snapshots.exists()) return {};

    QStringList ordered;
    QFile ref(repoDir + QStringLiteral("/refs/main"));
    if (ref.open(QIODevice::ReadOnly)) {
        const QString rev = QString::fromUtf8(ref.readAll()).trimmed();
        if (!rev.isEmpty() && snapshots.exists(rev)) ordered << snapshots.filePath(rev);
    }
    const auto entries = snapshots.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time); // newest first
    for (const QFileInfo &e : entries)
        if (!ordered.contains(e.absoluteFilePath())) ordered << e.absoluteFilePath();
    if (ordered.isEmpty()) return {};
    for (const QString &snap : ordered) {
        bool all = true;
        for (const QString &f : requiredFiles)
            if (!existsAsFile(snap + QLatin1Char('/') + f)) all = false;
        if (all) return snap;
    }
    return ordered.first();
}

ModelStatus WeightDiscovery::evaluate(const KnownModel &model, const QString &source, const QString &base,
                                      const QString &pickedFile) const
{
    ModelStatus st;
    st.name = model.name;
    st.source = source;
    QStringList missing;
    QString weightsPath;
    for (const ModelFile &f : model.files) {
        FileStatus fs;
        fs.relativePath = f.path;
        fs.expected = f.checksum.describe();
        if (!pickedFile.isEmpty() && (&f == model.weightsFile())) {
            fs.path = pickedFile; // the user's file stands for the weights whatever its name
        } else {
            for (const QString &n : candidateNames(model, f)) {
                const QString p = base + QLatin1Char('/') + n;
                if (existsAsFile(p)) {
                    fs.path = p;
                    break;
                }
            }
        }
        if (fs.path.isEmpty()) {
            missing << f.path;
        } else {
            fs.bytes = QFileInfo(fs.path).size();
            st.bytes += fs.bytes;
            if (&f == model.weightsFile()) weightsPath = fs.path;
        }
        st.files.push_back(fs);
    }
    if (missing.isEmpty()) {
        st.state = ModelState::Available;
        if (weightsPath.isEmpty()) weightsPath = st.files.front().path;
        st.path = model.isSingleFile() ? weightsPath : QFileInfo(weightsPath).absolutePath();
        st.detail = QStringLiteral("found in ") + source;
    } else {
        st.state = ModelState::Missing;
        st.detail = QStringLiteral("%1: missing %2").arg(base, missing.join(QStringLiteral(", ")));
    }
    return st;
}

void WeightDiscovery::verify(const KnownModel &model, ModelStatus &st) const
{
    QStringList problems;
    for (size_t i = 0; i < st.files.size() && i < model.files.size(); ++i) {
        FileStatus &fs = st.files[i];
        if (fs.path.isEmpty()) continue;
        const ChecksumRule &rule = model.files[i].checksum;
        const QString blob = hfBlobSha256(fs.path);
        fs.actualSha256 = sha256File(fs.path);
        QStringList expected;
        bool ok = true;
        if (!rule.isEmpty()) {
            expected << rule.describe();
            ok = ok && rule.matches(fs.actualSha256);
        }
        if (!blob.isEmpty()) {
            expected << QStringLiteral("sha256 = %1 (HF cache blob name)").arg(blob);
            ok = ok && fs.actualSha256 == blob;
        }
        fs.expected = expected.isEmpty() ? QStringLiteral("no published checksum") : expected.join(QStringLiteral("; "));
        if (expected.isEmpty())
            fs.verification = Verification::NoReference;
        else
            fs.verification = ok ? Verification::Verified : Verification::Mismatch;
        if (!ok)
            problems << QStringLiteral("%1: expected %2, got sha256 %3").arg(fs.path, fs.expected, fs.actualSha256);
    }
    if (!problems.isEmpty()) {
        st.state = ModelState::ChecksumMismatch;
        st.detail = QStringLiteral("checksum mismatch — ") + problems.join(QStringLiteral("; ")) +
                    QStringLiteral(" (delete the file and download it again)");
    }
}

ModelStatus WeightDiscovery::checkPath(const KnownModel &model, const QString &path) const
{
    const QFileInfo fi(path);
    ModelStatus st;
    if (!fi.exists()) {
        st.name = model.name;
        st.state = ModelState::Missing;
        st.source = QStringLiteral("picked");
        st.detail = QStringLiteral("picked path does not exist: ") + path;
        return st;
    }
    if (fi.isDir()) {
        st = evaluate(model, QStringLiteral("picked"), fi.absoluteFilePath(), {});
        // A repository root picked for a subfolder model (e.g. a full SD folder with vae/ inside) also works:
        // candidateNames already tries "vae/config.json" relative to the folder.
    } else {
        st = evaluate(model, QStringLiteral("picked"), fi.absolutePath(), fi.absoluteFilePath());
    }
    if (st.state == ModelState::Available && m_config.verifyChecksums) verify(model, st);
    return st;
}

ModelStatus WeightDiscovery::status(const KnownModel &model) const
{
    if (model.isBaseline()) {
        ModelStatus st;
        st.name = model.name;
        st.state = ModelState::Available;
        st.source = QStringLiteral("builtin");
        st.detail = QStringLiteral("built-in baseline, no weights needed");
        return st;
    }

    std::vector<std::pair<QString, QString>> places; // (source, base folder)
    QStringList searched;
    for (const QString &root : m_config.userModelRoots) {
        places.emplace_back(QStringLiteral("user-folder"), root + QLatin1Char('/') + model.name);
        if (model.isSingleFile()) places.emplace_back(QStringLiteral("user-folder"), root);
    }
    if (!model.hfRepo.isEmpty()) {
        QStringList required;
        for (const auto &f : model.files) required << f.path;
        for (const QString &root : m_config.hfHubRoots) {
            const QString snap = hfSnapshot(root, model.hfRepo, required);
            if (!snap.isEmpty()) places.emplace_back(QStringLiteral("hf-cache"), snap);
            searched << hfRepoFolder(root, model.hfRepo);
        }
    }
    if (model.torchHub)
        for (const QString &root : m_config.torchHubRoots) places.emplace_back(QStringLiteral("torch-hub"), root);

    std::optional<ModelStatus> mismatch, bestIncomplete;
    auto consider = [&](ModelStatus st) -> std::optional<ModelStatus> {
        if (st.state == ModelState::Available) {
            if (m_config.verifyChecksums) verify(model, st);
            if (st.state == ModelState::Available) return st;
            if (!mismatch) mismatch = st;
            return std::nullopt;
        }
        const auto found = std::count_if(st.files.begin(), st.files.end(), [](const FileStatus &f) { return !f.path.isEmpty(); });
        if (found > 0 && !bestIncomplete) bestIncomplete = st;
        return std::nullopt;
    };

    const auto picked = m_config.pickedPaths.constFind(model.name);
    if (picked != m_config.pickedPaths.constEnd() && !picked.value().isEmpty()) {
        ModelStatus st = checkPath(model, picked.value());
        if (st.state == ModelState::Available) return st;
        if (st.state == ModelState::ChecksumMismatch && !mismatch) mismatch = st;
        searched.prepend(picked.value());
    }
    for (const auto &[source, base] : places) {
        if (auto st = consider(evaluate(model, source, base, {}))) return *st;
    }
    if (mismatch) return *mismatch;

    ModelStatus st;
    st.name = model.name;
    st.state = ModelState::Missing;
    for (const ModelFile &f : model.files) {
        FileStatus fs;
        fs.relativePath = f.path;
        fs.expected = f.checksum.describe();
        st.files.push_back(fs);
    }
    // Interrupted downloads: ours (<user folder>/<name>/<file>.part) and the HF hub's (blobs/*.incomplete).
    for (const QString &root : m_config.userModelRoots)
        for (size_t i = 0; i < model.files.size(); ++i)
            for (const QString &n : candidateNames(model, model.files[i])) {
                const QString part = root + QLatin1Char('/') + model.name + QLatin1Char('/') + n + QStringLiteral(".part");
                const QFileInfo pi(part);
                if (pi.exists() && pi.size() > 0 && st.files[i].partialPath.isEmpty()) {
                    st.files[i].partialPath = part;
                    st.files[i].partialBytes = pi.size();
                    st.state = ModelState::Partial;
                    st.source = QStringLiteral("user-folder");
                }
            }
    if (!model.hfRepo.isEmpty())
        for (const QString &root : m_config.hfHubRoots) {
            QDirIterator it(hfRepoFolder(root, model.hfRepo) + QStringLiteral("/blobs"), {QStringLiteral("*.incomplete")}, QDir::Files);
            while (it.hasNext()) {
                const QString part = it.next();
                if (st.state != ModelState::Partial) {
                    st.state = ModelState::Partial;
                    st.source = QStringLiteral("hf-cache");
                }
                st.detail += (st.detail.isEmpty() ? QString() : QStringLiteral("; ")) +
                             QStringLiteral("interrupted Hugging Face download %1 (%2 bytes)").arg(part).arg(QFileInfo(part).size());
            }
        }
    if (st.state == ModelState::Partial) {
        QStringList parts;
        for (const auto &fs : st.files)
            if (!fs.partialPath.isEmpty()) parts << QStringLiteral("%1 (%2 bytes)").arg(fs.partialPath).arg(fs.partialBytes);
        if (!parts.isEmpty())
            st.detail = QStringLiteral("partial download: ") + parts.join(QStringLiteral(", ")) +
                        QStringLiteral(" — Download resumes it") + (st.detail.isEmpty() ? QString() : QStringLiteral("; ") + st.detail);
        return st;
    }
    if (bestIncomplete) {
        st = *bestIncomplete;
        st.state = ModelState::Missing;
        return st;
    }
    QStringList where;
    for (const auto &[source, base] : places) where << base;
    where += searched;
    where.removeDuplicates();
    st.detail = QStringLiteral("not found (searched: %1)").arg(where.join(QStringLiteral(", ")));
    return st;
}

QString resolveWeights(const QString &nameOrPath, ModelKind *kind)
{
    if (QFileInfo::exists(nameOrPath)) return nameOrPath;
    const ModelRegistry registry = ModelRegistry::standard();
    const KnownModel *m = registry.find(nameOrPath);
    if (!m)
        throw Error("no such file or folder, and not a registry model name", nameOrPath.toStdString(),
                    "give a checkpoint path, or a name from `cprecon-cli models list`");
    if (m->isBaseline())
        throw Error("'" + m->name.toStdString() + "' is a built-in baseline and has no weights", "", "use it as a model spec instead");
    const ModelStatus st = WeightDiscovery(DiscoveryConfig::fromEnvironment()).status(*m);
    if (!st.isUsable())
        throw Error("model '" + m->name.toStdString() + "' is " + stateName(st.state).toStdString() + " on this machine: " +
                        st.detail.toStdString(),
                    "", "run `cprecon-cli models download " + m->name.toStdString() + "` or locate it in the Models dialog");
    if (kind) *kind = m->kind;
    return st.path;
}

std::vector<ModelStatus> WeightDiscovery::statusAll(const ModelRegistry &registry) const
{
    std::vector<ModelStatus> out;
    out.reserve(registry.models().size());
    for (const auto &m : registry.models()) out.push_back(status(m));
    return out;
}

} // namespace cprecon::models
