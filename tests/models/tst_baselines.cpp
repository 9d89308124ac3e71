// Weight-free reconstruction baselines: exact kernels (against torch F.interpolate antialias numbers),
// invariants (constant in -> constant out), JPEG quality ordering, compression bookkeeping, factory errors.
#include "TestSupport.h"
#include "models/Bicubic8.h"
#include "models/JpegCodec.h"
#include "models/PcaPatches.h"
#include "models/Reconstructor.h"
#include "util/Error.h"

#include <cmath>

using namespace cprecon;

namespace {
HostTensor image(int n, int h, int w, const std::function<float(int, int, int, int)> &f)
{
    HostTensor t;
    t.shape = {n, 3, h, w};
    t.values.resize(static_cast<size_t>(n) * 3 * h * w);
    size_t i = 0;
    for (int a = 0; a < n; ++a)
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) t.values[i++] = f(a, c, y, x);
    return t;
}

double maxAbsDiff(const HostTensor &a, const HostTensor &b)
{
    double m = 0;
    for (size_t i = 0; i < a.values.size(); ++i) m = std::max(m, std::abs(double(a.values[i]) - b.values[i]));
    return m;
}

double mae(const HostTensor &a, const HostTensor &b)
{
    double s = 0;
    for (size_t i = 0; i < a.values.size(); ++i) s += std::abs(double(a.values[i]) - b.values[i]);
    return s / a.values.size();
}

// A smooth "cell-like" test pattern: blobs on a gradient, values inside [0.05, 0.95].
HostTensor blobs(int n, int size)
{
    return image(n, size, size, [&](int a, int c, int y, int x) {
        const double u = double(x) / size, v = double(y) / size;
        const double b = std::exp(-((u - 0.3 - 0.1 * a) * (u - 0.3 - 0.1 * a) + (v - 0.6) * (v - 0.6)) / 0.02);
        return static_cast<float>(0.05 + 0.5 * u * (c + 1) / 3 + 0.4 * b);
    });
}
} // namespace

class TestBaselines : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resizeMatchesTorchAntialiasedBicubic()
    {
        // Reference: torch 1.13.1 F.interpolate(x, size, mode="bicubic", antialias=True, align_corners=False)
        // for x = arange(32).reshape(1,1,4,8) ** 1.5 / 30 (down to 2x3, then up to 5x7).
        HostTensor x;
        x.shape = {1, 1, 4, 8};
        for (int i = 0; i < 32; ++i) x.values.push_back(static_cast<float>(std::pow(double(i), 1.5) / 30));
        const std::vector<float> down = {0.545131f, 0.863738f, 1.251454f, 3.066686f, 3.670318f, 4.307561f};
        const std::vector<float> up = {
            0.267434f, 0.319686f, 0.433702f, 0.585728f, 0.764913f, 0.916952f, 0.983631f, 0.677988f, 0.738829f,
            0.872289f, 1.04771f,  1.248105f, 1.416529f, 1.490636f, 1.76157f,  1.845079f, 2.029861f, 2.267028f,
            2.523402f, 2.735073f, 2.828784f, 2.845153f, 2.95133f,  3.187432f, 3.486346f, 3.7987f,   4.053617f,
            4.166933f, 3.255707f, 3.370473f, 3.62602f,  3.948329f, 4.281893f, 4.553195f, 4.673939f};
        const HostTensor d = resizeBicubicAntialiased(x, 2, 3);
        for (size_t i = 0; i < down.size(); ++i) QVERIFY2(std::abs(d.values[i] - down[i]) < 2e-6, qPrintable(QString::number(i)));
        const HostTensor u = resizeBicubicAntialiased(d, 5, 7);
        for (size_t i = 0; i < up.size(); ++i) QVERIFY2(std::abs(u.values[i] - up[i]) < 2e-6, qPrintable(QString::number(i)));
    }
    void bicubicOfConstantIsConstant()
    {
        BicubicReconstructor b;
        const HostTensor x = image(2, 256, 256, [](int, int c, int, int) { return (100.f + c) / 255.f; });
        const Reconstruction r = b.reconstruct(x);
        QCOMPARE(r.images.shape, x.shape);
        QVERIFY(maxAbsDiff(r.images, x) < 1e-6);
    }
    void bicubicCompressionAndQuality()
    {
        BicubicReconstructor b;
        QCOMPARE(b.name(), std::string("bicubic8"));
        QCOMPARE(b.latentValues(256, 256), 3.0 * 32 * 32); // 64x fewer values than 3x256x256
        const HostTensor x = blobs(2, 256);
        const Reconstruction r = b.reconstruct(x);
        QCOMPARE(r.compressedValuesPerTile, 3072.0);
        const double err = mae(r.images, x);
        QVERIFY2(err > 0 && err < 0.01, qPrintable(QString::number(err))); // smooth image: small but not zero
        for (float v : r.images.values) QVERIFY(v >= 0.f && v <= 1.f);
        BicubicReconstructor b48(std::sqrt(48.0)); // same number of values as the SD-VAE latent (4x32x32)
        QCOMPARE(b48.lowResSize(256), 37);
        QVERIFY(std::abs(3.0 * 256 * 256 / b48.latentValues(256, 256) - 47.87) < 0.01); // 65536 / 37^2
        QVERIFY(mae(b48.reconstruct(x).images, x) < err); // less compression, better
    }
    void jpegQualityOrdering()
    {
        const HostTensor x = blobs(3, 64);
        JpegReconstructor q100(100), q90(90), q10(10);
        const Reconstruction r100 = q100.reconstruct(x), r90 = q90.reconstruct(x), r10 = q10.reconstruct(x);
        QVERIFY2(maxAbsDiff(r100.images, x) < 0.03, qPrintable(QString::number(maxAbsDiff(r100.images, x))));
        QVERIFY(mae(r100.images, x) < mae(r90.images, x) && mae(r90.images, x) < mae(r10.images, x));
        QVERIFY(r100.compressedBytesPerTile > r90.compressedBytesPerTile && r90.compressedBytesPerTile > r10.compressedBytesPerTile);
        QVERIFY(r10.compressedBytesPerTile > 100 && r10.compressedBytesPerTile < 3 * 64 * 64);
        // channel order survives (RGB planes -> BGR pixels -> RGB planes): a pure red tile stays red
        const HostTensor red = image(1, 32, 32, [](int, int c, int, int) { return c == 0 ? 0.9f : 0.1f; });
        const HostTensor rr = q100.reconstruct(red).images;
        QVERIFY(rr.values[0] > 0.8f && rr.values[32 * 32] < 0.2f && rr.values[2 * 32 * 32] < 0.2f);
    }
    void pcaPatches()
    {
        // all components kept: lossless up to float rounding
        const HostTensor x = blobs(2, 16);
        QVERIFY(maxAbsDiff(PcaPatchReconstructor(2, 12).reconstruct(x).images, x) < 1e-5);
        // patches from a rank-1 family (mean + a * pattern) come back exactly with one component
        const HostTensor r1 = image(2, 32, 32, [](int a, int c, int y, int x) {
            const float amp = static_cast<float>(((a * 7 + (y / 8) * 3 + (x / 8)) % 5)) / 10.f;
            return 0.3f + amp * static_cast<float>((c + 1) * ((y % 8) + (x % 8))) / 60.f;
        });
        QVERIFY(maxAbsDiff(PcaPatchReconstructor(8, 1).reconstruct(r1).images, r1) < 1e-5);
        // pca8 keeps exactly the SD-VAE latent's count (4 x 32 x 32 for 256 x 256: 48x)
        const auto pca8 = makeReconstructor("pca8");
        QCOMPARE(pca8->latentValues(256, 256), 4096.0);
        const HostTensor big = blobs(2, 256);
        const Reconstruction r = pca8->reconstruct(big);
        QVERIFY(mae(r.images, big) < 0.02);
        QVERIFY_THROWS_EXCEPTION(Error, pca8->reconstruct(blobs(1, 60)));
    }
    void factoryNamesAndErrors()
    {
        QCOMPARE(makeReconstructor("bicubic8")->name(), std::string("bicubic8"));
        QCOMPARE(makeReconstructor("bicubic:4")->latentValues(256, 256), 3.0 * 64 * 64);
        QCOMPARE(makeReconstructor("jpeg:75")->name(), std::string("jpeg:75"));
        for (const auto &n : builtinReconstructors()) QVERIFY(makeReconstructor(n) != nullptr);
        for (const char *bad : {"jpeg:0", "jpeg:abc", "jpeg:75.5", "bicubic:0.5", "sd-vae:", "vqgan", "pca:8", "pca:8:0", "pca:8:1.5"}) {
            try {
                makeReconstructor(bad);
                QFAIL(bad);
            } catch (const Error &e) {
                QVERIFY(!std::string(e.what()).empty());
            }
        }
        const std::vector<uint8_t> u8{0, 128, 255};
        QCOMPARE(toU8(fromU8(u8, {3})), u8);
    }
};

QTEST_GUILESS_MAIN(TestBaselines)
#include "tst_baselines.moc"
