// cprecon-cli run / report / merge: the benchmark over a screen (docs/user/run.md). `run` builds the config (a file
// and/or flags; flags win), checks it against the screens, runs or resumes the tile pass into the run folder and,
// unless sharded, writes the report. `merge` combines shard stores into one run; `report` writes the tables of a run.
#include "CliScreen.h"
#include "PlotExport.h"

#include "jobs/ComputeBudget.h"
#include "models/ModelPool.h"
#include "run/BenchmarkRun.h"
#include "run/RunExecution.h"
#include "run/ResultsStore.h"
#include "run/RunPlan.h"
#include "run/RunReport.h"
#include "run/RunResults.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace cprecon::cli {

namespace {

std::atomic<bool> g_interrupted{false};
void onSignal(int) { g_interrupted.store(true); }

const char *kVersion = CPRECON_VERSION;

std::string u8(const QString &s) { return s.toStdString(); }

// The options that define a run (config keys), shared by run and bench pipeline.
bool anyConfigFlag(const Args &a)
{
    for (const char *k : {"config", "screen", "model", "extractor", "protocol", "repeats", "seed", "null-size", "aggregation",
                          "plate", "well", "tile-size", "crop", "device", "group-by"})
        if (a.has(QString::fromLatin1(k))) return true;
    return false;
}

run::RunConfig configFrom(const Args &a)
{
    run::RunConfig c = a.has(QStringLiteral("config")) ? run::RunConfig::fromFile(a.value(QStringLiteral("config"))) : run::RunConfig();
    if (a.has(QStringLiteral("screen"))) c.screens = a.values(QStringLiteral("screen"));
    for (QString &s : c.screens) s = QFileInfo(s).absoluteFilePath();
    if (a.has(QStringLiteral("model"))) c.models = a.values(QStringLiteral("model"));
    if (a.has(QStringLiteral("extractor"))) {
        c.extractors.clear();
        for (const QString &e : a.values(QStringLiteral("extractor"))) {
            const qsizetype eq = e.indexOf(QLatin1Char('='));
            run::ExtractorChoice ch{u8(eq < 0 ? e : e.left(eq)), eq < 0 ? std::string() : u8(QFileInfo(e.mid(eq + 1)).absoluteFilePath())};
            c.extractors.push_back(ch);
        }
    }
    if (a.has(QStringLiteral("protocol"))) c.protocol = parseProtocol(u8(a.value(QStringLiteral("protocol"))));
    if (a.has(QStringLiteral("repeats"))) c.repeats = a.intValue(QStringLiteral("repeats"), c.repeats);
    if (a.has(QStringLiteral("seed"))) c.seed = uint64_t(a.longValue(QStringLiteral("seed"), 0));
    if (a.has(QStringLiteral("null-size"))) c.nullSize = a.longValue(QStringLiteral("null-size"), c.nullSize);
    if (a.has(QStringLiteral("aggregation"))) {
        c.aggregations.clear();
        for (const QString &s : a.values(QStringLiteral("aggregation"))) c.aggregations.push_back(profiles::parseAggregation(u8(s)));
    }
    if (a.has(QStringLiteral("plate"))) c.plates = a.values(QStringLiteral("plate"));
    if (a.has(QStringLiteral("well"))) {
        c.wells.clear();
        for (const QString &w : a.values(QStringLiteral("well"))) c.wells << canonicalWell(w);
    }
    if (a.has(QStringLiteral("tile-size"))) c.tileSize = a.intValue(QStringLiteral("tile-size"), c.tileSize);
    if (a.has(QStringLiteral("crop"))) c.crop = a.intValue(QStringLiteral("crop"), c.crop);
    if (a.has(QStringLiteral("device"))) c.device = a.value(QStringLiteral("device"));
    if (a.has(QStringLiteral("group-by"))) c.groupBy = a.values(QStringLiteral("group-by"));
    if (a.has(QStringLiteral("batch-size"))) c.batchSize = a.intValue(QStringLiteral("batch-size"), c.batchSize);
    if (a.has(QStringLiteral("threads"))) c.threads = a.intValue(QStringLiteral("threads"), c.threads);
    c.validate(a.has(QStringLiteral("config")) ? u8(a.value(QStringLiteral("config"))) : std::string("the command line"));
    return c;
}

// Progress on stderr as a bar (a line every 10 % when stderr is not a terminal, e.g. a Slurm log), or as JSON
// lines on stdout.
struct Reporter {
    bool json = false;
    bool terminal = isatty(fileno(stderr)) != 0;
    std::shared_ptr<int> lastDecile = std::make_shared<int>(-1);
    void operator()(const run::RunProgress &p) const
    {
        if (json) {
            nlohmann::json j{{"event", "progress"},          {"stage", p.stage},           {"sites_done", p.sitesDone},
                             {"sites_total", p.sitesTotal},  {"tiles_done", p.tilesDone}, {"tiles_total", p.tilesTotal},
                             {"tiles_per_s", p.tilesPerSecond}, {"eta_s", p.etaSeconds}, {"site", p.site}};
            std::cout << j.dump() << std::endl;
            return;
        }
        const double f = p.tilesTotal > 0 ? double(p.tilesDone) / double(p.tilesTotal) : 0;
        if (!terminal) {
            const int decile = int(f * 10);
            if (decile == *lastDecile) return;
            *lastDecile = decile;
        }
        const int width = 30, filled = int(f * width + 0.5);
        std::fprintf(stderr, terminal ? "\r%s [%s%s] %lld/%lld tiles (%3.0f %%)  %.2f tiles/s  ETA %s " : "%s [%s%s] %lld/%lld tiles (%3.0f %%)  %.2f tiles/s  ETA %s\n", p.stage.c_str(),
                     std::string(size_t(filled), '#').c_str(), std::string(size_t(width - filled), '.').c_str(),
                     (long long)p.tilesDone, (long long)p.tilesTotal, 100 * f, p.tilesPerSecond, run::formatDuration(p.etaSeconds).c_str());
        std::fflush(stderr);
    }
    void say(const std::string &event, const std::string &text) const
    {
        if (json) std::cout << nlohmann::json{{"event", event}, {"message", text}}.dump() << std::endl;
        else std::cout << text << std::endl;
    }
};

void writeReportOf(const run::ResultsStore &store, const QString &dir, const Reporter &log, const run::RunTables *tables = nullptr)
{
    const run::ReportSummary s = writeReport(store, dir, kVersion, [&](const std::string &stage) {
        if (log.json) log.say("analysis", stage);
    }, &g_interrupted, tables);
    for (const std::string &n : s.notes) log.say("note", "note: " + n);
    log.say("report", "report: " + u8(dir) + " (" + std::to_string(s.files.size()) + " files)");
}

int runRun(const Args &a)
{
    Reporter log{a.has(QStringLiteral("log-json"))};
    run::RunRequest request;
    request.folder = QFileInfo(a.require(QStringLiteral("out"))).absoluteFilePath();
    request.resume = a.has(QStringLiteral("resume"));
    // A resume without config flags takes the run's own config; with them, they must describe the same run.
    if (!request.resume || anyConfigFlag(a)) request.config = configFrom(a);
    request.shard = run::Shard::parse(a.value(QStringLiteral("shard"), QStringLiteral("0/1")));
    request.open = screenOpenOptions(a);
    request.writeReport = !a.has(QStringLiteral("no-report"));
    request.appVersion = kVersion;
    // The config's thread budget applies unless --threads (already applied by main) overrides it.
    if (request.config && request.config->threads > 0 && !a.has(QStringLiteral("threads"))) compute::configure(request.config->threads);

    std::signal(SIGINT, onSignal); // Ctrl-C / scancel: finish nothing half, keep everything written
    std::signal(SIGTERM, onSignal);
    ModelPool models;
    run::RunCallbacks callbacks;
    bool barShown = false;
    callbacks.progress = [&](const run::RunProgress &p) {
        barShown = true;
        log(p);
    };
    callbacks.message = [&](const std::string &event, const std::string &text) {
        if (event == "analysis" && !log.json) return; // the analysis stages only in the JSON log
        if (barShown && !log.json && log.terminal) std::fprintf(stderr, "\n");
        barShown = false;
        log.say(event, text);
    };
    const run::RunOutcome outcome = run::executeRun(models, request, &g_interrupted, callbacks);
    return outcome.canceled ? 130 : 0;
}

int runReport(const Args &a)
{
    if (a.positionals().size() != 1) throw Error("report takes exactly one RUN folder", "", "see cprecon-cli report --help");
    const QString out = a.require(QStringLiteral("out"));
    const QStringList formats = a.has(QStringLiteral("format")) ? plots::ExportOptions::parseFormats(a.value(QStringLiteral("format"))) : QStringList();
    const run::ResultsStore store = run::ResultsStore::open(a.positionals().front());
    Reporter log{a.has(QStringLiteral("log-json"))};
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    if (formats.isEmpty()) {
        writeReportOf(store, out, log);
        return 0;
    }
    // Figures too: the analysis once, shared by the tables and the figures (the app's Export all, the same files).
    const auto results = run::loadRunResults(store.folder(), [&](const std::string &stage) {
        if (log.json) log.say("analysis", stage);
    }, &g_interrupted);
    writeReportOf(store, out, log, &results->tables);
    plots::ExportOptions options;
    options.formats = formats;
    options.dpi = a.intValue(QStringLiteral("dpi"), 300);
    plots::FigureExportBatch batch(results, QDir(out).filePath(QStringLiteral("figures")), options);
    while (!batch.atEnd()) {
        if (g_interrupted) throw Canceled("interrupted");
        batch.next();
    }
    int files = 0;
    for (const auto &e : batch.exported()) files += int(e.files.size());
    log.say("figures", "figures: " + u8(batch.folder()) + " (" + std::to_string(batch.exported().size()) + " figures and tables, " +
                           std::to_string(files + 1) + " files with manifest.json)");
    return 0;
}

int runMerge(const Args &a)
{
    if (a.positionals().isEmpty()) throw Error("merge takes the shard run folders", "", "cprecon-cli merge SHARD1 SHARD2 ... --out RUN");
    const QString out = QFileInfo(a.require(QStringLiteral("out"))).absoluteFilePath();
    Reporter log{a.has(QStringLiteral("log-json"))};
    std::vector<run::ResultsStore> shards;
    for (const QString &dir : a.positionals()) shards.push_back(run::ResultsStore::open(dir));
    run::ResultsStore merged = run::ResultsStore::create(out, shards.front().config(), kVersion);
    for (const char *key : {"group_by", "planned_sites"}) merged.setMeta(key, shards.front().meta(key));
    int added = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
        if (shards[i].meta("group_by") != shards.front().meta("group_by"))
            throw Error("the shards were planned on different screens (their dataset columns differ)", u8(shards[i].folder()),
                        "merge only the shards of one run");
        added += merged.mergeFrom(shards[i]);
    }
    log.say("merge", "merged " + std::to_string(shards.size()) + " shard(s): " + std::to_string(added) + " (site, source) results into " + u8(out));
    if (!a.has(QStringLiteral("no-report"))) writeReportOf(merged, QDir(out).filePath(QStringLiteral("report")), log);
    return 0;
}

std::vector<Option> configOptions()
{
    return {value(QStringLiteral("config"), QStringLiteral("FILE"), QStringLiteral("run config (cprecon-cli config --template); flags override it")),
            list(QStringLiteral("screen"), QStringLiteral("PATH"), QStringLiteral("screen to run over (repeat for several)")),
            list(QStringLiteral("model"), QStringLiteral("M"), QStringLiteral("reconstruction model: registry name, bicubic8, jpeg:Q, sd-vae:PATH (repeat)"), QStringLiteral("sd-vae-v1-4")),
            list(QStringLiteral("extractor"), QStringLiteral("NAME[=WEIGHTS]"), QStringLiteral("inception, inception-fid, openphenom, handcrafted (repeat)"), QStringLiteral("inception, openphenom")),
            value(QStringLiteral("protocol"), QStringLiteral("paper|corrected"), QStringLiteral("PROTOCOL.md's protocol"), QStringLiteral("paper")),
            integer(QStringLiteral("repeats"), QStringLiteral("N"), QStringLiteral("full repeats (seed-dependent parts only)"), QStringLiteral("3"), 1, 1000),
            integer(QStringLiteral("seed"), QStringLiteral("K"), QStringLiteral("run seed (repeat r uses K + r)"), QStringLiteral("0"), 0),
            integer(QStringLiteral("null-size"), QStringLiteral("N"), QStringLiteral("permutation null size"), QStringLiteral("1000000"), 1),
            list(QStringLiteral("aggregation"), QStringLiteral("mean|median"), QStringLiteral("well profiles"), QStringLiteral("mean, median")),
            list(QStringLiteral("plate"), QStringLiteral("P"), QStringLiteral("subset: these plates")),
            list(QStringLiteral("well"), QStringLiteral("W"), QStringLiteral("subset: these wells")),
            list(QStringLiteral("group-by"), QStringLiteral("COL"), QStringLiteral("dataset columns"), QStringLiteral("Metadata_CellLine, Metadata_TimepointHours")),
            integer(QStringLiteral("tile-size"), QStringLiteral("N"), QStringLiteral("tile size"), QStringLiteral("256"), 8),
            integer(QStringLiteral("crop"), QStringLiteral("N"), QStringLiteral("centre crop (0: none)"), QStringLiteral("1024"), 0),
            value(QStringLiteral("device"), QStringLiteral("auto|cpu|cuda"), QStringLiteral("where the networks run"), QStringLiteral("auto")),
            integer(QStringLiteral("batch-size"), QStringLiteral("N"), QStringLiteral("tiles per model call"), QStringLiteral("8"), 1, 4096)};
}

} // namespace

static Registrar regRun({"run", "the benchmark over a screen: reconstruction, metrics, features, FID, FR, resumable",
                         QStringLiteral("--screen PATH --model M --extractor NAME --out RUN [--resume] [--shard I/N]"),
                         QStringLiteral("Builds the run config from --config and the flags (flags win), checks it against the\n"
                                        "screens (named errors before any work), then computes every site into RUN/results.sqlite\n"
                                        "(one transaction per site and source) and writes the tables to RUN/report.\n"
                                        "--resume continues an interrupted run: stored results are never recomputed; a changed\n"
                                        "config is refused, naming what changed. --shard I/N computes part I of N (then\n"
                                        "cprecon-cli merge). Exit 0 done, 130 interrupted (resume to finish).\n"
                                        "Example: cprecon-cli run --screen S --model bicubic8 --extractor handcrafted --out R"),
                         options({value(QStringLiteral("out"), QStringLiteral("RUN"), QStringLiteral("the run folder")),
                                  flag(QStringLiteral("resume"), QStringLiteral("continue the run in --out")),
                                  value(QStringLiteral("shard"), QStringLiteral("I/N"), QStringLiteral("compute part I of N (0-based)"), QStringLiteral("0/1")),
                                  flag(QStringLiteral("log-json"), QStringLiteral("machine-readable progress lines on stdout")),
                                  flag(QStringLiteral("no-report"), QStringLiteral("skip the report (cprecon-cli report later)"))},
                                 configOptions(), screenOptions()),
                         runRun});

static Registrar regReport({"report", "a run's tables (CSV + report.json) and, with --format, its figures",
                            QStringLiteral("RUN --out DIR [--format png,pdf,svg,csv,md]"),
                            QStringLiteral("Writes tile_metrics.csv, triplet_metrics.csv, metric_summary.csv, fid.csv, fr_table.csv,\n"
                                           "fr_table.md, fr_repeats.csv, activity_*.csv, site_profiles_*.csv, well_profiles_*.csv and\n"
                                           "report.json (protocol, settings, run identity, column meanings). docs/user/run.md#reports.\n"
                                           "With --format, DIR/figures gets every figure of the app's results views (box plots, FID and\n"
                                           "KLD bars, activity, mAP scatter, plate heatmaps) in those formats, the CSV of what each\n"
                                           "draws, the FR table and manifest.json — the files the app's Export all figures writes."),
                            {value(QStringLiteral("out"), QStringLiteral("DIR"), QStringLiteral("report folder")),
                             value(QStringLiteral("format"), QStringLiteral("LIST"), QStringLiteral("figures in DIR/figures: png, pdf, svg, csv, md")),
                             integer(QStringLiteral("dpi"), QStringLiteral("N"), QStringLiteral("PNG resolution"), QStringLiteral("300"), 72, 2400),
                             flag(QStringLiteral("log-json"), QStringLiteral("machine-readable lines on stdout"))},
                            runReport, /*needsGui=*/true});

static Registrar regMerge({"merge", "combine shard runs (--shard I/N) into one run and write its report",
                           QStringLiteral("SHARD... --out RUN"),
                           QStringLiteral("Every shard must come from the same config. The merged store holds every site once; its\n"
                                          "tables are byte-identical to an unsharded run's."),
                           {value(QStringLiteral("out"), QStringLiteral("RUN"), QStringLiteral("the merged run folder (new)")),
                            flag(QStringLiteral("log-json"), QStringLiteral("machine-readable lines on stdout")),
                            flag(QStringLiteral("no-report"), QStringLiteral("skip the report"))},
                           runMerge});

} // namespace cprecon::cli
