// cprecon-cli bench models: images/s of the networks on random weights and random inputs — SD-VAE (sd14 config)
// encode+decode at 256×256, InceptionV3 (recipe A) at 299×299, OpenPhenom at 5×256×256 — in fp32 NCHW and
// channels_last, and with --reference the same work in Debian's python3-torch (benchmarks/reference_models.py).
#include "CliRegistry.h"

#include "jobs/ComputeBudget.h"
#include "ProcessStats.h"
#include "PythonReference.h"

#include "nets/AutoencoderKl.h"
#include "nets/FeatureNets.h"
#include "nets/TorchRuntime.h"
#include "nets/VaeConfig.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <thread>

namespace cprecon::cli {

namespace {

struct Row {
    std::string model, input, variant;
    int batch = 0;
    double imagesPerSecond = 0;
    double cpuSecondsPerImage = 0; // CPU time of the whole process (all threads) per image
};

double seconds(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<uint8_t> randomPixels(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<uint8_t> v(n);
    for (auto &p : v) p = static_cast<uint8_t>(rng() & 0xff);
    return v;
}

double processCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Warm-up passes (oneDNN primitive creation, allocator) are not timed. Wall and CPU time are both kept: on a
// shared machine the CPU seconds per image are the steadier comparison.
template <typename F> void timePasses(F &&pass, int batch, int warmup, int iters, Row &r)
{
    for (int i = 0; i < warmup; ++i) pass();
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = processCpuSeconds();
    for (int i = 0; i < iters; ++i) pass();
    r.imagesPerSecond = iters * batch / seconds(t0);
    r.cpuSecondsPerImage = (processCpuSeconds() - c0) / (iters * batch);
}

// The rows of one network: fp32 in NCHW, fp32 channels_last (conv nets only), and bf16 autocast (oneDNN's bf16
// kernels where the CPU has them) in the network's faster layout.
struct Variant {
    const char *name;
    bool channelsLast;
    Precision precision;
};
std::vector<Variant> variantsOf(const QString &model)
{
    if (model == QStringLiteral("openphenom")) // a transformer: nothing 4-D past the patch conv
        return {{"fp32", false, Precision::Fp32}, {"bf16", false, Precision::Bf16}};
    return {{"fp32", false, Precision::Fp32}, {"channels_last", true, Precision::Fp32}, {"bf16", true, Precision::Bf16}};
}

Row benchVae(const Variant &v, int batch, int warmup, int iters)
{
    RuntimeOptions rt;
    rt.device = ComputeDevice::Cpu;
    rt.channelsLast = v.channelsLast;
    rt.precision = v.precision;
    torchrt::seed(0);
    AutoencoderKl vae(VaeConfig::preset("sd14"), rt);
    const auto pixels = randomPixels(size_t(batch) * 3 * 256 * 256, 1);
    VaeRoundTripOptions o; // posterior mean, as the corrected protocol
    Row r{"SD-VAE encode+decode (sd14)", "3x256x256", v.name, batch, 0};
    timePasses(
        [&] {
            HostTensor x; // u8 -> [-1, 1] is part of the work (as in the reference)
            x.shape = {batch, 3, 256, 256};
            x.values.resize(pixels.size());
            for (size_t i = 0; i < pixels.size(); ++i) x.values[i] = pixels[i] / 255.f * 2.f - 1.f;
            vae.roundTrip(x, o);
        },
        batch, warmup, iters, r);
    return r;
}

Row benchFeatures(const std::string &name, const Variant &v, int batch, int warmup, int iters)
{
    FeatureOptions o;
    o.batchSize = batch;
    o.channelsLast = v.channelsLast;
    o.precision = v.precision;
    auto net = createRandomFeatureExtractor(name, o, 0);
    const bool vit = name == "openphenom";
    const int64_t c = vit ? 5 : 3, hw = vit ? 256 : 299;
    const auto pixels = randomPixels(size_t(batch * c * hw * hw), 2);
    const ImageBatchU8 images{pixels.data(), batch, c, hw, hw};
    Row r{vit ? "OpenPhenom ViT-S/16 encoder" : "InceptionV3 (torchvision recipe)",
          std::to_string(c) + "x" + std::to_string(hw) + "x" + std::to_string(hw),
          v.name, batch, 0};
    timePasses([&] { net->extract(images); }, batch, warmup, iters, r);
    return r;
}

QString findReferenceScript(const QString &explicitPath)
{
    const QString rel = QStringLiteral("benchmarks/reference_models.py");
    if (!explicitPath.isEmpty()) return explicitPath;
    const QString env = qEnvironmentVariable("CPRECON_SOURCE_DIR");
    if (!env.isEmpty() && QFileInfo::exists(env + QLatin1Char('/') + rel)) return env + QLatin1Char('/') + rel;
    QDir dir(QCoreApplication::applicationDirPath());
    for (int up = 0; up < 5; ++up) {
        if (QFileInfo::exists(dir.filePath(rel))) return dir.filePath(rel);
        if (!dir.cdUp()) break;
    }
    return {};
}

// Runs the Python reference; returns "<model>.<variant>" -> images/s.
std::map<std::string, double> runReference(const QString &script, const QStringList &models, const QStringList &variants,
                                           int threads, int batch, int warmup, int iters)
{
    PythonReferenceRun run;
    run.script = script;
    run.args = QStringList{QStringLiteral("--threads"), QString::number(threads), QStringLiteral("--batch"),
                           QString::number(batch), QStringLiteral("--warmup"), QString::number(warmup),
                           QStringLiteral("--iters"), QString::number(iters), QStringLiteral("--models"),
                           models.join(QLatin1Char(','))};
    if (!variants.isEmpty()) run.args << QStringLiteral("--variants") << variants.join(QLatin1Char(','));
    run.threads = threads;
    run.packagesHint = QStringLiteral("python3-torch python3-torchvision");
    return runPythonReference(run);
}

std::string referenceKey(const std::string &model, const std::string &variant)
{
    return model + "." + variant;
}

int benchModels(const Args &a)
{
    const int threads = compute::threads(); // --threads N: the process's compute budget (set in main)
    const int batch = a.intValue(QStringLiteral("batch"), 2);
    const int warmup = a.intValue(QStringLiteral("warmup"), 1);
    const int iters = a.intValue(QStringLiteral("iters"), 2);
    QStringList models = a.values(QStringLiteral("models"));
    if (models.isEmpty()) models = {QStringLiteral("vae"), QStringLiteral("inception"), QStringLiteral("openphenom")};
    for (const auto &m : models)
        if (m != QStringLiteral("vae") && m != QStringLiteral("inception") && m != QStringLiteral("openphenom"))
            throw Error("unknown model '" + m.toStdString() + "' in --models", "", "use vae, inception, openphenom");
    const QStringList variants = a.values(QStringLiteral("variants")); // empty: all
    for (const auto &v : variants)
        if (v != QStringLiteral("fp32") && v != QStringLiteral("channels_last") && v != QStringLiteral("bf16"))
            throw Error("unknown variant '" + v.toStdString() + "' in --variants", "", "use fp32, channels_last, bf16");

    torchrt::followComputeBudget();
    std::printf("bench models: %s; batch %d, %d warm-up + %d timed passes per row, random weights and inputs\n",
                torchrt::describe().c_str(), batch, warmup, iters);
    std::fflush(stdout);

    std::vector<std::pair<std::string, Row>> rows; // reference key, row
    for (const auto &m : models) {
        for (const Variant &v : variantsOf(m)) {
            if (!variants.isEmpty() && !variants.contains(QLatin1String(v.name))) continue;
            Row r = m == QStringLiteral("vae")         ? benchVae(v, batch, warmup, iters)
                    : m == QStringLiteral("inception") ? benchFeatures("inception-torchvision", v, batch, warmup, iters)
                                                       : benchFeatures("openphenom", v, batch, warmup, iters);
            std::printf("  %-34s %-11s %-13s %8.3f images/s %8.2f CPU s/image\n", r.model.c_str(), r.input.c_str(),
                        r.variant.c_str(), r.imagesPerSecond, r.cpuSecondsPerImage);
            std::fflush(stdout);
            rows.emplace_back(referenceKey(m.toStdString(), r.variant), r);
        }
    }

    std::map<std::string, double> ref;
    if (a.has(QStringLiteral("reference"))) {
        const QString script = findReferenceScript(a.value(QStringLiteral("reference-script")));
        if (script.isEmpty())
            std::cout << "reference: benchmarks/reference_models.py not found (set CPRECON_SOURCE_DIR or "
                         "--reference-script)\n";
        else
            ref = runReference(script, models, variants, threads, batch, warmup, iters);
    }

    std::printf("\n%-34s %-11s %-13s %5s %9s %9s", "model", "input", "variant", "batch", "images/s", "CPU s/im");
    if (!ref.empty()) std::printf(" %9s %9s %7s %7s", "ref im/s", "ref CPU", "wall x", "CPU x");
    std::printf("\n");
    for (const auto &[key, r] : rows) {
        std::printf("%-34s %-11s %-13s %5d %9.3f %9.2f", r.model.c_str(), r.input.c_str(), r.variant.c_str(), r.batch,
                    r.imagesPerSecond, r.cpuSecondsPerImage);
        const auto it = ref.find(key), itCpu = ref.find(key + ".cpu_s_per_image");
        if (it != ref.end() && it->second > 0 && itCpu != ref.end() && itCpu->second > 0)
            std::printf(" %9.3f %9.2f %6.2fx %6.2fx", it->second, itCpu->second, r.imagesPerSecond / it->second,
                        itCpu->second / r.cpuSecondsPerImage);
        std::printf("\n");
    }
    if (!ref.empty()) {
        std::printf("wall x = our images/s ÷ reference images/s; CPU x = reference CPU s/image ÷ ours (same machine,\n"
                    "threads and batch; > 1 = we are faster). CPU time counts all threads of the process.\n");
        // The bf16 fast path against the reference's fp32 in its faster layout: what a user gains over the Python
        // fp32 of the paper's script on this CPU.
        for (const auto &m : models) {
            const std::string model = m.toStdString();
            double refFp32 = 0;
            for (const char *v : {"fp32", "channels_last"}) {
                const auto it = ref.find(referenceKey(model, v) + ".cpu_s_per_image");
                if (it != ref.end() && it->second > 0 && (refFp32 == 0 || it->second < refFp32)) refFp32 = it->second;
            }
            for (const auto &[key, r] : rows)
                if (key == referenceKey(model, "bf16") && refFp32 > 0)
                    std::printf("%s bf16 vs the reference's best fp32: CPU x %.2fx\n", r.model.c_str(), refFp32 / r.cpuSecondsPerImage);
        }
    }
    // Peak RSS of the whole run (every row; the heap keeps freed blocks for reuse: jobs/HeapPolicy.h).
    std::printf("peak RSS: %.0f MB", peakRssMb());
    if (const auto it = ref.find("peak_rss_mb"); it != ref.end()) std::printf(" (reference: %.0f MB)", it->second);
    std::printf("\n");
    return 0;
}

} // namespace

static Registrar reg({"bench models", "time SD-VAE, InceptionV3 and OpenPhenom (images/s, fp32 / channels_last / bf16)",
                      {},
                      QStringLiteral("Random weights and random uint8 inputs: SD-VAE (sd14 config) encode -> posterior mean ->\n"
                                     "decode at 256x256; InceptionV3 torchvision recipe (resize, normalise, network) at 299x299;\n"
                                     "OpenPhenom encoder at 5x256x256 (channel-wise embeddings). Each row: W untimed warm-up\n"
                                     "passes, then K timed passes of B images. Variants: fp32 (NCHW), channels_last (fp32 NHWC, conv\n"
                                     "nets) and bf16 (CPU autocast to bfloat16 through oneDNN, in the faster layout).\n"
                                     "--reference times the same work with /usr/bin/python3 + Debian python3-torch/torchvision\n"
                                     "(benchmarks/reference_models.py) and prints our/reference ratios."),
                      {integer(QStringLiteral("batch"), QStringLiteral("B"), QStringLiteral("images per pass"), QStringLiteral("2"), 1, 1024),
                       integer(QStringLiteral("iters"), QStringLiteral("K"), QStringLiteral("timed passes"), QStringLiteral("2"), 1, 1000),
                       integer(QStringLiteral("warmup"), QStringLiteral("W"), QStringLiteral("untimed passes"), QStringLiteral("1"), 0, 1000),
                       list(QStringLiteral("models"), QStringLiteral("vae,inception,openphenom"), QStringLiteral("which networks"), QStringLiteral("all three")),
                       list(QStringLiteral("variants"), QStringLiteral("fp32,channels_last,bf16"), QStringLiteral("which rows"), QStringLiteral("all")),
                       flag(QStringLiteral("reference"), QStringLiteral("time the Python reference in the same run and print ratios")),
                       value(QStringLiteral("reference-script"), QStringLiteral("PATH"), QStringLiteral("reference_models.py"))},
                      benchModels});

} // namespace cprecon::cli
