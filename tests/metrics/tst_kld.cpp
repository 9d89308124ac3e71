// Latent KL against fixtures/metrics/kld.safetensors (float64 reference = diffusers' DiagonalGaussianDistribution.kl).
#include "TestSupport.h"
#include "metrics/Kld.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <cmath>
#include <limits>

using namespace cprecon;
using namespace cprecon::metrics;

class TestKld : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesFixture()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("metrics/kld.safetensors")));
        SafetensorsFile f(path.toStdString());
        for (const std::string prefix : {"vae", "synth"}) {
            const auto &info = f.info(prefix + ".mean");
            const size_t samples = size_t(info.shape[0]);
            const size_t elements = size_t(info.numel()) / samples;
            const auto mean = f.toFloat(prefix + ".mean"), logvar = f.toFloat(prefix + ".logvar");
            const KlResult r = klDivergence(mean.data(), logvar.data(), samples, elements);
            const auto sum = f.toDouble(prefix + ".kl_sum"), perElement = f.toDouble(prefix + ".kl_mean_per_element");
            QCOMPARE(r.klSum.size(), samples);
            double worst = 0;
            for (size_t s = 0; s < samples; ++s) worst = std::max(worst, std::abs(r.klSum[s] - sum[s]) / std::abs(sum[s]));
            qInfo("%s: max rel. error %.3g", prefix.c_str(), worst);
            for (size_t s = 0; s < samples; ++s) {
                QVERIFY2(std::abs(r.klSum[s] - sum[s]) <= 1e-6 * std::abs(sum[s]),
                         qPrintable(QStringLiteral("%1 %2: %3 vs %4").arg(QString::fromStdString(prefix)).arg(s).arg(r.klSum[s]).arg(sum[s])));
                QVERIFY(std::abs(r.klMeanPerElement[s] - perElement[s]) <= 1e-6 * std::abs(perElement[s]));
            }
            QCOMPARE(r.clampedValues, size_t(0));
        }
    }
    void clampsLogvarAsDiffusers()
    {
        const double mean[2] = {0, 0}, logvar[2] = {-40, 25};
        const KlResult r = klDivergence(mean, logvar, 1, 2);
        const double expected = 0.5 * ((std::exp(-30.0) + 30 - 1) + (std::exp(20.0) - 20 - 1));
        QVERIFY(std::abs(r.klSum[0] - expected) <= 1e-12 * expected);
        QCOMPARE(r.clampedValues, size_t(2));
        const double zero[4] = {0, 0, 0, 0};
        QCOMPARE(klDivergence(zero, zero, 2, 2).klSum[1], 0.0); // N(0, 1) has zero KL
    }
    void badInputs()
    {
        const double m[2] = {0, std::numeric_limits<double>::quiet_NaN()}, lv[2] = {0, 0};
        try {
            klDivergence(m, lv, 2, 1);
            QFAIL("NaN accepted");
        } catch (const Error &e) {
            QCOMPARE(e.row(), 1L);
        }
        QVERIFY_THROWS_EXCEPTION(Error, klDivergence(m, lv, 0, 1));
    }
};

QTEST_GUILESS_MAIN(TestKld)
#include "tst_kld.moc"
