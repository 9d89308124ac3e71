#include "run/WeightResolution.h"

#include "catalog/FileHash.h"
#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"
#include "models/ModelPool.h"
#include "models/Reconstructor.h"
#include "util/Error.h"
#include "weights/CheckpointLocator.h"

#include <QFileInfo>

namespace cprecon::run {

namespace {

// The path discovery finds for a registry entry, or an Error saying how to get it. nullptr: not a registry name.
const models::KnownModel *known(const std::string &name)
{
    static const models::ModelRegistry registry = models::ModelRegistry::standard();
    return registry.find(QString::fromStdString(name));
}

std::string discovered(const std::string &what, const models::KnownModel &entry)
{
    const models::ModelStatus st = models::WeightDiscovery(models::DiscoveryConfig::fromEnvironment()).status(entry);
    if (!st.isUsable())
        throw Error(what + " '" + entry.name.toStdString() + "' needs weights that are not on this machine (" +
                        st.detail.toStdString() + ")",
                    "", "download them (Tools > Models, or cprecon-cli models download " + entry.name.toStdString() +
                            ") or give a path");
    return st.path.toStdString();
}

} // namespace

std::string resolveModelSpec(const std::string &model)
{
    if (model.rfind("sd-vae:", 0) == 0) {
        ModelPool::identity(model, {}); // throws naming the missing file
        return model;
    }
    const models::KnownModel *entry = known(model);
    if (model == "sd-vae-random") return model;
    if (!entry || entry->isBaseline()) {
        makeReconstructor(model); // a baseline spec: built in microseconds, so a typo fails here, before any work
        return model;
    }
    if (entry->kind != models::ModelKind::Vae)
        throw Error("'" + model + "' is a " + models::kindName(entry->kind).toStdString() + ", not a reconstruction model",
                    "", "give it as an extractor (--extractor), or use a VAE or a baseline as --model");
    return "sd-vae:" + discovered("model", *entry);
}

std::string resolveExtractorWeights(const ExtractorChoice &extractor)
{
    if (extractor.name == "handcrafted") return {};
    if (!extractor.weights.empty()) {
        if (!QFileInfo::exists(QString::fromStdString(extractor.weights)))
            throw Error("extractor " + extractor.name + ": weights file does not exist", extractor.weights, "check the path");
        return extractor.weights;
    }
    const models::KnownModel *entry = known(catalogNameOf(extractor.name));
    if (!entry) throw Error("extractor " + extractor.name + " has no catalog entry", "", "give its weights: --extractor " + extractor.name + "=PATH");
    return discovered("extractor " + extractor.name, *entry);
}

std::map<std::string, std::pair<std::string, std::string>> weightsIdentity(const RunConfig &config)
{
    std::map<std::string, std::pair<std::string, std::string>> out;
    auto add = [&](const std::string &what, const std::string &path, const std::vector<std::string> &subfolders) {
        const std::string file = locateCheckpoint(path, subfolders).weightsFile;
        out[what] = {file, models::sha256File(QString::fromStdString(file)).toStdString()};
    };
    for (const QString &m : config.models) {
        std::string path, cfg;
        if (parseSdVaeSpec(resolveModelSpec(m.toStdString()), &path, &cfg)) add("model " + m.toStdString(), path, {"vae"});
    }
    for (const ExtractorChoice &e : config.extractors)
        if (e.name != "handcrafted") add("extractor " + e.name, resolveExtractorWeights(e), {});
    return out;
}

} // namespace cprecon::run
