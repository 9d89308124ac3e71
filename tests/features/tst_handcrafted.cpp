// Handcrafted (weight-free) feature extractor: names, determinism, invariances, GLCM vs a hand-checked example.
#include "TestSupport.h"
#include "features/HandcraftedFeatures.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <opencv2/core.hpp>

#include <cmath>
#include <random>

using namespace cprecon;
using namespace cprecon::features;

namespace {
int indexOf(const HandcraftedExtractor &e, const std::string &name)
{
    const auto &n = e.featureNames();
    const auto it = std::find(n.begin(), n.end(), name);
    return it == n.end() ? -1 : int(it - n.begin());
}
} // namespace

class TestHandcrafted : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void featureNamesAreFixed()
    {
        HandcraftedExtractor e;
        QCOMPARE(e.featureCount(), 5 * (9 + 3 * 5 + 6) + 10);
        QCOMPARE(e.featureNames().front(), std::string("DNA_Intensity_Mean"));
        QVERIFY(indexOf(e, "DNA_Texture_Contrast_d1") >= 0);
        QVERIFY(indexOf(e, "Mito_Texture_Entropy_d4") >= 0);
        QVERIFY(indexOf(e, "AGP_Granularity_6") >= 0);
        QCOMPARE(e.featureNames().back(), std::string("Corr_AGP_Mito"));
        QVERIFY(indexOf(e, "Corr_DNA_ER") >= 0);
    }
    void glcmMatchesHandComputedExample()
    {
        // The 4x4, 4-level example of skimage.feature.graycomatrix's documentation. Counts for offset (0, 1),
        // symmetric: [[4,2,1,0],[2,4,0,0],[1,0,6,1],[0,0,1,2]] / 24 (checked by hand and with skimage 0.19.3).
        const uint8_t img[16] = {0, 0, 1, 1, 0, 0, 1, 1, 0, 2, 2, 2, 2, 2, 3, 3};
        const std::vector<double> p = symmetricGlcm(img, 4, 4, 4, 4, 0, 1);
        const int expected[16] = {4, 2, 1, 0, 2, 4, 0, 0, 1, 0, 6, 1, 0, 0, 1, 2};
        for (int i = 0; i < 16; ++i) QVERIFY(std::abs(p[i] * 24 - expected[i]) < 1e-12);
        // skimage.feature.graycoprops values (angles 0, pi/4, pi/2, 3pi/4 = offsets (0,1), (1,1), (1,0), (1,-1));
        // entropy = -sum p log2 p
        const int offsets[4][2] = {{0, 1}, {1, 1}, {1, 0}, {1, -1}};
        const double contrast[4] = {0.5833333333333333, 1.777777777777778, 1.0, 0.4444444444444444};
        const double correlation[4] = {0.7195325542570952, 0.16279069767441853, 0.4857142857142859, 0.7352941176470589};
        const double energy[4] = {0.3818813079129867, 0.34246744460938755, 0.3726779962499649, 0.3849001794597505};
        const double homogeneity[4] = {0.8083333333333336, 0.5111111111111112, 0.6999999999999997, 0.7777777777777778};
        const double entropy[4] = {3.0220552088742, 3.1971597234241487, 3.0220552088742, 2.94770277922009};
        for (int a = 0; a < 4; ++a) {
            const GlcmProperties g = glcmProperties(symmetricGlcm(img, 4, 4, 4, 4, offsets[a][0], offsets[a][1]), 4);
            QVERIFY(std::abs(g.contrast - contrast[a]) < 1e-12);
            QVERIFY(std::abs(g.correlation - correlation[a]) < 1e-12);
            QVERIFY(std::abs(g.energy - energy[a]) < 1e-12);
            QVERIFY(std::abs(g.homogeneity - homogeneity[a]) < 1e-12);
            QVERIFY(std::abs(g.entropy - entropy[a]) < 1e-12);
        }
    }
    void constantImageInvariants()
    {
        HandcraftedExtractor e;
        std::vector<uint8_t> flat(64 * 64, 100), zero(64 * 64, 0);
        std::vector<const uint8_t *> ch{flat.data(), flat.data(), zero.data(), flat.data(), flat.data()};
        const auto f = e.extract(ch, 64, 64, 64);
        for (float v : f) QVERIFY(std::isfinite(v));
        QCOMPARE(f[indexOf(e, "DNA_Texture_Contrast_d1")], 0.f);
        QCOMPARE(f[indexOf(e, "DNA_Texture_Contrast_d4")], 0.f);
        QCOMPARE(f[indexOf(e, "DNA_Texture_Entropy_d2")], 0.f);
        QCOMPARE(f[indexOf(e, "DNA_Texture_Energy_d1")], 1.f);
        QCOMPARE(f[indexOf(e, "DNA_Texture_Homogeneity_d1")], 1.f);
        QCOMPARE(f[indexOf(e, "DNA_Intensity_SD")], 0.f);
        QCOMPARE(f[indexOf(e, "DNA_Intensity_Skewness")], 0.f);
        QVERIFY(std::abs(f[indexOf(e, "DNA_Intensity_Mean")] - 100.f / 255.f) < 1e-7f);
        QVERIFY(std::abs(f[indexOf(e, "DNA_Intensity_Q95")] - 100.f / 255.f) < 1e-7f);
        QCOMPARE(f[indexOf(e, "DNA_Granularity_1")], 0.f); // opening does not change a flat image
        QCOMPARE(f[indexOf(e, "RNA_Granularity_3")], 0.f); // black image: defined as 0, no NaN
        QCOMPARE(f[indexOf(e, "Corr_DNA_ER")], 0.f);       // constant channels: defined as 0
    }
    void knownIntensityStatisticsAndCorrelation()
    {
        // one channel with values 0..255 each 16 times; second = 255 - first (correlation -1)
        HandcraftedOptions o;
        o.channelNames = {"A", "B"};
        HandcraftedExtractor e(o);
        std::vector<uint8_t> a(64 * 64), b(64 * 64);
        for (int i = 0; i < 64 * 64; ++i) {
            a[i] = uint8_t(i % 256);
            b[i] = uint8_t(255 - a[i]);
        }
        const auto f = e.extract({a.data(), b.data()}, 64, 64, 64);
        QVERIFY(std::abs(f[indexOf(e, "A_Intensity_Mean")] - 0.5f) < 1e-6f);
        // numpy: np.percentile(np.repeat(np.arange(256), 16), 25) = 63.75
        QVERIFY(std::abs(f[indexOf(e, "A_Intensity_Q25")] - 63.75f / 255.f) < 1e-6f);
        QVERIFY(std::abs(f[indexOf(e, "A_Intensity_Median")] - 127.5f / 255.f) < 1e-6f);
        QVERIFY(std::abs(f[indexOf(e, "A_Intensity_Skewness")]) < 1e-6f);        // symmetric distribution
        QVERIFY(std::abs(f[indexOf(e, "A_Intensity_Kurtosis")] + 1.2f) < 1e-3f); // uniform: -1.2
        QVERIFY(std::abs(f[indexOf(e, "Corr_A_B")] + 1.f) < 1e-6f);
    }
    void deterministicAndBatchConsistentOnRealTiles()
    {
        CPRECON_REQUIRE_PATH(path, test::fixture(QStringLiteral("metrics/images.safetensors")));
        SafetensorsFile f(path.toStdString());
        const auto tiles = f.toU8("orig_u8"); // 4 x 5 x 256 x 256, channels DNA, ER, RNA, AGP, Mito
        HandcraftedExtractor e;
        const auto batch = test::withThreads(3, [&] { return e.extractBatch(tiles.data(), 4, 256, 256); });
        const auto again = test::withThreads(1, [&] { return e.extractBatch(tiles.data(), 4, 256, 256); });
        QCOMPARE(batch, again);
        std::vector<cv::Mat> mats;
        for (int c = 0; c < 5; ++c)
            mats.emplace_back(256, 256, CV_8UC1, const_cast<uint8_t *>(tiles.data() + size_t(2 * 5 + c) * 65536));
        const auto single = e.extract(mats);
        QVERIFY(std::equal(single.begin(), single.end(), batch.begin() + 2 * e.featureCount()));
        for (float v : batch) QVERIFY(std::isfinite(v));
        // real cells have texture and granularity
        QVERIFY(single[indexOf(e, "DNA_Texture_Contrast_d1")] > 0);
        QVERIFY(single[indexOf(e, "DNA_Granularity_1")] > 0);
    }
    void badInputs()
    {
        HandcraftedExtractor e;
        std::vector<uint8_t> t(32 * 32, 1);
        QVERIFY_THROWS_EXCEPTION(Error, e.extract({t.data(), t.data()}, 32, 32, 32)); // 2 of 5 channels
        QVERIFY_THROWS_EXCEPTION(Error, e.extract({t.data(), t.data(), t.data(), t.data(), t.data()}, 8, 8, 8));
        std::vector<cv::Mat> m(5, cv::Mat(32, 32, CV_32FC1, cv::Scalar(0)));
        QVERIFY_THROWS_EXCEPTION(Error, e.extract(m));
        HandcraftedOptions o;
        o.textureDistances = {0};
        QVERIFY_THROWS_EXCEPTION(Error, HandcraftedExtractor{o});
    }
};

QTEST_GUILESS_MAIN(TestHandcrafted)
#include "tst_handcrafted.moc"
