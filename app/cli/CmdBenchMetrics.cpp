// cprecon-cli bench metrics: times the per-tile metrics, the handcrafted features and FID (statistics and
// distance separately) and, with --reference, the Python reference implementations on the same machine.
#include "CliRegistry.h"
#include "ProcessStats.h"
#include "PythonReference.h"

#include "features/HandcraftedFeatures.h"
#include "jobs/ComputeBudget.h"
#include "metrics/CovarianceAccumulator.h"
#include "metrics/Fid.h"
#include "metrics/PixelMetrics.h"
#include "metrics/Ssim.h"
#include "metrics/TileMetrics.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>

#include <Eigen/Core>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <thread>

namespace cprecon::cli {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double cpuSeconds(clockid_t clock)
{
    timespec t{};
    clock_gettime(clock, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Timing {
    double wall = 1e300, cpu = 1e300; // best of the repeats; cpu = this thread's CPU time
};

// Best of `repeat` runs of fn(), wall and thread-CPU time (CPU time is robust on a shared, loaded machine).
Timing bestOf(int repeat, const std::function<void()> &fn)
{
    Timing best;
    for (int r = 0; r < repeat; ++r) {
        const auto t = Clock::now();
        const double c = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
        fn();
        best.wall = std::min(best.wall, since(t));
        best.cpu = std::min(best.cpu, cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - c);
    }
    return best;
}
Timing operator/(Timing t, double k) { return {t.wall / k, t.cpu / k}; }

struct Images {
    std::vector<uint8_t> orig, recon;
    int channels = 0; // number of 256x256 planes
    std::string source;
};

Images loadImages(const QString &path)
{
    Images im;
    if (!path.isEmpty() && QFileInfo::exists(path)) {
        SafetensorsFile f(path.toStdString());
        im.orig = f.toU8("orig_u8");
        im.recon = f.toU8("recon_u8");
        im.channels = int(im.orig.size() / 65536);
        im.source = "fixture " + path.toStdString();
        return im;
    }
    im.channels = 20;
    im.orig.resize(size_t(im.channels) * 65536);
    im.recon.resize(im.orig.size());
    std::mt19937 rng(1);
    for (size_t i = 0; i < im.orig.size(); ++i) {
        im.orig[i] = uint8_t(rng() & 255);
        im.recon[i] = uint8_t(std::clamp(int(im.orig[i]) + int(rng() % 13) - 6, 0, 255));
    }
    im.source = "synthetic (seed 1)";
    return im;
}

// Seeded Inception-like features (softplus of a rank-64 model + noise), generated chunk by chunk.
class FeatureStream {
public:
    FeatureStream(int d, uint64_t seed) : m_d(d), m_rng(seed)
    {
        std::normal_distribution<float> g;
        m_w.resize(kRank, d);
        for (Eigen::Index i = 0; i < m_w.size(); ++i) m_w.data()[i] = g(m_rng) / std::sqrt(float(kRank));
    }
    // Fills rows x d (row-major) with the next feature vectors.
    void next(int rows, std::vector<float> &out)
    {
        std::normal_distribution<float> g;
        Eigen::MatrixXf z(rows, kRank);
        for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = g(m_rng);
        Eigen::Matrix<float, -1, -1, Eigen::RowMajor> x = z * m_w;
        out.resize(size_t(rows) * m_d);
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            const float v = x.data()[i] + 0.5f * g(m_rng);
            out[i] = v > 20.f ? v : std::log1p(std::exp(v)); // softplus
        }
    }

private:
    static constexpr int kRank = 64;
    int m_d;
    std::mt19937_64 m_rng;
    Eigen::MatrixXf m_w;
};

struct StatsTiming {
    metrics::GaussianStats stats;
    double seconds = 0; // accumulation + merge only (generation excluded), wall
    double cpu = 0;     // same, process CPU time (all threads)
};

// Streams n generated feature rows through one accumulator in chunks (OpenBLAS threads each dsyrk).
StatsTiming streamStats(int n, int d, uint64_t seed)
{
    FeatureStream gen(d, seed);
    metrics::CovarianceAccumulator acc(d);
    std::vector<float> chunk;
    StatsTiming r;
    const int chunkRows = 4096;
    for (int start = 0; start < n; start += chunkRows) {
        const int rows = std::min(chunkRows, n - start);
        gen.next(rows, chunk);
        const auto t = Clock::now();
        const double c = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
        acc.add(chunk.data(), rows, start);
        r.seconds += since(t);
        r.cpu += cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - c;
    }
    const auto t = Clock::now();
    const double c = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    r.stats = {acc.mean(), acc.covariance(), acc.count()};
    r.seconds += since(t);
    r.cpu += cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - c;
    return r;
}

QString findReferenceScript(const QString &explicitPath)
{
    if (!explicitPath.isEmpty()) return explicitPath;
    const QString env = qEnvironmentVariable("CPRECON_SOURCE_DIR");
    if (!env.isEmpty() && QFileInfo::exists(env + QStringLiteral("/benchmarks/reference_metrics.py")))
        return env + QStringLiteral("/benchmarks/reference_metrics.py");
    QDir dir(QCoreApplication::applicationDirPath());
    for (int up = 0; up < 5; ++up) {
        if (QFileInfo::exists(dir.filePath(QStringLiteral("benchmarks/reference_metrics.py"))))
            return dir.filePath(QStringLiteral("benchmarks/reference_metrics.py"));
        if (!dir.cdUp()) break;
    }
    return {};
}

std::map<std::string, double> runReference(const QString &script, const QString &images, const QString &fidN,
                                           int dim, const QString &blas, int threads, bool skipImages)
{
    PythonReferenceRun run;
    run.script = script;
    run.args = QStringList{QStringLiteral("--images"), images, QStringLiteral("--dim"), QString::number(dim),
                           QStringLiteral("--fid-n"), fidN};
    if (fidN.isEmpty()) run.args << QStringLiteral("--skip-fid");
    if (skipImages) run.args << QStringLiteral("--skip-images");
    run.threads = threads;
    if (blas == QStringLiteral("netlib")) { // Debian's reference BLAS/LAPACK instead of the alternatives' choice
        run.extraLibraryPath = QStringLiteral("/usr/lib/x86_64-linux-gnu/blas:/usr/lib/x86_64-linux-gnu/lapack");
        run.note = QStringLiteral("[reference BLAS/LAPACK]");
    }
    run.packagesHint = QStringLiteral("python3-skimage python3-scipy");
    return runPythonReference(run);
}

int benchMetrics(const Args &a)
{
    const int hw = compute::hardwareThreads();
    const int threads = compute::threads(); // --threads N: the process's compute budget (set in main)
    const int repeat = a.intValue(QStringLiteral("repeat"), 5);
    const int dim = a.intValue(QStringLiteral("dim"), 2048);
    QStringList fidNs = a.values(QStringLiteral("fid-n"));
    if (fidNs.isEmpty()) fidNs = {QStringLiteral("5000"), QStringLiteral("50000")};
    if (a.has(QStringLiteral("skip-fid"))) fidNs.clear();
    const bool skipImages = a.has(QStringLiteral("skip-images"));
    QString images = a.value(QStringLiteral("images"));
    if (images.isEmpty()) {
        const QString fx = qEnvironmentVariable("CPRECON_FIXTURES", QStringLiteral("/work/shared/fixtures"));
        images = fx + QStringLiteral("/metrics/images.safetensors");
    }

    std::printf("bench metrics: threads %d (of %d cores), repeat %d (best of)\n", threads, hw, repeat);
    const Images im = skipImages ? Images{} : loadImages(images);
    const int k = im.channels;
    if (!skipImages) std::printf("images: %s, %d channels of 256x256 uint8\n", im.source.c_str(), k);

    // --- per-channel metrics, one thread (the reference is single-threaded too)
    Timing tSsim, tSsimTm, tMae, tEmd;
    if (k > 0) {
    tSsim = bestOf(repeat, [&] {
        for (int i = 0; i < k; ++i)
            metrics::ssim(im.orig.data() + size_t(i) * 65536, im.recon.data() + size_t(i) * 65536, 256, 256, 256, 255.0);
    }) / k;
    tSsimTm = bestOf(repeat, [&] {
        for (int i = 0; i < k; ++i)
            metrics::ssim(im.orig.data() + size_t(i) * 65536, im.recon.data() + size_t(i) * 65536, 256, 256, 256, 255.0,
                          metrics::SsimVariant::TorchmetricsFull);
    }) / k;
    tMae = bestOf(repeat, [&] {
        for (int i = 0; i < k; ++i) metrics::mae(im.orig.data() + size_t(i) * 65536, im.recon.data() + size_t(i) * 65536, 65536);
    }) / k;
    tEmd = bestOf(repeat, [&] {
        for (int i = 0; i < k; ++i) metrics::emd(im.orig.data() + size_t(i) * 65536, im.recon.data() + size_t(i) * 65536, 65536);
    }) / k;
    const auto line = [](const char *what, Timing t) {
        std::printf("%-30s %9.4f ms wall, %9.4f ms CPU per 256^2 channel, 1 thread\n", what, t.wall * 1e3, t.cpu * 1e3);
    };
    line("ssim (skimage-valid)", tSsim);
    line("ssim (torchmetrics-1.5-full)", tSsimTm);
    line("mae", tMae);
    line("emd (histogram, exact)", tEmd);
    }

    // --- batch throughput over all threads (tile x channel jobs)
    const int tiles = k / 5;
    if (tiles > 0) {
        const metrics::TileMetricsOptions o;
        double batchCpu = 0;
        const double tBatch = bestOf(repeat, [&] {
            const double c = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
            metrics::computeTileMetrics(im.orig.data(), im.recon.data(), tiles, 5, 256, 256, o);
            const double used = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - c;
            batchCpu = batchCpu == 0 ? used : std::min(batchCpu, used);
        }).wall;
        std::printf("batch mae+emd+ssim: %.4f ms wall per channel with %d threads (%d tiles x 5 channels), "
                    "%.4f ms process CPU per channel\n",
                    tBatch / (tiles * 5) * 1e3, threads, tiles, batchCpu / (tiles * 5) * 1e3);
        const features::HandcraftedExtractor fx;
        Timing tFeat1;
        {
            const compute::ScopedBudget one(1);
            tFeat1 = bestOf(repeat, [&] { fx.extractBatch(im.orig.data(), tiles, 256, 256); }) / tiles;
        }
        const double tFeatN = bestOf(repeat, [&] { fx.extractBatch(im.orig.data(), tiles, 256, 256); }).wall / tiles;
        std::printf("handcrafted features (%d): %.4f ms wall, %.4f ms CPU per 5-channel 256^2 tile, 1 thread; "
                    "%.4f ms wall per tile with %d threads\n",
                    fx.featureCount(), tFeat1.wall * 1e3, tFeat1.cpu * 1e3, tFeatN * 1e3, threads);
    }
    std::printf("peak rss after image metrics: %.1f MB\n", peakRssMb());
    std::fflush(stdout);

    // --- FID at d = dim
    struct FidTimes {
        double stats = 0, statsCpu = 0, dist = 0, distCpu = 0;
    };
    std::map<int, FidTimes> fidTimes;
    for (const QString &nText : fidNs) {
        const int n = nText.toInt();
        if (n < 2) throw Error("bench metrics: --fid-n must be >= 2 (got " + nText.toStdString() + ")", "", "use --fid-n 2 or more");
        const StatsTiming s1 = streamStats(n, dim, 1), s2 = streamStats(n, dim, 2);
        const auto t = Clock::now();
        const double c = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
        const metrics::FidResult r = metrics::frechetDistance(s1.stats, s2.stats);
        const double tDist = since(t), cDist = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - c;
        const metrics::FidTiming ft = metrics::lastFidTiming();
        fidTimes[n] = {s1.seconds + s2.seconds, s1.cpu + s2.cpu, tDist, cDist};
        std::printf("fid d=%d N=%d: statistics (2 sets, streamed, %d threads) %.3f s wall / %.3f s CPU; distance "
                    "%.3f s wall / %.3f s CPU (factor %.3f, products %.3f, eigenvalues %.3f); FID %.6f, ranks %d/%d%s\n",
                    dim, n, threads, s1.seconds + s2.seconds, s1.cpu + s2.cpu, tDist, cDist, ft.factor, ft.product,
                    ft.eigen, r.fid, r.rank1, r.rank2, r.epsBranch ? ", eps branch" : "");
        for (const auto &w : r.warnings) std::printf("  warning: %s\n", w.c_str());
        std::printf("peak rss after fid N=%d: %.1f MB\n", n, peakRssMb());
        std::fflush(stdout);
    }

    if (a.has(QStringLiteral("reference"))) {
        const QString script = findReferenceScript(a.value(QStringLiteral("reference-script")));
        if (script.isEmpty()) {
            std::cout << "reference: benchmarks/reference_metrics.py not found (set CPRECON_SOURCE_DIR or "
                         "--reference-script)\n";
            return 0;
        }
        for (const QString &blas : a.values(QStringLiteral("reference-blas")).isEmpty()
                                       ? QStringList{QStringLiteral("default")}
                                       : a.values(QStringLiteral("reference-blas"))) {
            const auto ref = runReference(script, images, fidNs.join(QLatin1Char(',')), dim, blas, threads, skipImages);
            std::printf("ratios vs reference (%s BLAS), reference time / our time:\n", blas.toStdString().c_str());
            const auto get = [&](const std::string &key) {
                const auto it = ref.find(key);
                return it == ref.end() ? -1.0 : it->second;
            };
            const auto ratio = [](const std::string &what, double refT, double ours, const char *target) {
                if (refT <= 0 || ours <= 0) return;
                std::printf("ratio %-44s %8.1fx  (reference %.4g s, ours %.4g s)%s%s\n", what.c_str(), refT / ours,
                            refT, ours, target ? "  target " : "", target ? target : "");
            };
            const struct {
                const char *name, *key;
                Timing ours;
                const char *target;
            } perChannel[] = {{"ssim vs skimage", "ssim_skimage", tSsim, ">= 4x"},
                              {"mae vs numpy", "mae_numpy", tMae, nullptr},
                              {"emd vs numpy sort", "emd_numpy", tEmd, nullptr}};
            for (const auto &m : perChannel) {
                ratio(std::string(m.name) + " (CPU time)", get(std::string(m.key) + "_cpu_ms_per_channel") / 1e3,
                      m.ours.cpu, m.target);
                ratio(std::string(m.name) + " (wall)", get(std::string(m.key) + "_ms_per_channel") / 1e3, m.ours.wall,
                      m.target);
            }
            for (const auto &kv : fidTimes) {
                const std::string n = "fid N=" + std::to_string(kv.first), key = "fid_n" + std::to_string(kv.first);
                const FidTimes &f = kv.second;
                ratio(n + " distance vs scipy sqrtm (wall)", get(key + "_sqrtm_s"), f.dist, ">= 5x");
                ratio(n + " distance vs scipy sqrtm (CPU)", get(key + "_sqrtm_cpu_s"), f.distCpu, nullptr);
                ratio(n + " statistics vs np.cov (wall)", get(key + "_stats_s"), f.stats, ">= 1.2x");
                ratio(n + " statistics vs np.cov (CPU)", get(key + "_stats_cpu_s"), f.statsCpu, nullptr);
                if (get(key + "_stats_s") > 0 && get(key + "_sqrtm_s") > 0)
                    ratio(n + " total (wall)", get(key + "_stats_s") + get(key + "_sqrtm_s"), f.stats + f.dist, ">= 3x");
            }
        }
    }
    std::printf("peak rss: %.1f MB\n", peakRssMb());
    return 0;
}

} // namespace

static Registrar reg({"bench metrics", "time SSIM/MAE/EMD per channel, handcrafted features and FID (d=2048)",
                      {},
                      QStringLiteral("Per-channel metrics on the fixture images (fallback: synthetic), single thread, best of R;\n"
                                     "batch throughput and handcrafted features with --threads; FID statistics streamed from\n"
                                     "seeded synthetic features (generation not timed) and the distance timed separately.\n"
                                     "--reference runs benchmarks/reference_metrics.py with /usr/bin/python3 (skimage SSIM, numpy\n"
                                     "MAE/EMD, np.cov + scipy sqrtm as pytorch-fid) and prints speed ratios; --reference-blas netlib\n"
                                     "runs it against Debian's reference BLAS/LAPACK instead of the system default (OpenBLAS)."),
                      {integer(QStringLiteral("repeat"), QStringLiteral("R"), QStringLiteral("best of R"), QStringLiteral("5"), 1, 1000),
                       value(QStringLiteral("images"), QStringLiteral("FILE"), QStringLiteral("images.safetensors (orig_u8, recon_u8)"), QStringLiteral("the metrics fixture")),
                       list(QStringLiteral("fid-n"), QStringLiteral("N,N"), QStringLiteral("FID samples per set"), QStringLiteral("5000,50000")),
                       integer(QStringLiteral("dim"), QStringLiteral("D"), QStringLiteral("FID feature dimension"), QStringLiteral("2048"), 2, 65536),
                       flag(QStringLiteral("skip-fid"), QStringLiteral("no FID")),
                       flag(QStringLiteral("skip-images"), QStringLiteral("no per-channel metrics")),
                       flag(QStringLiteral("reference"), QStringLiteral("time the Python reference in the same run and print ratios")),
                       list(QStringLiteral("reference-blas"), QStringLiteral("default,netlib"), QStringLiteral("BLAS of the reference"), QStringLiteral("default")),
                       value(QStringLiteral("reference-script"), QStringLiteral("PATH"), QStringLiteral("reference_metrics.py"))},
                      benchMetrics});

} // namespace cprecon::cli
