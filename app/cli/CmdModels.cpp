// cprecon-cli models list / models download: the registry, what is on disk, and fetching official weights.
#include "CliRegistry.h"

#include "catalog/Downloader.h"
#include "catalog/ModelRegistry.h"
#include "catalog/WeightDiscovery.h"
#include "util/Error.h"

#include <QDir>

#include <iostream>

#include <nlohmann/json.hpp>

namespace cprecon::cli {

using namespace cprecon::models;

namespace {


QString pad(const QString &s, int width)
{
    return s.size() >= width ? s + QLatin1Char(' ') : s.leftJustified(width);
}

using json = nlohmann::json;

std::string u8(const QString &s) { return s.toStdString(); }

json strings(const QStringList &list)
{
    json a = json::array();
    for (const QString &s : list) a.push_back(u8(s));
    return a;
}

json modelJson(const KnownModel &m, const ModelStatus &st)
{
    json o = {{"name", u8(m.name)},           {"display", u8(m.displayName)},   {"kind", u8(kindName(m.kind))},
              {"status", u8(stateName(st.state))}, {"path", u8(st.path)},       {"source", u8(st.source)},
              {"detail", u8(st.detail)},       {"bytes", st.bytes},             {"approx_bytes", m.approxBytes()},
              {"licence", u8(m.licence)},      {"licence_url", u8(m.licenceUrl)}, {"non_commercial", m.nonCommercial},
              {"gated", m.gated},              {"hf_repo", u8(m.hfRepo)},       {"page", u8(m.page)},
              {"role", u8(m.role)},            {"notes", u8(m.notes)}};
    json files = json::array();
    for (size_t i = 0; i < m.files.size(); ++i) {
        const ModelFile &f = m.files[i];
        json fo = {{"path", u8(f.path)}, {"url", u8(ModelRegistry::downloadUrl(m, f).toString())}, {"checksum", u8(f.checksum.describe())}};
        if (i < st.files.size()) {
            const FileStatus &fs = st.files[i];
            fo["found"] = u8(fs.path);
            fo["bytes"] = fs.bytes;
            fo["verification"] = u8(verificationName(fs.verification));
            if (!fs.actualSha256.isEmpty()) fo["sha256"] = u8(fs.actualSha256);
            if (!fs.partialPath.isEmpty()) {
                fo["partial"] = u8(fs.partialPath);
                fo["partial_bytes"] = fs.partialBytes;
            }
        }
        files.push_back(fo);
    }
    o["files"] = files;
    return o;
}

int listModels(const Args &a)
{
    const ModelRegistry registry = ModelRegistry::standard();
    DiscoveryConfig cfg = DiscoveryConfig::fromEnvironment();
    cfg.verifyChecksums = a.has(QStringLiteral("verify"));
    const WeightDiscovery discovery(cfg);
    const auto statuses = discovery.statusAll(registry);

    if (a.has(QStringLiteral("json"))) {
        json models = json::array();
        for (size_t i = 0; i < statuses.size(); ++i) models.push_back(modelJson(registry.models()[i], statuses[i]));
        const json root = {{"search", {{"hf_hub", strings(cfg.hfHubRoots)}, {"torch_hub", strings(cfg.torchHubRoots)},
                                       {"user", strings(cfg.userModelRoots)}}},
                           {"download_root", u8(cfg.downloadRoot())},
                           {"models", models}};
        std::cout << root.dump(2) << "\n";
        return 0;
    }

    std::cout << pad(QStringLiteral("NAME"), 24).toStdString() << pad(QStringLiteral("KIND"), 23).toStdString()
              << pad(QStringLiteral("STATUS"), 19).toStdString() << pad(QStringLiteral("SIZE"), 10).toStdString()
              << "LICENCE\n";
    bool nonCommercialShown = false;
    for (size_t i = 0; i < statuses.size(); ++i) {
        const KnownModel &m = registry.models()[i];
        const ModelStatus &st = statuses[i];
        const qint64 size = st.bytes > 0 ? st.bytes : m.approxBytes();
        const QString sizeCol = m.isBaseline() ? QStringLiteral("-")
                                : size <= 0      ? QStringLiteral("?")
                                                 : (st.bytes > 0 ? QString() : QStringLiteral("~")) + humanSize(size);
        std::cout << pad(m.name, 24).toStdString() << pad(kindName(m.kind), 23).toStdString()
                  << pad(stateName(st.state), 19).toStdString() << pad(sizeCol, 10).toStdString()
                  << m.licenceSummary().toStdString() << "\n";
        if (st.state == ModelState::Available && !m.isBaseline())
            std::cout << "    " << st.path.toStdString() << "  [" << st.source.toStdString() << "]\n";
        else if (st.state != ModelState::Available)
            std::cout << "    " << st.detail.toStdString() << "\n";
        nonCommercialShown |= m.nonCommercial;
    }
    std::cout << "\nDownloads go to " << cfg.downloadRoot().toStdString()
              << " (change with $CPRECON_MODELS or `models download NAME --dir DIR`).\n";
    if (!cfg.verifyChecksums) std::cout << "Checksums not verified; add --verify to hash the files found.\n";
    if (nonCommercialShown)
        std::cout << "NON-COMMERCIAL: models marked so may only be used for non-commercial research (read their licences).\n";
    return 0;
}

int downloadModel(const Args &a)
{
    if (a.positionals().size() != 1)
        throw Error("models download needs exactly one model name", "", "run `cprecon-cli models list` for the names");
    const ModelRegistry registry = ModelRegistry::standard();
    const KnownModel &m = registry.get(a.positionals().first());
    if (m.isBaseline()) {
        std::cout << m.name.toStdString() << " is a built-in baseline: nothing to download.\n";
        return 0;
    }
    const DiscoveryConfig cfg = DiscoveryConfig::fromEnvironment();
    const QString root = QDir(a.value(QStringLiteral("dir"), cfg.downloadRoot())).absolutePath();
    const QString urlBase = a.value(QStringLiteral("url-base"));

    std::cerr << "model:   " << m.displayName.toStdString() << " (" << m.name.toStdString() << ")\n"
              << "licence: " << m.licenceSummary().toStdString() << (m.licenceUrl.isEmpty() ? "" : "  ")
              << m.licenceUrl.toStdString() << "\n";
    if (m.nonCommercial)
        std::cerr << "WARNING: " << m.name.toStdString() << " is licensed for NON-COMMERCIAL use only.\n";
    if (m.gated && urlBase.isEmpty())
        std::cerr << "note:    gated on the hub; without an accepted licence and login the download fails with HTTP 401/403.\n";
    const ModelStatus existing = WeightDiscovery(cfg).status(m);
    if (existing.isUsable() && !a.has(QStringLiteral("dir")))
        std::cerr << "note:    already available at " << existing.path.toStdString() << " [" << existing.source.toStdString()
                  << "]; downloading a copy into " << root.toStdString() << " anyway\n";

    auto items = modelDownloadPlan(m, root, urlBase);
    for (auto &it : items) it.overwrite = a.has(QStringLiteral("overwrite"));
    QStringList urls;
    for (const auto &it : items) urls << it.url.toString();
    Downloader d;
    d.setMaxRetries(a.intValue(QStringLiteral("retries"), 3));
    int lastTenth = -1;
    QObject::connect(&d, &Downloader::fileStarted, [&](int index, int count, const QString &label) {
        lastTenth = -1;
        std::cerr << "[" << index + 1 << "/" << count << "] " << label.toStdString() << "\n  from "
                  << urls.value(index).toStdString() << "\n";
    });
    QObject::connect(&d, &Downloader::progress, [&](qint64 got, qint64 total) {
        if (total <= 0) return;
        const int tenth = static_cast<int>(10 * got / total);
        if (tenth == lastTenth) return;
        lastTenth = tenth;
        std::cerr << "  " << humanSize(got).toStdString() << " / " << humanSize(total).toStdString() << " (" << tenth * 10 << "%)\n";
    });
    QObject::connect(&d, &Downloader::message, [](const QString &text) { std::cerr << "  " << text.toStdString() << "\n"; });
    const DownloadResult r = d.runBlocking(std::move(items));
    if (!r.ok()) {
        std::cerr << "error: " << r.error.toStdString() << "\n";
        return r.outcome == DownloadResult::Outcome::Canceled ? 130 : 1;
    }
    DiscoveryConfig installed;
    installed.userModelRoots = {root};
    const ModelStatus st = WeightDiscovery(installed).status(m);
    std::cout << "installed " << m.name.toStdString() << ": " << st.path.toStdString() << "\n";
    return st.isUsable() ? 0 : 1;
}

} // namespace

static Registrar regList({"models list", "list known models, where they were found, their status and licences",
                          {},
                          QStringLiteral("Registry of known models with status (available / missing / partial / checksum-mismatch),\n"
                                         "path, source, size and licence. Searches a picked path (GUI), the user models folder(s)\n"
                                         "($CPRECON_MODELS, settings, ~/.local/share/cprecon/models), the Hugging Face cache\n"
                                         "($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub) and the torch hub cache\n"
                                         "($TORCH_HOME/hub/checkpoints, ~/.cache/torch/hub/checkpoints).\n"
                                         "Extra registry entries: $CPRECON_MODEL_REGISTRY=file.json (format: docs/user/models.md)"),
                          {flag(QStringLiteral("json"), QStringLiteral("machine-readable output")),
                           flag(QStringLiteral("verify"), QStringLiteral("hash the files found (sha256) against published checksums / HF blob names"))},
                          listModels});

static Registrar regDownload({"models download", "download a model's official files (resumable, checksum-verified)",
                              QStringLiteral("NAME"),
                              QStringLiteral("Fetches every file of NAME into DIR/NAME/ (default: the first user models folder).\n"
                                             "Resumes DIR/NAME/<file>.part left by an interrupted run (HTTP Range), retries dropped\n"
                                             "connections, verifies published checksums, installs atomically."),
                              {value(QStringLiteral("dir"), QStringLiteral("DIR"), QStringLiteral("models folder"), QStringLiteral("the first user models folder")),
                               value(QStringLiteral("url-base"), QStringLiteral("URL"), QStringLiteral("fetch URL/<file path> instead of the official URL (mirror, local server)")),
                               integer(QStringLiteral("retries"), QStringLiteral("N"), QStringLiteral("automatic resumes after a dropped connection"), QStringLiteral("3"), 0, 100),
                               flag(QStringLiteral("overwrite"), QStringLiteral("download again even when the file is already in DIR"))},
                              downloadModel});

} // namespace cprecon::cli
