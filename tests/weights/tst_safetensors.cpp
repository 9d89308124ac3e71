// SafetensorsFile against the golden fixtures (written by the Python reference writer) and against broken files.
#include "TestSupport.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <QTemporaryDir>
#include <cmath>
#include <fstream>

using namespace cprecon;

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsFixtureDtypes()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("inception/io.safetensors")));
        SafetensorsFile f(path.toStdString());
        const auto &img = f.info("images_u8");
        QCOMPARE(img.dtype, DType::U8);
        QCOMPARE(img.shape, (std::vector<int64_t>{3, 3, 256, 256}));
        QCOMPARE(static_cast<int64_t>(f.toU8("images_u8").size()), img.numel());
        const auto feat = f.toFloat("A.pool_features");
        QCOMPARE(feat.size(), size_t(3 * 2048));
        for (float v : feat) QVERIFY(std::isfinite(v) && v >= 0.f); // post-ReLU average pool
    }
    void readsHalfWeights()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("inception/weights.safetensors")));
        SafetensorsFile f(path.toStdString());
        const auto &t = f.info("Conv2d_1a_3x3.bn.running_var");
        QCOMPARE(t.dtype, DType::F16);
        for (float v : f.toFloat(t.name)) QVERIFY(v > 0.f && std::isfinite(v)); // variances are positive
    }
    void halfConversionRoundTrips()
    {
        for (uint32_t h = 0; h < 0x10000; ++h) {
            const float f = halfToFloat(static_cast<uint16_t>(h));
            if (std::isnan(f)) continue;
            QCOMPARE(floatToHalf(f), static_cast<uint16_t>(h));
        }
        QCOMPARE(halfToFloat(0x3C00), 1.0f);
        QCOMPARE(halfToFloat(0xC000), -2.0f);
        QCOMPARE(halfToFloat(0x0001), 5.9604644775390625e-08f);
        QCOMPARE(bfloat16ToFloat(0x3F80), 1.0f);
    }
    void writerRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("t.safetensors")).toStdString();
        SafetensorsWriter w;
        w.addFloat("b", {2, 3}, {1, 2, 3, 4, 5, 6});
        w.addDouble("a", {1}, {0.25});
        w.addU8("c", {4}, {0, 1, 254, 255});
        w.setMetadata("format", "pt");
        w.write(path);
        SafetensorsFile f(path);
        QCOMPARE(f.toFloat("b"), (std::vector<float>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(f.toDouble("a"), (std::vector<double>{0.25}));
        QCOMPARE(f.toU8("c"), (std::vector<uint8_t>{0, 1, 254, 255}));
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
    }
    void nonIntegerFloatReadAsIntegerIsANamedError()
    {
        // Found by fuzzing: a float tensor holding NaN read through toInt64 was undefined behaviour.
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("nan.safetensors")).toStdString();
        {
            SafetensorsWriter w;
            w.addFloat("x", {2}, std::vector<float>{1.0f, std::nanf("")});
            w.write(path);
        }
        SafetensorsFile f(path);
        try {
            (void)f.toInt64("x");
            QFAIL("NaN was converted to an integer");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("not an integer")), e.what());
        }
        QCOMPARE(f.toFloat("x").front(), 1.0f);
    }
    void truncatedFileIsANamedError()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("vae/tiny/io.safetensors")));
        QTemporaryDir dir;
        const QString cut = dir.filePath(QStringLiteral("cut.safetensors"));
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QFile out(cut);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(in.read(in.size() / 2));
        out.close();
        try {
            SafetensorsFile f(cut.toStdString());
            QFAIL("truncated file was accepted");
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("cut.safetensors")));
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("truncated")));
        }
    }
    void garbageIsANamedError()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("zip.pth"));
        std::ofstream(p.toStdString(), std::ios::binary) << "PK\x03\x04 not a safetensors file at all";
        QVERIFY(!SafetensorsFile::looksLikeSafetensors(p.toStdString()));
        QVERIFY_THROWS_EXCEPTION(Error, SafetensorsFile(p.toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
