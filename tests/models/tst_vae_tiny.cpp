// AutoencoderKL against the diffusers 0.30.3 golden fixture (fixtures/vae/tiny, README tolerances) and the
// full-size sd14 module tree (fixtures/vae/sd14_keys.txt).
#include "TestSupport.h"
#include "nets/AutoencoderKl.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <QFile>
#include <QTextStream>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cprecon;

namespace {
HostTensor read(const SafetensorsFile &f, const std::string &name)
{
    HostTensor h;
    h.shape = f.info(name).shape;
    h.values = f.toFloat(name);
    return h;
}

double maxAbsDiff(const HostTensor &a, const HostTensor &b)
{
    if (a.shape != b.shape) return INFINITY;
    double m = 0;
    for (size_t i = 0; i < a.values.size(); ++i) m = std::max(m, std::abs(double(a.values[i]) - b.values[i]));
    return m;
}

double maxAbs(const HostTensor &a)
{
    double m = 0;
    for (float v : a.values) m = std::max(m, std::abs(double(v)));
    return m;
}

#define CHECK_CLOSE(got, ref, tol, what)                                                                       \
    do {                                                                                                       \
        const double err_ = maxAbsDiff(got, ref);                                                              \
        QVERIFY2(err_ <= (tol), qPrintable(QStringLiteral("%1: max abs err %2 > %3").arg(what).arg(err_).arg(tol))); \
    } while (0)
} // namespace

class TestVaeTiny : public QObject {
    Q_OBJECT
    std::unique_ptr<AutoencoderKl> vae;
    std::unique_ptr<SafetensorsFile> io;

private Q_SLOTS:
    void initTestCase()
    {
        const QString dir = test::fixture(QStringLiteral("vae/tiny"));
        if (dir.isEmpty()) CPRECON_MISSING(QStringLiteral("vae fixture missing"));
        RuntimeOptions rt;
        rt.device = ComputeDevice::Cpu;
        vae = AutoencoderKl::fromCheckpoint(dir.toStdString(), {}, rt);
        io = std::make_unique<SafetensorsFile>(test::fixture(QStringLiteral("vae/tiny/io.safetensors")).toStdString());
    }
    void configFromFixture()
    {
        QCOMPARE(vae->config().blockOutChannels, (std::vector<int>{32, 64, 64, 64}));
        QCOMPARE(vae->config().normNumGroups, 16);
        QCOMPARE(vae->config().layersPerBlock, 2);
        QVERIFY(vae->config().useQuantConv && vae->config().usePostQuantConv && vae->config().midBlockAddAttention);
        QCOMPARE(vae->config().scalingFactor, 0.18215);
    }
    void encodeMatchesFixture()
    {
        const HostTensor x = read(*io, "x");
        CHECK_CLOSE(vae->moments(x), read(*io, "moments"), 1e-4, "moments");
        VaeIntermediates inter;
        const VaePosterior p = vae->encode(x, &inter);
        CHECK_CLOSE(p.mean, read(*io, "posterior_mean"), 1e-4, "posterior_mean");
        CHECK_CLOSE(p.logvar, read(*io, "posterior_logvar"), 1e-4, "posterior_logvar");
        int checked = 0;
        for (const auto &[name, got] : inter) {
            const std::string key = "inter." + name;
            if (!io->contains(key)) continue;
            const HostTensor ref = read(*io, key);
            CHECK_CLOSE(got, ref, 1e-4 * std::max(1.0, maxAbs(ref)), QString::fromStdString(key));
            ++checked;
        }
        QCOMPARE(checked, 9); // conv_in, 4 down blocks, mid resnet 0, mid attention, mid block, conv_out
    }
    void decodeMatchesFixture()
    {
        VaeIntermediates inter;
        const HostTensor y = vae->decode(read(*io, "posterior_mean"), &inter);
        CHECK_CLOSE(y, read(*io, "decoded_from_mean"), 5e-4, "decoded_from_mean");
        int checked = 0;
        for (const auto &[name, got] : inter) {
            const std::string key = "inter." + name;
            if (!io->contains(key)) continue;
            const HostTensor ref = read(*io, key);
            CHECK_CLOSE(got, ref, 1e-4 * std::max(1.0, maxAbs(ref)), QString::fromStdString(key));
            ++checked;
        }
        QCOMPARE(checked, 8); // post_quant_conv, conv_in, mid_block, 4 up blocks, conv_out
    }
    void roundTripMatchesForward()
    {
        VaeRoundTripOptions o; // posterior mean, scaling applied and undone
        o.wantLatent = true;
        const VaeRoundTrip r = vae->roundTrip(read(*io, "x"), o);
        CHECK_CLOSE(r.decoded, read(*io, "forward_sample_posterior_false"), 5e-4, "forward(sample_posterior=False)");
        HostTensor scaled = read(*io, "posterior_mean");
        for (auto &v : scaled.values) v *= 0.18215f;
        CHECK_CLOSE(r.latent, scaled, 1e-4 * 0.18215, "scaled latent");
    }
    void klMatchesDiffusers()
    {
        std::ifstream in(test::fixture(QStringLiteral("vae/tiny/meta.json")).toStdString());
        const auto meta = nlohmann::json::parse(in);
        const VaePosterior p = vae->encode(read(*io, "x"));
        const int64_t per = p.mean.numel() / p.mean.shape[0];
        for (int64_t n = 0; n < p.mean.shape[0]; ++n) {
            double kl = 0;
            for (int64_t i = n * per; i < (n + 1) * per; ++i) {
                const double m = p.mean.values[i], lv = p.logvar.values[i];
                kl += 0.5 * (m * m + std::exp(lv) - 1 - lv);
            }
            const double ref = meta["kl_per_sample_diffusers"][static_cast<size_t>(n)].get<double>();
            QVERIFY2(std::abs(kl - ref) < 1e-3, qPrintable(QStringLiteral("KL %1 vs %2").arg(kl).arg(ref)));
        }
    }
    void samplingIsSeededAndGaussian()
    {
        const VaePosterior p = vae->encode(read(*io, "x"));
        const HostTensor a = vae->samplePosterior(p, 7), b = vae->samplePosterior(p, 7), c = vae->samplePosterior(p, 8);
        QCOMPARE(a.values, b.values);
        QVERIFY(maxAbsDiff(a, c) > 0.1);
        // One generator per sample: sample 1's noise depends on its own seed only, not on sample 0's.
        const HostTensor t1 = vae->samplePosterior(p, std::vector<uint64_t>{7, 9}), t2 = vae->samplePosterior(p, std::vector<uint64_t>{8, 9});
        const size_t per = t1.values.size() / 2;
        QVERIFY(!std::equal(t1.values.begin(), t1.values.begin() + per, t2.values.begin()));
        QVERIFY(std::equal(t1.values.begin() + per, t1.values.end(), t2.values.begin() + per));
        QVERIFY_THROWS_EXCEPTION(Error, vae->samplePosterior(p, std::vector<uint64_t>{1}));
        // standardised noise (z - mean) / std must look N(0, 1) (512 draws: loose 5-sigma bounds)
        double s = 0, s2 = 0;
        for (size_t i = 0; i < a.values.size(); ++i) {
            const double e = (a.values[i] - p.mean.values[i]) / std::exp(0.5 * p.logvar.values[i]);
            s += e;
            s2 += e * e;
        }
        const double n = static_cast<double>(a.values.size()), mean = s / n, var = s2 / n - mean * mean;
        QVERIFY2(std::abs(mean) < 5 / std::sqrt(n) && std::abs(var - 1) < 0.35, qPrintable(QStringLiteral("%1 %2").arg(mean).arg(var)));
        // the noise is Python's: torch.manual_seed(7); torch.randn(2, 4, 8, 8) (torch 1.13.1, first 6 and last 3)
        const std::vector<std::pair<size_t, double>> ref = {{0, -0.820135}, {1, 0.395631}, {2, 0.898908}, {3, -1.388404},
                                                            {4, -0.166996}, {5, 0.28515},  {509, 0.250001}, {510, -0.854242},
                                                            {511, 0.437625}};
        for (const auto &[i, e] : ref) {
            const double got = (a.values[i] - p.mean.values[i]) / std::exp(0.5 * p.logvar.values[i]);
            QVERIFY2(std::abs(got - e) < 1e-5, qPrintable(QStringLiteral("eps[%1] %2 vs %3").arg(i).arg(got).arg(e)));
        }
    }
    void sd14TreeMatchesKeysFile()
    {
        CPRECON_REQUIRE_PATH(keysPath, test::fixture(QStringLiteral("vae/sd14_keys.txt")));
        CPRECON_REQUIRE_PATH(cfgPath, test::fixture(QStringLiteral("vae/sd14_config.json")));
        RuntimeOptions rt;
        rt.device = ComputeDevice::Cpu;
        AutoencoderKl full(VaeConfig::fromFile(cfgPath.toStdString()), rt);
        const ShapeList got = full.parameterShapes();
        QFile f(keysPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTextStream ts(&f);
        ShapeList want;
        while (!ts.atEnd()) {
            const QString line = ts.readLine();
            if (line.startsWith(QLatin1Char('#')) || line.trimmed().isEmpty()) continue;
            const QStringList cols = line.split(QLatin1Char('\t'));
            std::vector<int64_t> shape;
            QString s = cols[1];
            s.remove(QLatin1Char('[')).remove(QLatin1Char(']'));
            for (const QString &d : s.split(QLatin1Char(','), Qt::SkipEmptyParts)) shape.push_back(d.trimmed().toLongLong());
            want.emplace_back(cols[0].toStdString(), shape);
        }
        QCOMPARE(want.size(), size_t(248));
        QCOMPARE(got.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i) {
            QCOMPARE(got[i].first, want[i].first); // same names in the same (state_dict) order
            QCOMPARE(got[i].second, want[i].second);
        }
        QCOMPARE(full.parameterCount(), int64_t(83653863));
    }
    void configDefaultsResolveLikeDiffusers()
    {
        CPRECON_REQUIRE_PATH(a, test::fixture(QStringLiteral("vae/sd14_config.json")));
        CPRECON_REQUIRE_PATH(b, test::fixture(QStringLiteral("vae/sd14_config_resolved.json")));
        const VaeConfig ca = VaeConfig::fromFile(a.toStdString()), cb = VaeConfig::fromFile(b.toStdString());
        QCOMPARE(ca.describe(), cb.describe());
        QCOMPARE(ca.useQuantConv, cb.useQuantConv);
        QVERIFY(!ca.shiftFactor && !cb.shiftFactor);
        // SDXL VAE config (stabilityai/sdxl-vae): same tree as sd14, scaling 0.13025
        const VaeConfig xl = VaeConfig::fromJsonText(
            R"({"_class_name": "AutoencoderKL", "block_out_channels": [128, 256, 512, 512], "layers_per_block": 2,
                "latent_channels": 4, "norm_num_groups": 32, "sample_size": 1024, "scaling_factor": 0.13025,
                "force_upcast": true})", "sdxl-vae/config.json");
        QCOMPARE(xl.scalingFactor, 0.13025);
        QCOMPARE(xl.describe(), VaeConfig::preset("sdxl").describe());
        // SD3-style 16-channel config: shift factor, no quant convs
        const VaeConfig sd3 = VaeConfig::fromJsonText(
            R"({"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "latent_channels": 16,
                "scaling_factor": 1.5305, "shift_factor": 0.0609, "use_quant_conv": false, "use_post_quant_conv": false})",
            "sd3/vae/config.json");
        QCOMPARE(sd3.latentChannels, 16);
        QVERIFY(sd3.shiftFactor && *sd3.shiftFactor == 0.0609 && !sd3.useQuantConv && !sd3.usePostQuantConv);
        const VaeConfig bare = VaeConfig::fromJsonText("{}", "inline");
        QCOMPARE(bare.blockOutChannels, std::vector<int>{64});
        QCOMPARE(bare.layersPerBlock, 1);
        QCOMPARE(bare.scalingFactor, 0.18215);
        try {
            VaeConfig::fromJsonText(R"({"_class_name": "UNet2DConditionModel"})", "unet/config.json");
            QFAIL("UNet config accepted");
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("unet/config.json")));
        }
        // Found by fuzzing: wrong-typed and out-of-range numbers are named errors (they were a type_error escaping
        // and undefined behaviour). Whole numbers written as floats are accepted.
        QCOMPARE(VaeConfig::fromJsonText(R"({"latent_channels": 16.0})", "inline").latentChannels, 16);
        for (const char *bad : {R"({"block_out_channels": [128, 2.5e167]})", R"({"layers_per_block": 1.5})", R"({"_class_name": 3})",
                                R"({"block_out_channels": 128})"}) {
            try {
                VaeConfig::fromJsonText(bad, "bad/config.json");
                QFAIL(bad);
            } catch (const Error &e) {
                QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("bad/config.json")), e.what());
            }
        }
    }
    void sixteenChannelLayout()
    {
        RuntimeOptions rt;
        rt.device = ComputeDevice::Cpu;
        VaeConfig c = VaeConfig::preset("flux");
        c.blockOutChannels = {32, 32}; // small: structure only
        c.normNumGroups = 8;
        AutoencoderKl v(c, rt);
        bool quant = false;
        for (const auto &[k, s] : v.parameterShapes()) quant |= k.find("quant_conv") != std::string::npos;
        QVERIFY(!quant); // use_quant_conv / use_post_quant_conv false
        HostTensor x;
        x.shape = {1, 3, 16, 16};
        x.values.assign(3 * 16 * 16, 0.1f);
        VaeRoundTripOptions o;
        o.wantLatent = true;
        const VaeRoundTrip r = v.roundTrip(x, o);
        QCOMPARE(r.posterior.mean.shape, (std::vector<int64_t>{1, 16, 8, 8}));
        QCOMPARE(r.decoded.shape, x.shape);
        // latent = (mean - shift) * scaling
        QVERIFY(std::abs(r.latent.values[0] - (r.posterior.mean.values[0] - 0.1159) * 0.3611) < 1e-5);
    }
    void channelsLastMatchesFixture()
    {
        RuntimeOptions rt;
        rt.device = ComputeDevice::Cpu;
        rt.channelsLast = true;
        auto cl = AutoencoderKl::fromCheckpoint(test::fixture(QStringLiteral("vae/tiny")).toStdString(), {}, rt);
        const VaePosterior p = cl->encode(read(*io, "x"));
        CHECK_CLOSE(p.mean, read(*io, "posterior_mean"), 1e-4, "channels_last posterior_mean");
        CHECK_CLOSE(p.logvar, read(*io, "posterior_logvar"), 1e-4, "channels_last posterior_logvar");
        CHECK_CLOSE(cl->decode(read(*io, "posterior_mean")), read(*io, "decoded_from_mean"), 5e-4, "channels_last decoded");
    }
    void bf16AutocastOnCpu()
    {
        RuntimeOptions rt;
        rt.device = ComputeDevice::Cpu;
        rt.precision = Precision::Bf16;
        auto bf = AutoencoderKl::fromCheckpoint(test::fixture(QStringLiteral("vae/tiny")).toStdString(), {}, rt);
        const VaePosterior p = bf->encode(read(*io, "x"));
        const HostTensor y = bf->decode(read(*io, "posterior_mean"));
        const double em = maxAbsDiff(p.mean, read(*io, "posterior_mean")), ey = maxAbsDiff(y, read(*io, "decoded_from_mean"));
        qInfo("bf16 autocast: mean err %.3g, decoded err %.3g", em, ey);
        QVERIFY(em > 1e-5 && ey > 1e-5);  // really ran in bf16 (8-bit mantissa)...
        QVERIFY(em < 0.1 && ey < 0.2);    // ...and still computes the same network
        QVERIFY_THROWS_EXCEPTION(Error, [&] {
            RuntimeOptions h = rt;
            h.precision = Precision::Fp16; // fp16 autocast is CUDA-only
            AutoencoderKl(VaeConfig::fromFile(test::fixture(QStringLiteral("vae/tiny/config.json")).toStdString()), h).encode(read(*io, "x"));
        }());
    }
    void badInputsAreNamedErrors()
    {
        HostTensor x;
        x.shape = {1, 3, 60, 60};
        x.values.assign(3 * 60 * 60, 0.f);
        try {
            vae->encode(x);
            QFAIL("60x60 accepted");
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("multiple of")));
        }
        x.shape = {1, 4, 64, 64};
        x.values.assign(4 * 64 * 64, 0.f);
        QVERIFY_THROWS_EXCEPTION(Error, vae->encode(x));
    }
};

QTEST_GUILESS_MAIN(TestVaeTiny)
#include "tst_vae_tiny.moc"
