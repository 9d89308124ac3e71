#include "catalog/ModelRegistry.h"

#include "util/Error.h"

#include <QFile>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

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

using json = nlohmann::json;

// Typed field access: a missing or null field gives the fallback, a field of another type is a named error.
struct Fields {
    const json &o;
    const QString &origin, &where;
    const json *find(const char *key, bool (json::*isType)() const noexcept, const char *type) const
    {
        const auto it = o.find(key);
        if (it == o.end() || it->is_null()) return nullptr;
        if (!((*it).*isType)())
            fail(origin, where + QStringLiteral(": \"%1\" must be %2").arg(QLatin1String(key), QLatin1String(type)), {});
        return &*it;
    }
    QString str(const char *key, const QString &fallback = {}) const
    {
        const json *v = find(key, &json::is_string, "a string");
        return v ? QString::fromStdString(v->get<std::string>()) : fallback;
    }
    bool flag(const char *key) const
    {
        const json *v = find(key, &json::is_boolean, "true or false");
        return v && v->get<bool>();
    }
    double number(const char *key) const
    {
        const json *v = find(key, &json::is_number, "a number");
        return v ? v->get<double>() : 0.0;
    }
    QStringList strings(const char *key) const
    {
        QStringList out;
        if (const json *v = find(key, &json::is_array, "an array of strings"))
            for (const json &e : *v) {
                if (!e.is_string()) fail(origin, where + QStringLiteral(": \"%1\" must be an array of strings").arg(QLatin1String(key)), {});
                out << QString::fromStdString(e.get<std::string>());
            }
        return out;
    }
};

json stringArray(const QStringList &list)
{
    json a = json::array();
    for (const QString &s : list) a.push_back(s.toStdString());
    return a;
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

KnownModel ModelRegistry::parseModel(const nlohmann::json &o, const QString &origin, int index)
{
    KnownModel m;
    if (!o.is_object()) fail(origin, QStringLiteral("model #%1 is not an object").arg(index), QStringLiteral("see docs/user/models.md"));
    QString where = QStringLiteral("model #%1").arg(index);
    m.name = Fields{o, origin, where}.str("name");
    if (!m.name.isEmpty()) where += QStringLiteral(" '") + m.name + QStringLiteral("'");
    const Fields f{o, origin, where};
    static const QRegularExpression nameRe(QStringLiteral("^[a-z0-9][a-z0-9._-]*$"));
    if (!nameRe.match(m.name).hasMatch())
        fail(origin, where + QStringLiteral(": missing or invalid \"name\""), QStringLiteral("use lowercase letters, digits, '-', '.', '_'"));
    const QString kind = f.str("kind");
    const auto k = kindFromName(kind);
    if (!k)
        fail(origin, where + QStringLiteral(": unknown kind '") + kind + QStringLiteral("'"),
             QStringLiteral("use vae, inception-torchvision, inception-fid, openphenom or baseline"));
    m.kind = *k;
    m.displayName = f.str("display", m.name);
    m.hfRepo = f.str("hf_repo");
    m.subfolder = f.str("subfolder");
    m.torchHub = f.flag("torch_hub");
    m.licence = f.str("licence");
    m.licenceUrl = f.str("licence_url");
    m.nonCommercial = f.flag("non_commercial");
    m.gated = f.flag("gated");
    m.page = f.str("page");
    m.role = f.str("role");
    m.notes = f.str("notes");
    m.specs = f.strings("specs");
    if (!m.hfRepo.isEmpty() && m.hfRepo.count(QLatin1Char('/')) != 1)
        fail(origin, where + QStringLiteral(": hf_repo must be ORG/NAME, got '") + m.hfRepo + QStringLiteral("'"), {});

    const json *files = f.find("files", &json::is_array, "an array");
    if (m.kind != ModelKind::Baseline && (!files || files->empty()))
        fail(origin, where + QStringLiteral(": no \"files\""), QStringLiteral("list the files the model needs"));
    for (const json &fo : files ? *files : json::array()) {
        if (!fo.is_object()) fail(origin, where + QStringLiteral(": every file must be an object"), {});
        const Fields ff{fo, origin, where};
        ModelFile file;
        file.path = ff.str("path");
        if (file.path.isEmpty() || file.path.startsWith(QLatin1Char('/')) || file.path.contains(QStringLiteral("..")))
            fail(origin, where + QStringLiteral(": file path '") + file.path + QStringLiteral("' must be relative"), {});
        file.alternatives = ff.strings("alternatives");
        file.url = ff.str("url");
        file.checksum.sha256 = ff.str("sha256").toLower();
        file.checksum.sha256Prefix = ff.str("sha256_prefix").toLower();
        if ((!file.checksum.sha256.isEmpty() && (file.checksum.sha256.size() != 64 || !isHex(file.checksum.sha256)))
            || !isHex(file.checksum.sha256Prefix) || file.checksum.sha256Prefix.size() > 64)
            fail(origin, where + QStringLiteral(": bad sha256 for '") + file.path + QStringLiteral("'"),
                 QStringLiteral("sha256 is 64 hex digits; sha256_prefix a hex prefix"));
        file.approxBytes = static_cast<qint64>(ff.number("approx_bytes"));
        file.weights = ff.flag("weights");
        if (file.url.isEmpty() && m.hfRepo.isEmpty())
            fail(origin, where + QStringLiteral(": file '") + file.path + QStringLiteral("' has no url and the model no hf_repo"), {});
        m.files.push_back(std::move(file));
    }
    return m;
}

ModelRegistry ModelRegistry::fromJson(const QByteArray &text, const QString &origin)
{
    json doc;
    try {
        doc = json::parse(text.constData(), text.constData() + text.size());
    } catch (const json::parse_error &e) {
        throw Error(std::string("model registry is not valid JSON: ") + e.what(), origin.toStdString(), "fix the JSON syntax");
    }
    const auto models = doc.is_object() ? doc.find("models") : doc.end();
    if (!doc.is_object() || models == doc.end() || !models->is_array() || models->empty())
        throw Error("model registry has no \"models\" array", origin.toStdString(), "see docs/user/models.md for the format");
    ModelRegistry r;
    int index = 0;
    for (const json &v : *models) {
        KnownModel m = parseModel(v, origin, index++);
        if (r.find(m.name))
            fail(origin, QStringLiteral("duplicate model name '") + m.name + QStringLiteral("'"), {});
        r.m_models.push_back(std::move(m));
    }
    return r;
}

QByteArray ModelRegistry::toJson() const
{
    json models = json::array();
    for (const auto &m : m_models) {
        json o = {{"name", m.name.toStdString()}, {"display", m.displayName.toStdString()}, {"kind", kindName(m.kind).toStdString()}};
        if (!m.hfRepo.isEmpty()) o["hf_repo"] = m.hfRepo.toStdString();
        if (!m.subfolder.isEmpty()) o["subfolder"] = m.subfolder.toStdString();
        if (m.torchHub) o["torch_hub"] = true;
        json files = json::array();
        for (const auto &f : m.files) {
            json fo = {{"path", f.path.toStdString()}};
            if (!f.alternatives.isEmpty()) fo["alternatives"] = stringArray(f.alternatives);
            if (!f.url.isEmpty()) fo["url"] = f.url.toStdString();
            if (!f.checksum.sha256.isEmpty()) fo["sha256"] = f.checksum.sha256.toStdString();
            if (!f.checksum.sha256Prefix.isEmpty()) fo["sha256_prefix"] = f.checksum.sha256Prefix.toStdString();
            if (f.approxBytes > 0) fo["approx_bytes"] = f.approxBytes;
            if (f.weights) fo["weights"] = true;
            files.push_back(fo);
        }
        o["files"] = files;
        o["licence"] = m.licence.toStdString();
        if (!m.licenceUrl.isEmpty()) o["licence_url"] = m.licenceUrl.toStdString();
        o["non_commercial"] = m.nonCommercial;
        o["gated"] = m.gated;
        if (!m.page.isEmpty()) o["page"] = m.page.toStdString();
        if (!m.role.isEmpty()) o["role"] = m.role.toStdString();
        if (!m.notes.isEmpty()) o["notes"] = m.notes.toStdString();
        if (!m.specs.isEmpty()) o["specs"] = stringArray(m.specs);
        models.push_back(o);
    }
    const json root = {{"version", 1}, {"models", models}};
    return QByteArray::fromStdString(root.dump(2) + "\n");
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
