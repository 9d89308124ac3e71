// cprecon-cli bench activity: phenotypic activity on synthetic well profiles at 1k / 10k / 50k wells,
// printing wall time and peak memory (getrusage maxrss) per size.
#include "CliRegistry.h"
#include "ProcessStats.h"

#include "jobs/ComputeBudget.h"

#include "profiles/Activity.h"
#include "profiles/NullDistribution.h"
#include "profiles/SimilarityKernel.h"
#include "util/Error.h"

#include <QFileInfo>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <charconv>
#include <memory>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace cprecon::cli {

using namespace cprecon::profiles;

namespace {

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// CPJUMP1-like layout: 384-well plates with `controlsPerPlate` DMSO wells; every compound placed once on
// each of `replicates` plates (1 in 5 compounds gets 2-6 replicates instead, so several null configurations
// occur). 30 % of compounds shift the profile; every plate adds its own offset (batch effect).
ProfileTable syntheticWells(int wells, int dims, int controlsPerPlate, std::uint64_t seed)
{
    const int perPlate = 384, plates = std::max(1, (wells + perPlate - 1) / perPlate);
    Rng rng(seed);
    auto normal = [&] {
        const double u1 = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53, u2 = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    };
    ProfileTable t;
    t.source = "synthetic";
    t.metaNames = {"Metadata_Plate", "Metadata_Well", "Metadata_pert_iname", "Metadata_control_type"};
    t.meta.assign(4, {});
    for (int f = 0; f < dims; ++f) t.featureNames.push_back("f" + std::to_string(f));
    t.features.resize(wells, dims);
    Eigen::MatrixXd plateShift(plates, dims);
    for (Eigen::Index i = 0; i < plateShift.size(); ++i) plateShift.data()[i] = 0.5 * normal();
    // Compound slots: each compound goes to the plates with the most free slots (one well per plate).
    const int lastPlateWells = wells - (plates - 1) * perPlate;
    std::vector<int> fill(static_cast<std::size_t>(plates), controlsPerPlate), capacity(static_cast<std::size_t>(plates), perPlate);
    capacity.back() = lastPlateWells;
    std::vector<int> slotCompound(static_cast<std::size_t>(plates) * perPlate, -1);
    std::vector<int> order(static_cast<std::size_t>(plates));
    std::vector<Eigen::VectorXd> effect;
    for (int compound = 0;; ++compound) {
        for (int p = 0; p < plates; ++p) order[static_cast<std::size_t>(p)] = p;
        std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
            return capacity[static_cast<std::size_t>(x)] - fill[static_cast<std::size_t>(x)] >
                   capacity[static_cast<std::size_t>(y)] - fill[static_cast<std::size_t>(y)];
        });
        int reps = (rng.below(5) == 0) ? 2 + static_cast<int>(rng.below(5)) : 4;
        int free = 0;
        for (int p : order) free += fill[static_cast<std::size_t>(p)] < capacity[static_cast<std::size_t>(p)];
        reps = std::min(reps, free);
        if (reps < 2) break;
        for (int i = 0; i < reps; ++i) {
            const int pl = order[static_cast<std::size_t>(i)];
            slotCompound[static_cast<std::size_t>(pl) * perPlate + fill[static_cast<std::size_t>(pl)]++] = compound;
        }
        Eigen::VectorXd e = Eigen::VectorXd::Zero(dims);
        if (rng.below(10) < 3)
            for (int f = 0; f < dims; ++f) e[f] = 0.6 * normal();
        effect.push_back(e);
    }
    for (int w = 0; w < wells; ++w) {
        const int pl = w / perPlate, slot = w % perPlate;
        const int c = slot < controlsPerPlate ? -1 : slotCompound[static_cast<std::size_t>(pl) * perPlate + slot];
        char well[8];
        std::snprintf(well, sizeof well, "%c%02d", 'A' + slot / 24, 1 + slot % 24);
        t.meta[0].push_back("P" + std::to_string(pl));
        t.meta[1].push_back(well);
        t.meta[2].push_back(c < 0 ? (slot < controlsPerPlate ? "DMSO" : "empty") : "cmpd" + std::to_string(c));
        t.meta[3].push_back(slot < controlsPerPlate ? "negcon" : "");
        for (int f = 0; f < dims; ++f)
            t.features(w, f) = normal() + plateShift(pl, f) + (c >= 0 ? effect[static_cast<std::size_t>(c)][f] : 0.0);
    }
    return t;
}

// Writes the table as CSV with 7 significant digits (like pycytominer output), fast (to_chars).
void writeCsv7(const ProfileTable &t, const std::string &path)
{
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "w"), &std::fclose);
    if (!f) throw Error("cannot write", path, "check the folder exists and is writable");
    std::string line;
    for (const auto &n : t.metaNames) line += n + ",";
    for (const auto &n : t.featureNames) line += n + ",";
    line.back() = '\n';
    std::fputs(line.c_str(), f.get());
    char buf[32];
    for (std::size_t r = 0; r < t.rows(); ++r) {
        line.clear();
        for (const auto &c : t.meta) line += c[r] + ",";
        for (Eigen::Index c = 0; c < t.features.cols(); ++c) {
            const auto res = std::to_chars(buf, buf + sizeof buf, t.features(static_cast<Eigen::Index>(r), c),
                                           std::chars_format::general, 7);
            line.append(buf, res.ptr);
            line += ',';
        }
        line.back() = '\n';
        std::fputs(line.c_str(), f.get());
    }
}

int runBench(const Args &a)
{
    const int threads = compute::threads(); // --threads N: the process's compute budget (set in main)
    const double ns = a.doubleValue(QStringLiteral("null-size"), 1e6);
    const int dims = a.intValue(QStringLiteral("features"), 256);
    const int ctrl = a.intValue(QStringLiteral("controls-per-plate"), 32);
    QStringList sizes = a.values(QStringLiteral("sizes"));
    if (sizes.isEmpty()) sizes = {QStringLiteral("1000"), QStringLiteral("10000"), QStringLiteral("50000")};
    std::printf("bench activity: copairs-style phenotypic activity (AP vs all controls, null, BH, FR)\n"
                "threads %d, null_size %.0f, %d features, 384-well plates with %d DMSO wells, compounds x4 plates "
                "(1 in 5: 2-6), peak RSS = getrusage maxrss of this process so far%s\n"
                "similarity kernel: %s; total_s = wall time of the whole activity computation, cpu_s = its user+sys time\n",
                threads, ns, dims, ctrl, a.has(QStringLiteral("tvn")) ? ", with TVN" : "", blockDotsUsesAvx2() ? "AVX2/FMA" : "Eigen");
    std::printf("%8s %7s %9s %10s %8s %8s %9s %9s %10s %8s\n", "wells", "plates", "controls", "compounds", "configs", "gen_s",
                "total_s", "cpu_s", "peak_MB", "FR");
    for (const QString &s : sizes) {
        bool ok = false;
        const int wells = s.toInt(&ok);
        if (!ok || wells < 384) throw Error("--sizes expects well counts >= 384, got '" + s.toStdString() + "'", "", "e.g. --sizes 1000,10000,50000");
        const auto g0 = std::chrono::steady_clock::now();
        ProfileTable t = syntheticWells(wells, dims, ctrl, 42);
        const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
        if (a.has(QStringLiteral("io"))) {
            // Round trip through a CSV file; the activity below then runs on the parsed table.
            QTemporaryDir dir;
            const std::string path = dir.filePath(QStringLiteral("wells.csv")).toStdString();
            writeCsv7(t, path);
            const double mb = static_cast<double>(QFileInfo(QString::fromStdString(path)).size()) / 1048576.0;
            t = ProfileTable();
            const double c0 = cpuSeconds();
            const auto r0 = std::chrono::steady_clock::now();
            t = readProfileTable(path);
            const double rc = cpuSeconds() - c0;
            const double rs = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
            std::printf("  read %s: %zu rows x %ld features, %.0f MB CSV in %.2f s wall, %.2f s cpu (%.0f MB/s wall), peak %.0f MB so far\n",
                        "wells.csv", t.rows(), static_cast<long>(t.features.cols()), mb, rs, rc, mb / rs, peakRssMb());
        }
        ActivityOptions o;
        o.perturbationCol = "Metadata_pert_iname";
        o.control = ControlQuery::parse("Metadata_control_type==negcon");
        o.nullSize = static_cast<std::int64_t>(ns);
        o.seed = 0;
        o.tvn = a.has(QStringLiteral("tvn"));
        const double cpu0 = cpuSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        const ActivityResult r = phenotypicActivity(t, o);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = cpuSeconds() - cpu0;
        std::printf("%8d %7d %9d %10d %8zu %8.2f %9.2f %9.2f %10.0f %8.4f\n", wells, (wells + 383) / 384, r.groups[0].nControls,
                    r.groups[0].nPerturbations, r.nullConfigurations, gen, secs, cpu, peakRssMb(), r.groups[0].fractionRetrieved);
        std::fflush(stdout);
    }
    std::printf("reference: copairs 0.5.1 is not installable here (not in Debian, no PyPI access); no ratio measured.\n");
    return 0;
}

} // namespace

static Registrar reg({"bench activity", "benchmark phenotypic activity at 1k/10k/50k synthetic wells",
                      {},
                      QStringLiteral("--io: write each synthetic table as CSV (7 digits), time reading it back, run on the parsed table.\n"
                                     "Prints wall time of the whole activity computation and the process' peak RSS per size."),
                      {integer(QStringLiteral("null-size"), QStringLiteral("N"), QStringLiteral("permutation null samples"), QStringLiteral("1000000"), 1, 1e10),
                       integer(QStringLiteral("features"), QStringLiteral("D"), QStringLiteral("features per well"), QStringLiteral("256"), 1, 100000),
                       integer(QStringLiteral("controls-per-plate"), QStringLiteral("C"), QStringLiteral("DMSO wells per 384-well plate"), QStringLiteral("32"), 2, 384),
                       list(QStringLiteral("sizes"), QStringLiteral("N,N,..."), QStringLiteral("well counts (>= 384 each)"), QStringLiteral("1000,10000,50000")),
                       flag(QStringLiteral("tvn"), QStringLiteral("with TVN")),
                       flag(QStringLiteral("io"), QStringLiteral("include a CSV write / read round trip"))},
                      runBench});

} // namespace cprecon::cli
