#include "run/RunConfig.h"

#include "util/Error.h"

#include <QCryptographicHash>
#include <QFile>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace cprecon::run {

using json = nlohmann::json;

namespace {

std::string u8(const QString &s) { return s.toStdString(); }

json strings(const QStringList &list)
{
    json a = json::array();
    for (const QString &s : list) a.push_back(u8(s));
    return a;
}

const char *aggregationName(profiles::Aggregation a) { return a == profiles::Aggregation::Mean ? "mean" : "median"; }

// Typed reads with errors that name the key and the file.
struct Reader {
    const json &j;
    const std::string &origin;
    [[noreturn]] void fail(const std::string &key, const std::string &what, const std::string &fix = {}) const
    {
        throw Error("run config: \"" + key + "\" " + what, origin, fix.empty() ? "see docs/user/run.md for the keys" : fix);
    }
    const json *get(const char *key) const
    {
        const auto it = j.find(key);
        return it == j.end() || it->is_null() ? nullptr : &*it;
    }
    template <typename T> void number(const char *key, T &out, double min, double max) const
    {
        const json *v = get(key);
        if (!v) return;
        if (!v->is_number()) fail(key, "must be a number");
        const double x = v->get<double>();
        if (std::is_integral_v<T> && x != std::floor(x)) fail(key, "must be a whole number");
        if (!(x >= min && x <= max)) fail(key, "is out of range (" + v->dump() + ")");
        out = static_cast<T>(std::is_integral_v<T> ? std::llround(x) : x);
    }
    void text(const char *key, QString &out) const
    {
        if (const json *v = get(key)) {
            if (!v->is_string()) fail(key, "must be a string");
            out = QString::fromStdString(v->get<std::string>());
        }
    }
    void flag(const char *key, bool &out) const
    {
        if (const json *v = get(key)) {
            if (!v->is_boolean()) fail(key, "must be true or false");
            out = v->get<bool>();
        }
    }
    void list(const char *key, QStringList &out) const
    {
        const json *v = get(key);
        if (!v) return;
        if (!v->is_array()) fail(key, "must be an array of strings");
        out.clear();
        for (const json &e : *v) {
            if (!e.is_string()) fail(key, "must be an array of strings");
            out << QString::fromStdString(e.get<std::string>());
        }
    }
};

} // namespace

const std::vector<std::string> &extractorNames()
{
    static const std::vector<std::string> names{"inception", "inception-fid", "openphenom", "handcrafted"};
    return names;
}

std::string catalogNameOf(const std::string &extractor)
{
    if (extractor == "inception") return "inception-torchvision";
    if (extractor == "inception-fid") return "inception-fid";
    if (extractor == "openphenom") return "openphenom";
    return {};
}

json RunConfig::toJson() const
{
    json extractorList = json::array();
    for (const auto &e : extractors) extractorList.push_back({{"name", e.name}, {"weights", e.weights}});
    json aggregationList = json::array();
    for (auto a : aggregations) aggregationList.push_back(aggregationName(a));
    return {{"schema", kSchema},
            {"screens", strings(screens)},
            {"subset", {{"plates", strings(plates)}, {"wells", strings(wells)}, {"cell_lines", strings(cellLines)},
                        {"time_points", strings(timePoints)}}},
            {"models", strings(models)},
            {"protocol", protocolName(protocol)},
            {"tile_size", tileSize},
            {"crop", crop},
            {"triplets", u8(triplets.toString())},
            {"extractors", extractorList},
            {"aggregations", aggregationList},
            {"tvn", {{"components", tvnComponents}, {"whiten", tvnWhiten}, {"variance_threshold", tvnVarianceThreshold}}},
            {"null_size", nullSize},
            {"seed", seed},
            {"repeats", repeats},
            {"group_by", strings(groupBy)},
            {"device", u8(device)},
            {"batch_size", batchSize},
            {"threads", threads}};
}

RunConfig RunConfig::fromJson(const json &j, const std::string &origin)
{
    if (!j.is_object()) throw Error("run config is not a JSON object", origin, "see docs/user/run.md");
    static const std::set<std::string> known{"schema", "screens", "subset", "models", "protocol", "tile_size", "crop",
                                             "triplets", "extractors", "aggregations", "tvn", "null_size", "seed",
                                             "repeats", "group_by", "device", "batch_size", "threads"};
    for (const auto &[key, value] : j.items())
        if (!known.count(key))
            throw Error("run config: unknown key \"" + key + "\"", origin, "remove it or check its spelling (docs/user/run.md)");
    const Reader r{j, origin};
    if (const json *s = r.get("schema"); s && (!s->is_string() || s->get<std::string>() != kSchema))
        r.fail("schema", "is " + s->dump() + ", this version reads " + std::string(kSchema), "write the config with this version");
    RunConfig c;
    r.list("screens", c.screens);
    if (const json *s = r.get("subset")) {
        if (!s->is_object()) r.fail("subset", "must be an object");
        static const std::set<std::string> subsetKeys{"plates", "wells", "cell_lines", "time_points"};
        for (const auto &[key, value] : s->items())
            if (!subsetKeys.count(key)) r.fail("subset." + key, "is not a subset key", "use plates, wells, cell_lines, time_points");
        const Reader sr{*s, origin};
        sr.list("plates", c.plates);
        sr.list("wells", c.wells);
        sr.list("cell_lines", c.cellLines);
        sr.list("time_points", c.timePoints);
    }
    r.list("models", c.models);
    if (const json *p = r.get("protocol")) {
        if (!p->is_string()) r.fail("protocol", "must be \"paper\" or \"corrected\"");
        c.protocol = parseProtocol(p->get<std::string>());
    }
    r.number("tile_size", c.tileSize, 8, 65536);
    r.number("crop", c.crop, 0, 65536);
    if (const json *t = r.get("triplets")) {
        if (!t->is_string()) r.fail("triplets", "must be a string like \"Mito,AGP,RNA;RNA,ER,DNA\"");
        c.triplets = TripletGrouping::parse(QString::fromStdString(t->get<std::string>()));
    }
    if (const json *e = r.get("extractors")) {
        if (!e->is_array()) r.fail("extractors", "must be an array");
        c.extractors.clear();
        for (const json &x : *e) {
            ExtractorChoice ch;
            if (x.is_string()) {
                ch.name = x.get<std::string>();
            } else if (x.is_object() && x.contains("name") && x["name"].is_string()) {
                ch.name = x["name"].get<std::string>();
                if (x.contains("weights") && !x["weights"].is_null()) {
                    if (!x["weights"].is_string()) r.fail("extractors", "weights must be a path string");
                    ch.weights = x["weights"].get<std::string>();
                }
            } else {
                r.fail("extractors", "entries must be names or {\"name\": ..., \"weights\": ...}");
            }
            c.extractors.push_back(ch);
        }
    }
    if (const json *a = r.get("aggregations")) {
        if (!a->is_array()) r.fail("aggregations", "must be an array of \"mean\" / \"median\"");
        c.aggregations.clear();
        for (const json &x : *a) {
            if (!x.is_string()) r.fail("aggregations", "must be an array of \"mean\" / \"median\"");
            c.aggregations.push_back(profiles::parseAggregation(x.get<std::string>()));
        }
    }
    if (const json *t = r.get("tvn")) {
        if (!t->is_object()) r.fail("tvn", "must be an object");
        static const std::set<std::string> tvnKeys{"components", "whiten", "variance_threshold"};
        for (const auto &[key, value] : t->items())
            if (!tvnKeys.count(key)) r.fail("tvn." + key, "is not a TVN setting", "use components, whiten, variance_threshold");
        const Reader tr{*t, origin};
        tr.number("components", c.tvnComponents, 1, 1e6);
        tr.flag("whiten", c.tvnWhiten);
        tr.number("variance_threshold", c.tvnVarianceThreshold, 0, 1e300);
    }
    r.number("null_size", c.nullSize, 1, 1e10);
    r.number("seed", c.seed, 0, 9.007199254740992e15);
    r.number("repeats", c.repeats, 1, 1000);
    r.list("group_by", c.groupBy);
    r.text("device", c.device);
    r.number("batch_size", c.batchSize, 1, 4096);
    r.number("threads", c.threads, 0, 4096);
    c.validate(origin);
    return c;
}

RunConfig RunConfig::fromFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) throw Error("cannot read the run config", u8(path), "check the path");
    const QByteArray text = f.readAll();
    json j;
    try {
        j = json::parse(text.constData(), text.constData() + text.size());
    } catch (const json::parse_error &e) {
        throw Error(std::string("run config is not valid JSON: ") + e.what(), u8(path), "fix the JSON syntax");
    }
    return fromJson(j, u8(path));
}

void RunConfig::validate(const std::string &origin) const
{
    auto fail = [&](const std::string &key, const std::string &what, const std::string &fix) {
        throw Error("run config: \"" + key + "\" " + what, origin, fix);
    };
    if (models.isEmpty()) fail("models", "is empty", "name at least one reconstruction model, e.g. bicubic8 or sd-vae-v1-4");
    if (QStringList(models).removeDuplicates() != 0) fail("models", "names a model twice", "list each model once");
    if (extractors.empty()) fail("extractors", "is empty", "name at least one of inception, inception-fid, openphenom, handcrafted");
    std::set<std::string> seen;
    for (const auto &e : extractors) {
        const auto &names = extractorNames();
        if (std::find(names.begin(), names.end(), e.name) == names.end())
            fail("extractors", "has an unknown extractor '" + e.name + "'", "use inception, inception-fid, openphenom or handcrafted");
        if (!seen.insert(e.name).second) fail("extractors", "names '" + e.name + "' twice", "list each extractor once");
        if (e.name == "handcrafted" && !e.weights.empty()) fail("extractors", "gives weights to handcrafted", "handcrafted needs none");
    }
    if (aggregations.empty()) fail("aggregations", "is empty", "use mean, median or both");
    if (crop > 0 && crop < tileSize) fail("crop", "is smaller than tile_size", "use a crop of at least one tile, or 0 for none");
    triplets.validate();
    const QString d = device.toLower();
    if (d != QLatin1String("auto") && d != QLatin1String("cpu") && d != QLatin1String("cuda"))
        fail("device", "is '" + u8(device) + "'", "use auto, cpu or cuda");
}

json RunConfig::identityJson() const
{
    json j = toJson();
    j.erase("threads");
    j.erase("batch_size");
    return j;
}

std::string RunConfig::hash() const
{
    return QCryptographicHash::hash(QByteArray::fromStdString(identityJson().dump()), QCryptographicHash::Sha256).toHex().toStdString();
}

std::vector<std::string> RunConfig::differences(const RunConfig &other) const
{
    const json a = identityJson(), b = other.identityJson();
    std::vector<std::string> out;
    for (const auto &[key, value] : a.items())
        if (!b.contains(key) || b[key] != value) out.push_back(key);
    return out;
}

} // namespace cprecon::run
