// `cprecon-cli model run --kind vae` on the tiny fixture (weights = the fixture folder) against io.safetensors.
#include "TestSupport.h"
#include "weights/SafetensorsFile.h"

#include <QTemporaryDir>
#include <cmath>

using namespace cprecon;

class TestModelRunVae : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesFixture()
    {
        CPRECON_REQUIRE_PATH(dir, test::fixture(QStringLiteral("vae/tiny")));
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("out.safetensors"));
        const QString io = dir + QStringLiteral("/io.safetensors");
        QString so, se;
        const int rc = test::runCli({QStringLiteral("model"), QStringLiteral("run"), QStringLiteral("--kind"), QStringLiteral("vae"),
                                     QStringLiteral("--weights"), dir, QStringLiteral("--input"), io, QStringLiteral("--output"), out,
                                     QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--device"), QStringLiteral("cpu")},
                                    &so, &se);
        QVERIFY2(rc == 0, qPrintable(se));
        SafetensorsFile got(out.toStdString()), ref(io.toStdString());
        const std::pair<const char *, double> checks[] = {
            {"posterior_mean", 1e-4}, {"posterior_logvar", 1e-4}, {"decoded_from_mean", 5e-4}};
        for (const auto &[key, tol] : checks) {
            QCOMPARE(got.info(key).shape, ref.info(key).shape);
            const auto a = got.toFloat(key), b = ref.toFloat(key);
            double err = 0;
            for (size_t i = 0; i < a.size(); ++i) err = std::max(err, std::abs(double(a[i]) - b[i]));
            QVERIFY2(err <= tol, qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(key)).arg(err)));
        }
    }
    void wrongWeightsGiveANamedError()
    {
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("vae/tiny/io.safetensors")));
        QTemporaryDir tmp;
        QString so, se;
        // io.safetensors itself is a valid safetensors file but holds no VAE weights
        const int rc = test::runCli({QStringLiteral("model"), QStringLiteral("run"), QStringLiteral("--kind"), QStringLiteral("vae"),
                                     QStringLiteral("--weights"), io, QStringLiteral("--input"), io, QStringLiteral("--output"),
                                     tmp.filePath(QStringLiteral("o.safetensors"))},
                                    &so, &se);
        QVERIFY(rc != 0 && rc != -2); // clean failure, no crash
        QVERIFY2(se.contains(QStringLiteral("no VAE tensors")) && se.contains(QStringLiteral("io.safetensors")), qPrintable(se));
    }
};

QTEST_GUILESS_MAIN(TestModelRunVae)
#include "tst_modelrun_vae.moc"
