// cprecon-cli features: a screen's sites → handcrafted feature profiles (CSV) for `cprecon-cli activity`,
// of the originals or of a model's reconstructions. Resumable: rerun the same command after an interruption.
#include "CliScreen.h"

#include "recon/ScreenProfiles.h"
#include "util/Error.h"

#include <csignal>
#include <iostream>

namespace cprecon::cli {

namespace {
std::atomic<bool> g_interrupted{false};
void onSignal(int) { g_interrupted.store(true); }

int runFeatures(const Args &a)
{
    if (a.positionals().size() != 1) throw Error("features takes exactly one screen PATH", "", "see cprecon-cli features --help");
    const QString out = a.require(QStringLiteral("out"));
    ProfileExtractionOptions o;
    o.pipeline = pipelineOptions(a);
    o.model = a.value(QStringLiteral("model"));
    if (o.model == QLatin1String("none")) o.model.clear();
    o.protocol = parseProtocol(a.value(QStringLiteral("protocol"), QStringLiteral("corrected")).toStdString());
    o.seed = quint64(a.intValue(QStringLiteral("seed"), 0));
    o.plates = a.values(QStringLiteral("plate"));
    const QString extractor = a.value(QStringLiteral("extractor"), QStringLiteral("handcrafted"));
    if (extractor != QLatin1String("handcrafted"))
        throw Error("unknown --extractor '" + extractor.toStdString() + "'", "",
                    "handcrafted (InceptionV3/OpenPhenom profiles come with the benchmark runner)");

    const Screen screen = openScreen(a.positionals().front(), screenOpenOptions(a));
    if (screen.synthetic) std::cout << "PHANTOM screen: synthetic images, not biology\n";
    std::signal(SIGINT, onSignal); // Ctrl-C: finish the sites in flight, keep everything written
    std::signal(SIGTERM, onSignal);
    ModelPool models; // this command's models, released before the process exits
    const ProfileExtractionReport r = extractScreenProfiles(models, screen, o, out, &g_interrupted, [](int done, int total) {
        std::cerr << "\rsites: " << done << "/" << total << std::flush;
    });
    std::cerr << "\n";
    std::cout << "sites: " << r.sitesTotal << " (" << r.sitesWritten << " written, " << r.sitesResumed
              << " already in the output)\n";
    for (const QString &f : r.failures) std::cout << "failed: " << f.toStdString() << "\n";
    std::cout << "profiles: " << out.toStdString() << "\n";
    if (r.cancelled) {
        std::cout << "interrupted: rerun the same command to finish (nothing written is lost)\n";
        return 130;
    }
    return r.failures.isEmpty() ? 0 : 3;
}
} // namespace

static Registrar reg({"features", "site profiles of weight-free handcrafted features (CSV for `activity`), resumable",
                      QStringLiteral("SCREEN --out profiles.csv"),
                      QStringLiteral("One row per site: Metadata_Plate/Well/Site, Metadata_broad_sample, Metadata_pert_iname,\n"
                                     "Metadata_control_type, Metadata_cell_line, Metadata_timepoint, Metadata_source + features\n"
                                     "(mean over the site's tiles). --model: profiles of that model's reconstructions.\n"
                                     "Exit 0 ok, 3 some sites failed (listed), 130 interrupted (rerun to resume).\n"
                                     "Then: cprecon-cli activity --profiles profiles.csv --perturbation-col Metadata_broad_sample\n"
                                     "      --control-query 'Metadata_control_type==negcon' --aggregate median --out result.csv"),
                      options({value(QStringLiteral("out"), QStringLiteral("FILE"), QStringLiteral("profiles CSV (extended when it exists)")),
                               value(QStringLiteral("model"), QStringLiteral("M"), QStringLiteral("profiles of this model's reconstructions (none: originals)")),
                               value(QStringLiteral("protocol"), QStringLiteral("paper|corrected"), QStringLiteral("reconstruction protocol"), QStringLiteral("corrected")),
                               integer(QStringLiteral("seed"), QStringLiteral("K"), QStringLiteral("paper protocol: latent sampling seed"), QStringLiteral("0"), 0),
                               list(QStringLiteral("plate"), QStringLiteral("P"), QStringLiteral("only these plates (repeat or comma-separate)")),
                               value(QStringLiteral("extractor"), QStringLiteral("handcrafted"), QStringLiteral("feature extractor"), QStringLiteral("handcrafted"))},
                              screenOptions(), pipelineOptions()),
                      runFeatures});

} // namespace cprecon::cli
