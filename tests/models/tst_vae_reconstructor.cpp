// The SD-VAE behind the Reconstructor interface: both protocols on the tiny fixture.
#include "TestSupport.h"
#include "models/Reconstructor.h"
#include "models/SdVaeReconstructor.h"
#include "weights/SafetensorsFile.h"

#include <cmath>

using namespace cprecon;

class TestVaeReconstructor : public QObject {
    Q_OBJECT
    std::unique_ptr<Reconstructor> rec;
    HostTensor x01, refDecoded01;

private Q_SLOTS:
    void initTestCase()
    {
        const QString dir = test::fixture(QStringLiteral("vae/tiny"));
        if (dir.isEmpty()) CPRECON_MISSING(QStringLiteral("vae fixture missing"));
        RuntimeOptions rt;
        rt.device = ComputeDevice::Cpu;
        rec = makeReconstructor("sd-vae:" + dir.toStdString(), rt);
        SafetensorsFile io((dir + QStringLiteral("/io.safetensors")).toStdString());
        x01.shape = io.info("x").shape;
        x01.values = io.toFloat("x");
        for (auto &v : x01.values) v = (v + 1.f) / 2.f;
        refDecoded01.shape = io.info("decoded_from_mean").shape;
        refDecoded01.values = io.toFloat("decoded_from_mean");
        for (auto &v : refDecoded01.values) v = std::clamp(v / 2.f + 0.5f, 0.f, 1.f);
    }
    void correctedProtocolIsDecodedMean()
    {
        ReconstructOptions o;
        o.wantLatents = true;
        const Reconstruction r = rec->reconstruct(x01, o);
        double err = 0;
        for (size_t i = 0; i < r.images.values.size(); ++i)
            err = std::max(err, std::abs(double(r.images.values[i]) - refDecoded01.values[i]));
        QVERIFY2(err <= 2.5e-4, qPrintable(QString::number(err))); // fixture tolerance 5e-4 on [-1,1] scale, /2
        QVERIFY(r.latentMean && r.latentLogvar && r.latent);
        QCOMPARE(r.latentMean->shape, (std::vector<int64_t>{2, 4, 8, 8}));
        QCOMPARE(r.compressedValuesPerTile, 4.0 * 8 * 8);
        QVERIFY(!rec->stochastic(Protocol::Corrected) && rec->stochastic(Protocol::Paper));
        QCOMPARE(rec->reconstruct(x01).images.values, r.images.values); // deterministic
    }
    void paperProtocolIsSeededAndChunkInvariant()
    {
        ReconstructOptions o;
        o.protocol = Protocol::Paper;
        o.seed = 11;
        o.wantLatents = true;
        const Reconstruction a = rec->reconstruct(x01, o);
        const Reconstruction b = rec->reconstruct(x01, o);
        QCOMPARE(a.images.values, b.images.values);
        o.seed = 12;
        const Reconstruction c = rec->reconstruct(x01, o);
        QVERIFY(a.images.values != c.images.values);
        // chunks of one tile give the same result (noise is drawn for the whole batch)
        static_cast<SdVaeReconstructor *>(rec.get())->setMaxBatch(1);
        o.seed = 11;
        const Reconstruction d = rec->reconstruct(x01, o);
        static_cast<SdVaeReconstructor *>(rec.get())->setMaxBatch(4);
        double diff = 0;
        for (size_t i = 0; i < d.images.values.size(); ++i) diff = std::max(diff, std::abs(double(d.images.values[i]) - a.images.values[i]));
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        // the sampled latent differs from the scaled mean by scaling * std * eps
        double dz = 0;
        for (size_t i = 0; i < a.latent->values.size(); ++i) dz += std::abs(a.latent->values[i] / 0.18215 - a.latentMean->values[i]);
        QVERIFY(dz / a.latent->values.size() > 0.1);
        for (float v : a.images.values) QVERIFY(v >= 0.f && v <= 1.f);
    }
};

QTEST_GUILESS_MAIN(TestVaeReconstructor)
#include "tst_vae_reconstructor.moc"
