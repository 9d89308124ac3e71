#include "catalog/ModelRegistry.h"

#include "util/Error.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace cprecon::models {

extern const char *const kBuiltinModelsJson; // BuiltinModels.cpp

namespace {

struct KindName {
    ModelKind kind;
    const char *name;
};
constexpr KindName kKinds[] = {
    {ModelKind::Vae, "vae"},
    {ModelKind::InceptionTorchvision, "inception-torchvision"},
    {ModelKind::InceptionFid, "inception-fid"},
    {ModelKind::OpenPhenom, "openphenom"},
    {ModelKind::Baseline, "baseline"},
};

bool isHex(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]*$"));
    return re.match(s).hasMatch();
}

[[noreturn]] void fail(const QString &origin, const QString &what, const QString &fix)
{
    throw Error(what.toStdString(), origin.toStdString(), fix.toStdString());
}

} // namespace

QString kindName(ModelKind kind)
{
    for (const auto &k : kKinds)
        if (k.kind == kind) return QString::fromLatin1(k.name);
    return QStringLiteral("unknown");
}

std::optional<ModelKind> kindFromName(const QString &name)
{
    for (const auto &k : kKinds)
        if (name == QLatin1String(k.name)) return k.kind;
    return std::nullopt;
}

bool ChecksumRule::matches(const QString &actualHex) const
{
    const QString a = actualHex.toLower();
    if (!sha256.isEmpty() && a != sha256) return false;
    if (!sha256Prefix.isEmpty() && !a.startsWith(sha256Prefix)) return false;
    return true;
}

QString ChecksumRule::describe() const
{
    if (!sha256.isEmpty()) return QStringLiteral("sha256 = ") + sha256;
    if (!sha256Prefix.isEmpty()) return QStringLiteral("sha256 starts with ") + sha256Prefix;
    return QStringLiteral("no published checksum");
}

QString ModelFile::fileName() const
{
    return path.section(QLatin1Char('/'), -1);
}

qint64 KnownModel::approxBytes() const
{
    qint64 total = 0;
    for (const auto &f : files) {
        if (f.approxBytes <= 0 && f.weights) return 0; // the big file is unknown: the sum would mislead
        total += f.approxBytes;
    }
    return total;
}

const ModelFile *KnownModel::weightsFile() const
{
    for (const auto &f : files)
        if (f.weights) return &f;
    return files.size() == 1 ? &files.front() : nullptr;
}

QString KnownModel::licenceSummary() const
{
    QString s = licence;
    if (nonCommercial) s += QStringLiteral(" — NON-COMMERCIAL use only");
    if (gated) s += QStringLiteral(" — gated (accept the licence on the hub)");
    return s;
}

// ---------------------------------------------------------------------------------------------------------------

const ModelRegistry &ModelRegistry::builtin()
{
    static const ModelRegistry r = fromJson(QByteArray(kBuiltinModelsJson), QStringLiteral("<built-in model registry>"));
    return r;
}

ModelRegistry ModelRegistry::standard()
{
    ModelRegistry r = builtin();
    const QString extra = qEnvironmentVariable("CPRECON_MODEL_REGISTRY");
    if (!extra.isEmpty()) r.merge(fromFile(extra));
    return r;
}

ModelRegistry ModelRegistry::fromFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error("cannot read model registry: " + f.errorString().toStdString(), path.toStdString(),
                    "check the path (e.g. $CPRECON_MODEL_REGISTRY)");
    return fromJson(f.readAll(), path);
}

KnownModel ModelRegistry::parseModel(const QJsonObject &o, const QString &origin, int index)
{
    KnownModel m;
    m.name = o.value(QStringLiteral("name")).toString();
    const QString where = QStringLiteral("model #%1%2").arg(index).arg(m.name.isEmpty() ? QString() : QStringLiteral(" '") + m.name + QStringLiteral("'"));
    static const QRegularExpression nameRe(QStringLiteral("^[a-z0-9][a-z0-9._-]*$"));
    if (!nameRe.match(m.name).hasMatch())
        fail(origin, where + QStringLiteral(": missing or invalid \"name\""), QStringLiteral("use lowercase letters, digits, '-', '.', '_'"));
    const QString kind = o.value(QStringLiteral("kind")).toString();
    const auto k = kindFromName(kind);
    if (!k)
        fail(origin, where + QStringLiteral(": unknown kind '") + kind + QStringLiteral("'"),
             QStringLiteral("use vae, inception-torchvision, inception-fid, openphenom or baseline"));
    m.kind = *k;
    m.displayName = o.value(QStringLiteral("display")).toString(m.name);
    m.hfRepo = o.value(QStringLiteral("hf_repo")).toString();
    m.subfolder = o.value(QStringLiteral("subfolder")).toString();
    m.torchHub = o.value(QStringLiteral("torch_hub")).toBool(false);
    m.licence = o.value(QStringLiteral("licence")).toString();
    m.licenceUrl = o.value(QStringLiteral("licence_url")).toString();
    m.nonCommercial = o.value(QStringLiteral("non_commercial")).toBool(false);
    m.gated = o.value(QStringLiteral("gated")).toBool(false);
    m.page = o.value(QStringLiteral("page")).toString();
    m.role = o.value(QStringLiteral("role")).toString();
    m.notes = o.value(QStringLiteral("notes")).toString();
    for (const QJsonValue &v : o.value(QStringLiteral("specs")).toArray()) m.specs << v.toString();
    if (!m.hfRepo.isEmpty() && m.hfRepo.count(QLatin1Char('/')) != 1)
        fail(origin, where + QStringLiteral(": hf_repo must be ORG/NAME, got '") + m.hfRepo + QStringLiteral("'"), {});

    const QJsonArray files = o.value(QStringLiteral("files")).toArray();
    if (m.kind != ModelKind::Baseline && files.isEmpty())
        fail(origin, where + QStringLiteral(": no \"files\""), QStringLiteral("list the files the model needs"));
    for (const auto &fv : files) {
        const QJsonObject fo = fv.toObject();
        ModelFile f;
        f.path = fo.value(QStringLiteral("path")).toString();
        if (f.path.isEmpty() || f.path.startsWith(QLatin1Char('/')) || f.path.contains(QStringLiteral("..")))
            fail(origin, where + QStringLiteral(": file path '") + f.path + QStringLiteral("' must be relative"), {});
        for (const auto &a : fo.value(QStringLiteral("alternatives")).toArray()) f.alternatives << a.toString();
        f.url = fo.value(QStringLiteral("url")).toString();
        f.checksum.sha256 = fo.value(QStringLiteral("sha256")).toString().toLower();
        f.checksum.sha256Prefix = fo.value(QStringLiteral("sha256_prefix")).toString().toLower();
        if ((!f.checksum.sha256.isEmpty() && (f.checksum.sha256.size() != 64 || !isHex(f.checksum.sha256)))
            || !isHex(f.checksum.sha256Prefix) || f.checksum.sha256Prefix.size() > 64)
            fail(origin, where + QStringLiteral(": bad sha256 for '") + f.path + QStringLiteral("'"),
                 QStringLiteral("sha256 is 64 hex digits; sha256_prefix a hex prefix"));
        f.approxBytes = static_cast<qint64>(fo.value(QStringLiteral("approx_bytes")).toDouble(0));
        f.weights = fo.value(QStringLiteral("weights")).toBool(false);
        if (f.url.isEmpty() && m.hfRepo.isEmpty())
            fail(origin, where + QStringLiteral(": file '") + f.path + QStringLiteral("' has no url and the model no hf_repo"), {});
        m.files.push_back(std::move(f));
    }
    return m;
}

ModelRegistry ModelRegistry::fromJson(const QByteArray &json, const QString &origin)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        throw Error("model registry is not valid JSON: " + err.errorString().toStdString() + " at offset " +
                        std::to_string(err.offset),
                    origin.toStdString(), "fix the JSON syntax");
    const QJsonArray models = doc.object().value(QStringLiteral("models")).toArray();
    if (!doc.isObject() || models.isEmpty())
        throw Error("model registry has no \"models\" array", origin.toStdString(), "see docs/user/models.md for the format");
    ModelRegistry r;
    int index = 0;
    for (const auto &v : models) {
        KnownModel m = parseModel(v.toObject(), origin, index++);
        if (r.find(m.name))
            fail(origin, QStringLiteral("duplicate model name '") + m.name + QStringLiteral("'"), {});
        r.m_models.push_back(std::move(m));
    }
    return r;
}

QByteArray ModelRegistry::toJson() const
{
    QJsonArray models;
    for (const auto &m : m_models) {
        QJsonObject o;
        o.insert(QStringLiteral("name"), m.name);
        o.insert(QStringLiteral("display"), m.displayName);
        o.insert(QStringLiteral("kind"), kindName(m.kind));
        if (!m.hfRepo.isEmpty()) o.insert(QStringLiteral("hf_repo"), m.hfRepo);
        if (!m.subfolder.isEmpty()) o.insert(QStringLiteral("subfolder"), m.subfolder);
        if (m.torchHub) o.insert(QStringLiteral("torch_hub"), true);
        QJsonArray files;
        for (const auto &f : m.files) {
            QJsonObject fo;
            fo.insert(QStringLiteral("path"), f.path);
            if (!f.alternatives.isEmpty()) fo.insert(QStringLiteral("alternatives"), QJsonArray::fromStringList(f.alternatives));
            if (!f.url.isEmpty()) fo.insert(QStringLiteral("url"), f.url);
            if (!f.checksum.sha256.isEmpty()) fo.insert(QStringLiteral("sha256"), f.checksum.sha256);
            if (!f.checksum.sha256Prefix.isEmpty()) fo.insert(QStringLiteral("sha256_prefix"), f.checksum.sha256Prefix);
            if (f.approxBytes > 0) fo.insert(QStringLiteral("approx_bytes"), static_cast<double>(f.approxBytes));
            if (f.weights) fo.insert(QStringLiteral("weights"), true);
            files.append(fo);
        }
        o.insert(QStringLiteral("files"), files);
        o.insert(QStringLiteral("licence"), m.licence);
        if (!m.licenceUrl.isEmpty()) o.insert(QStringLiteral("licence_url"), m.licenceUrl);
        o.insert(QStringLiteral("non_commercial"), m.nonCommercial);
        o.insert(QStringLiteral("gated"), m.gated);
        if (!m.page.isEmpty()) o.insert(QStringLiteral("page"), m.page);
        if (!m.role.isEmpty()) o.insert(QStringLiteral("role"), m.role);
        if (!m.notes.isEmpty()) o.insert(QStringLiteral("notes"), m.notes);
        if (!m.specs.isEmpty()) o.insert(QStringLiteral("specs"), QJsonArray::fromStringList(m.specs));
        models.append(o);
    }
    QJsonObject root;
    root.insert(QStringLiteral("version"), 1);
    root.insert(QStringLiteral("models"), models);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

const KnownModel *ModelRegistry::find(const QString &name) const
{
    for (const auto &m : m_models)
        if (m.name == name) return &m;
    return nullptr;
}

const KnownModel &ModelRegistry::get(const QString &name) const
{
    if (const KnownModel *m = find(name)) return *m;
    QStringList names;
    for (const auto &m : m_models) names << m.name;
    throw Error("unknown model '" + name.toStdString() + "'", "",
                "known models: " + names.join(QStringLiteral(", ")).toStdString());
}

void ModelRegistry::add(KnownModel model)
{
    for (auto &m : m_models)
        if (m.name == model.name) {
            m = std::move(model);
            return;
        }
    m_models.push_back(std::move(model));
}

void ModelRegistry::merge(const ModelRegistry &other)
{
    for (const auto &m : other.m_models) add(m);
}

QUrl ModelRegistry::downloadUrl(const KnownModel &model, const ModelFile &file, const QString &urlBase)
{
    if (!urlBase.isEmpty()) {
        QString base = urlBase;
        while (base.endsWith(QLatin1Char('/'))) base.chop(1);
        return QUrl(base + QLatin1Char('/') + file.path);
    }
    if (!file.url.isEmpty()) return QUrl(file.url);
    return QUrl(QStringLiteral("https://huggingface.co/") + model.hfRepo + QStringLiteral("/resolve/main/") + file.path);
}

QStringList ModelRegistry::baselineSpecs() const
{
    QStringList out;
    for (const KnownModel &m : m_models)
        if (m.isBaseline()) out << (m.specs.isEmpty() ? QStringList{m.name} : m.specs);
    return out;
}

} // namespace cprecon::models
