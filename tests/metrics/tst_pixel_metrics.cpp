// MAE, EMD and SSIM against fixtures/metrics (skimage 0.19.3, torchmetrics 1.5.0) on real Cell Painting crops.
#include "TestSupport.h"
#include "metrics/PixelMetrics.h"
#include "metrics/Ssim.h"
#include "metrics/TileMetrics.h"
#include "util/Error.h"
#include "util/Protocol.h"
#include "weights/SafetensorsFile.h"

#include <cmath>
#include <limits>
#include <random>

using namespace cprecon;
using namespace cprecon::metrics;

namespace {
constexpr int kN = 4, kC = 5, kH = 256, kW = 256;
constexpr size_t kPlane = size_t(kH) * kW;

struct Fixture {
    std::vector<uint8_t> orig, recon;
    std::vector<float> forig, frecon;
    std::unique_ptr<SafetensorsFile> ref;
};
} // namespace

class TestPixelMetrics : public QObject {
    Q_OBJECT
    Fixture f;
    bool loaded = false;

    bool load()
    {
        const QString images = test::fixture(QStringLiteral("metrics/images.safetensors"));
        const QString metrics = test::fixture(QStringLiteral("metrics/metrics.safetensors"));
        if (images.isEmpty() || metrics.isEmpty()) return false;
        if (!loaded) {
            SafetensorsFile img(images.toStdString());
            f.orig = img.toU8("orig_u8");
            f.recon = img.toU8("recon_u8");
            f.forig = img.toFloat("float01.orig");
            f.frecon = img.toFloat("float01.recon");
            f.ref = std::make_unique<SafetensorsFile>(metrics.toStdString());
            loaded = true;
        }
        return true;
    }
    std::vector<double> ref(const char *key) const { return f.ref->toDouble(key); }

private Q_SLOTS:
    void maeAndEmdMatchUint8()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("metrics fixtures not found"));
        const auto mae255 = ref("mae_255"), emd255 = ref("emd_255"), mae01 = ref("mae_01"), emd01 = ref("emd_01");
        for (int i = 0; i < kN * kC; ++i) {
            const uint8_t *a = f.orig.data() + i * kPlane, *b = f.recon.data() + i * kPlane;
            QVERIFY2(std::abs(mae(a, b, kPlane) - mae255[i]) <= 1e-9, qPrintable(QString::number(i)));
            QVERIFY2(std::abs(emd(a, b, kPlane) - emd255[i]) <= 1e-9, qPrintable(QString::number(i)));
            QVERIFY(std::abs(mae(a, b, kW, kH, kW) - mae255[i]) <= 1e-9);
            QVERIFY(std::abs(emd(a, b, kW, kH, kW) - emd255[i]) <= 1e-9);
            QVERIFY(std::abs(mae(a, b, kPlane) / 255.0 - mae01[i]) <= 1e-9 / 255);
            QVERIFY(std::abs(emd(a, b, kPlane) / 255.0 - emd01[i]) <= 1e-9 / 255);
        }
    }
    void emdHistogramEqualsSortedForm()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("metrics fixtures not found"));
        for (int i = 0; i < kN * kC; i += 3) {
            const uint8_t *a = f.orig.data() + i * kPlane, *b = f.recon.data() + i * kPlane;
            std::vector<double> da(a, a + kPlane), db(b, b + kPlane);
            QVERIFY(std::abs(emd(a, b, kPlane) - emd(da.data(), db.data(), kPlane)) <= 1e-12);
        }
    }
    void floatPairMatches()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("metrics fixtures not found"));
        const auto m = ref("float01.mae"), e = ref("float01.emd"), s = ref("float01.ssim_skimage"),
                   tm = ref("float01.ssim_torchmetrics_1_5_0_f32");
        for (int c = 0; c < kC; ++c) {
            const float *a = f.forig.data() + c * kPlane, *b = f.frecon.data() + c * kPlane;
            QVERIFY(std::abs(mae(a, b, kPlane) - m[c]) <= 1e-9);
            QVERIFY(std::abs(emd(a, b, kPlane) - e[c]) <= 1e-9);
            QVERIFY2(std::abs(ssim(a, b, kW, kH, kW, 1.0) - s[c]) <= 1e-5,
                     qPrintable(QStringLiteral("c%1 %2 vs %3").arg(c).arg(ssim(a, b, kW, kH, kW, 1.0)).arg(s[c])));
            // the reference ran in float32: its own f32-vs-f64 spread is ~2e-6 (README), so 5e-5 as for f32 sums
            QVERIFY(std::abs(ssim(a, b, kW, kH, kW, 1.0, SsimVariant::TorchmetricsFull) - tm[c]) <= 5e-5);
        }
    }
    void ssimMatchesSkimage()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("metrics fixtures not found"));
        const auto sk = ref("ssim_skimage"), cropped = ref("ssim_torchmetrics_cropped_f64");
        double worst = 0;
        for (int i = 0; i < kN * kC; ++i) {
            const uint8_t *a = f.orig.data() + i * kPlane, *b = f.recon.data() + i * kPlane;
            const double s = ssim(a, b, kW, kH, kW, 255.0);
            worst = std::max(worst, std::abs(s - sk[i]));
            QVERIFY2(std::abs(s - sk[i]) <= 1e-5, qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(s).arg(sk[i])));
            QVERIFY(std::abs(s - cropped[i]) <= 1e-5);
            // float and double inputs give the same value as uint8 (skimage casts to float64 too)
            std::vector<float> fa(a, a + kPlane), fb(b, b + kPlane);
            QVERIFY(std::abs(ssim(fa.data(), fb.data(), kW, kH, kW, 255.0) - s) <= 1e-12);
        }
        qInfo("max |SSIM - skimage| = %.3g", worst);
    }
    void ssimTorchmetricsVariantMatches()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("metrics fixtures not found"));
        const auto tm64 = ref("ssim_torchmetrics_1_5_0_f64"), tm32 = ref("ssim_torchmetrics_1_5_0_f32");
        double worst = 0;
        for (int i = 0; i < kN * kC; ++i) {
            const uint8_t *a = f.orig.data() + i * kPlane, *b = f.recon.data() + i * kPlane;
            const double s = ssim(a, b, kW, kH, kW, 255.0, SsimVariant::TorchmetricsFull);
            worst = std::max(worst, std::abs(s - tm64[i]));
            QVERIFY2(std::abs(s - tm64[i]) <= 1e-5, qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(s).arg(tm64[i])));
            QVERIFY(std::abs(s - tm32[i]) <= 5e-5);
        }
        qInfo("max |SSIM - torchmetrics 1.5.0 f64| = %.3g", worst);
    }
    void batchEqualsSingleAndScales()
    {
        if (!load()) CPRECON_MISSING(QStringLiteral("metrics fixtures not found"));
        const TileMetricTable t = test::withThreads(3, [&] { return computeTileMetrics(f.orig.data(), f.recon.data(), kN, kC, kH, kW); });
        const TileMetricTable one = test::withThreads(1, [&] { return computeTileMetrics(f.orig.data(), f.recon.data(), kN, kC, kH, kW); });
        QCOMPARE(t.ssim, one.ssim); // bit for bit, whatever the thread count
        QCOMPARE(t.mae, one.mae);
        QCOMPARE(t.emd, one.emd);
        const auto sk = ref("ssim_skimage"), m01 = ref("mae_01"), e01 = ref("emd_01");
        for (int n = 0; n < kN; ++n)
            for (int c = 0; c < kC; ++c) {
                const int i = n * kC + c;
                QVERIFY(std::abs(t.ssimAt(n, c) - sk[i]) <= 1e-5);
                QVERIFY(std::abs(t.maeAt(n, c) - m01[i]) <= 1e-11);
                QVERIFY(std::abs(t.emdAt(n, c) - e01[i]) <= 1e-11);
            }
    }
    void identicalImagesAndLabels()
    {
        std::vector<uint8_t> a(64 * 48);
        std::mt19937 rng(1);
        for (auto &v : a) v = uint8_t(rng() & 255);
        QCOMPARE(ssim(a.data(), a.data(), 64, 48, 64, 255.0), 1.0);
        QCOMPARE(mae(a.data(), a.data(), a.size()), 0.0);
        QCOMPARE(emd(a.data(), a.data(), a.size()), 0.0);
        // EMD ignores where pixels are: a permutation has EMD 0 but MAE > 0
        std::vector<uint8_t> b(a.rbegin(), a.rend());
        QCOMPARE(emd(a.data(), b.data(), a.size()), 0.0);
        QVERIFY(mae(a.data(), b.data(), a.size()) > 0);
        QCOMPARE(ssimReported(Protocol::Paper, 0.8), 1.0 - 0.8);
        QCOMPARE(ssimReported(Protocol::Corrected, 0.8), 0.8);
        QCOMPARE(QString::fromStdString(ssimLabel(Protocol::Paper)), QStringLiteral("1 − SSIM (paper's 'SSIM')"));
        QCOMPARE(QString::fromStdString(ssimLabel(Protocol::Corrected)), QStringLiteral("SSIM"));
        // One parser for every caller: strict, the empty string included.
        QCOMPARE(parseProtocol(" Paper "), Protocol::Paper);
        QCOMPARE(parseProtocol("corrected"), Protocol::Corrected);
        QVERIFY_THROWS_EXCEPTION(Error, parseProtocol(""));
        QVERIFY_THROWS_EXCEPTION(Error, parseProtocol("papers"));
        // strided input: a channel inside a wider buffer
        std::vector<uint8_t> wide(100 * 48, 7);
        for (int r = 0; r < 48; ++r) std::copy(a.begin() + r * 64, a.begin() + (r + 1) * 64, wide.begin() + r * 100);
        QCOMPARE(ssim(wide.data(), wide.data(), 64, 48, 100, 255.0), 1.0);
        std::vector<uint8_t> wideB(100 * 48, 200);
        for (int r = 0; r < 48; ++r) std::copy(b.begin() + r * 64, b.begin() + (r + 1) * 64, wideB.begin() + r * 100);
        QCOMPARE(mae(wide.data(), wideB.data(), 64, 48, 100), mae(a.data(), b.data(), 64, 48, 64));
        QCOMPARE(emd(wide.data(), wideB.data(), 64, 48, 100), 0.0);
    }
    void badInputsGiveNamedErrors()
    {
        std::vector<float> a(32 * 32, 0.5f), b(32 * 32, 0.5f);
        b[100] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(Error, ssim(a.data(), b.data(), 32, 32, 32, 1.0));
        QVERIFY_THROWS_EXCEPTION(Error, mae(a.data(), b.data(), a.size()));
        QVERIFY_THROWS_EXCEPTION(Error, emd(a.data(), b.data(), a.size()));
        QVERIFY_THROWS_EXCEPTION(Error, ssim(a.data(), a.data(), 10, 10, 10, 1.0)); // smaller than the window
        QVERIFY_THROWS_EXCEPTION(Error, ssim(a.data(), a.data(), 32, 32, 16, 1.0)); // stride < width
        QVERIFY_THROWS_EXCEPTION(Error, ssim(a.data(), a.data(), 32, 32, 32, 0.0)); // data range
        QVERIFY_THROWS_EXCEPTION(Error, mae(a.data(), a.data(), 0));
        try {
            ssim(a.data(), b.data(), 32, 32, 32, 1.0);
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("NaN")));
        }
    }
};

QTEST_GUILESS_MAIN(TestPixelMetrics)
#include "tst_pixel_metrics.moc"
