// `cprecon-cli model run --kind inception-torchvision|inception-fid|openphenom` on the golden fixtures: the fixture's
// io.safetensors is the input (it holds `images_u8`), the outputs must match its references within the README
// tolerances (pool features ≤ 2e-3, logits ≤ 5e-3, OpenPhenom embeddings ≤ 5e-5, max abs).
#include "TestSupport.h"
#include "weights/SafetensorsFile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace cprecon;

class TestModelRunFeatures : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString out(const QString &name) const { return m_dir.filePath(name); }

    static void compare(const QString &outputPath, const QString &refPath, const char *outKey, const char *refKey,
                        double tol)
    {
        SafetensorsFile got(outputPath.toStdString()), ref(refPath.toStdString());
        QVERIFY2(got.contains(outKey), outKey);
        QCOMPARE(got.info(outKey).shape, ref.info(refKey).shape);
        const auto a = got.toFloat(outKey), b = ref.toFloat(refKey);
        double d = 0;
        for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(double(a[i]) - b[i]));
        qInfo("%s vs %s: max abs diff %.3g (tolerance %.3g)", outKey, refKey, d, tol);
        QVERIFY2(d <= tol, refKey);
    }

    static void run(const QStringList &args)
    {
        QString o, e;
        const int code = test::runCli(args, &o, &e);
        QVERIFY2(code == 0, qPrintable(e));
    }

private Q_SLOTS:
    void inceptionTorchvision()
    {
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("inception/io.safetensors")));
        CPRECON_REQUIRE_PATH(w, test::fixture(QStringLiteral("inception/weights.safetensors")));
        run({"model", "run", "--kind", "inception-torchvision", "--weights", w, "--input", io, "--output",
             out("a.safetensors"), "--threads", "2"});
        compare(out("a.safetensors"), io, "pool_features", "A.pool_features", 2e-3);
        compare(out("a.safetensors"), io, "logits", "A.logits", 5e-3);
    }

    void inceptionTorchvisionTransformInput()
    {
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("inception/io.safetensors")));
        CPRECON_REQUIRE_PATH(w, test::fixture(QStringLiteral("inception/weights.safetensors")));
        std::ofstream(out("ti.json").toStdString()) << R"({"transform_input": true, "channels_last": false})";
        run({"model", "run", "--kind", "inception-torchvision", "--weights", w, "--config", out("ti.json"), "--input",
             io, "--output", out("ti.safetensors")});
        compare(out("ti.safetensors"), io, "pool_features", "A_transform_input.pool_features", 2e-3);
        compare(out("ti.safetensors"), io, "logits", "A_transform_input.logits", 5e-3);
        // The same through the command-line flag (the paper's pretrained torchvision network needs it).
        run({"model", "run", "--kind", "inception-torchvision", "--weights", w, "--transform-input", "--input", io,
             "--output", out("tf.safetensors")});
        compare(out("tf.safetensors"), io, "pool_features", "A_transform_input.pool_features", 2e-3);
        compare(out("tf.safetensors"), io, "logits", "A_transform_input.logits", 5e-3);
    }

    void inceptionFid()
    {
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("inception/io.safetensors")));
        CPRECON_REQUIRE_PATH(w, test::fixture(QStringLiteral("inception/weights.safetensors")));
        run({"model", "run", "--kind", "inception-fid", "--weights", w, "--input", io, "--output", out("b.safetensors")});
        compare(out("b.safetensors"), io, "pool3_features", "B.pool3_features", 2e-3);
        QVERIFY(!SafetensorsFile(out("b.safetensors").toStdString()).contains("logits"));
    }

    void openPhenom()
    {
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("openphenom/io.safetensors")));
        CPRECON_REQUIRE_PATH(w, test::fixture(QStringLiteral("openphenom/encoder_weights.safetensors")));
        run({"model", "run", "--kind", "openphenom", "--weights", w, "--input", io, "--output", out("op.safetensors"),
             "--protocol", "corrected"});
        compare(out("op.safetensors"), io, "channelwise_embeddings", "channelwise_embeddings", 5e-5);
        compare(out("op.safetensors"), io, "embedding", "embedding", 5e-5);
    }

    void openPhenomFromHfCacheRepoFolder()
    {
        // ~/.cache/huggingface/hub/models--recursionpharma--OpenPhenom/{refs/main, snapshots/<rev>/model.safetensors
        // -> blob}: the repo folder is a valid --weights, with the encoder keys under encoder.vit_backbone.
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("openphenom/io.safetensors")));
        CPRECON_REQUIRE_PATH(w, test::fixture(QStringLiteral("openphenom/encoder_weights.safetensors")));
        const QString repo = out(QStringLiteral("hub/models--recursionpharma--OpenPhenom"));
        const QString rev = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/refs")));
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/blobs")));
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/snapshots/") + rev));
        std::ofstream((repo + QStringLiteral("/refs/main")).toStdString()) << rev.toStdString();
        QVERIFY(QFile::link(w, repo + QStringLiteral("/blobs/b3d7af73")));
        QVERIFY(QFile::link(QStringLiteral("../../blobs/b3d7af73"),
                            repo + QStringLiteral("/snapshots/") + rev + QStringLiteral("/model.safetensors")));
        std::ofstream((repo + QStringLiteral("/snapshots/") + rev + QStringLiteral("/config.json")).toStdString())
            << R"({"architectures": ["MAEModel"], "model_type": "MAE"})";
        run({"model", "run", "--kind", "openphenom", "--weights", repo, "--input", io, "--output", out("hf.safetensors")});
        compare(out("hf.safetensors"), io, "embedding", "embedding", 5e-5);
    }

    void wrongWeightsFailWithNamedKeys()
    {
        CPRECON_REQUIRE_PATH(io, test::fixture(QStringLiteral("openphenom/io.safetensors")));
        CPRECON_REQUIRE_PATH(w, test::fixture(QStringLiteral("inception/weights.safetensors")));
        QString o, e;
        const int code = test::runCli({"model", "run", "--kind", "openphenom", "--weights", w, "--input", io,
                                       "--output", out("bad.safetensors")},
                                      &o, &e);
        QCOMPARE(code, 1);
        QVERIFY2(e.contains(QStringLiteral("encoder.vit_backbone.cls_token")), qPrintable(e));
        QVERIFY(!QFile::exists(out("bad.safetensors")));

        // Inception on 5-channel images: a clear error, no crash.
        CPRECON_REQUIRE_PATH(wi, test::fixture(QStringLiteral("inception/weights.safetensors")));
        QCOMPARE(test::runCli({"model", "run", "--kind", "inception-fid", "--weights", wi, "--input", io, "--output",
                               out("bad2.safetensors")},
                              &o, &e),
                 1);
        QVERIFY2(e.contains(QStringLiteral("3 channels")), qPrintable(e));
    }
};

QTEST_GUILESS_MAIN(TestModelRunFeatures)
#include "tst_modelrun_features.moc"
