// The inspector's data path on real Cell Painting data: pipeline → reconstructor → merge → metrics, checked
// against the metrics engine and an independent direct computation; difference maps; cancellation; the SD-VAE
// path with the tiny fixture VAE (KLD per tile, latents, seeded sampling).
#include "TestSupport.h"

#include "metrics/PixelMetrics.h"
#include "metrics/Ssim.h"
#include "models/Reconstructor.h"
#include "recon/ReconstructionReport.h"
#include "recon/SiteReconstruction.h"
#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QTemporaryDir>

#include <functional>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>

using namespace cprecon;

namespace {
Site realSite()
{
    const QString dir = test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1"));
    if (dir.isEmpty()) return {};
    const Screen s = openScreen(dir + QStringLiteral("/load_data.csv"));
    return s.plates.value(0).wells.value(0).sites.value(0);
}

// Straight from the definitions (PROTOCOL.md), independent of the metrics engine's optimised code.
double directMae(const cv::Mat &a, const cv::Mat &b)
{
    double s = 0;
    for (int y = 0; y < a.rows; ++y)
        for (int x = 0; x < a.cols; ++x) s += std::abs(double(a.at<uint8_t>(y, x)) - double(b.at<uint8_t>(y, x)));
    return s / double(a.total()) / 255.0;
}
// The same on the [0, 1] scale for two CV_32FC1 images (the original as x / 255 in float32).
cv::Mat unitScale(const cv::Mat &u8)
{
    cv::Mat f;
    u8.convertTo(f, CV_32F, 1.0 / 255.0);
    return f;
}
double directMaeFloat(const cv::Mat &a, const cv::Mat &b)
{
    double s = 0;
    for (int y = 0; y < a.rows; ++y)
        for (int x = 0; x < a.cols; ++x) s += std::abs(double(a.at<float>(y, x)) - double(b.at<float>(y, x)));
    return s / double(a.total());
}
double directEmdFloat(const cv::Mat &a, const cv::Mat &b)
{
    std::vector<double> va(a.begin<float>(), a.end<float>()), vb(b.begin<float>(), b.end<float>());
    std::sort(va.begin(), va.end());
    std::sort(vb.begin(), vb.end());
    double s = 0;
    for (size_t i = 0; i < va.size(); ++i) s += std::abs(va[i] - vb[i]);
    return s / double(va.size());
}
double directEmd(const cv::Mat &a, const cv::Mat &b)
{
    std::vector<double> va(a.begin<uint8_t>(), a.end<uint8_t>()), vb(b.begin<uint8_t>(), b.end<uint8_t>());
    std::sort(va.begin(), va.end());
    std::sort(vb.begin(), vb.end());
    double s = 0;
    for (size_t i = 0; i < va.size(); ++i) s += std::abs(va[i] - vb[i]);
    return s / double(va.size()) / 255.0;
}
} // namespace

class TestSiteReconstruction : public QObject {
    Q_OBJECT
    ModelPool m_models;
private Q_SLOTS:
    void identicalImagesGiveZeroDifference()
    {
        cv::Mat img(256, 256, CV_8U);
        cv::randu(img, 0, 255);
        StainReconstruction s;
        s.original = img;
        s.reconstruction = img.clone();
        const cv::Mat d = signedDifference(s);
        QCOMPARE(cv::countNonZero(d), 0);
        const auto m = tileMetrics(s.original, s.reconstruction, makeTileGrid(img.size(), 128));
        QCOMPARE(int(m.size()), 4);
        for (const auto &t : m) {
            QCOMPARE(t.mae, 0.0);
            QCOMPARE(t.emd, 0.0);
            QVERIFY(std::abs(t.ssim - 1.0) < 1e-12);
        }
    }

    void onePixelShiftShowsWhereItShould()
    {
        StainReconstruction s;
        s.original = cv::Mat::zeros(64, 64, CV_8U);
        s.original(cv::Rect(20, 30, 3, 3)).setTo(200);
        s.reconstruction = cv::Mat::zeros(64, 64, CV_8U);
        s.reconstruction(cv::Rect(21, 30, 3, 3)).setTo(200); // shifted one pixel right
        const cv::Mat d = signedDifference(s);
        QCOMPARE(d.type(), CV_16SC1);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                int expected = 0;
                if (y >= 30 && y < 33 && x == 20) expected = -200; // the block left this column
                if (y >= 30 && y < 33 && x == 23) expected = 200;  // and moved into this one
                QCOMPARE(int(d.at<int16_t>(y, x)), expected);
            }
        // A pure shift keeps the histogram: EMD 0, MAE not.
        const auto m = tileMetrics(s.original, s.reconstruction, makeTileGrid({64, 64}, 64));
        QCOMPARE(m.front().emd, 0.0);
        QVERIFY(std::abs(m.front().mae - 2.0 * 3 * 200 / (64.0 * 64.0) / 255.0) < 1e-12);
    }

    void bicubic8OnARealSiteMatchesTheMetricsEngine()
    {
        const Site site = realSite();
        if (site.channels.isEmpty()) CPRECON_MISSING(QStringLiteral("CPJUMP1 sample site not found"));
        ReconstructionRequest req;
        req.model = QStringLiteral("bicubic8");
        const SiteReconstruction r = reconstructSite(m_models, site, req, QStringLiteral("BR00117010/A01/1"));
        QCOMPARE(int(r.stains.size()), 5);
        QCOMPARE(r.grid.rows, 4);
        QCOMPARE(r.grid.cols, 4);
        QCOMPARE(r.stains[0].stain, QStringLiteral("DNA"));
        for (const auto &s : r.stains) {
            QCOMPARE(s.original.size(), cv::Size(1024, 1024));
            QCOMPARE(s.reconstruction.size(), cv::Size(1024, 1024));
            QCOMPARE(int(s.tiles.size()), 16);
            QVERIFY(s.mae > 0 && s.mae < 0.05);
            QVERIFY(s.ssim > 0.5 && s.ssim < 1.0);
            double mean = 0;
            QCOMPARE(s.reconstructionFloat.type(), CV_32FC1);
            double roundedMae = 0;
            for (const auto &t : s.tiles) {
                // Metrics are of the model's float output (the paper's inference script), not of the rounded uint8.
                const cv::Rect rect(t.col * 256, t.row * 256, 256, 256);
                const cv::Mat a = s.original(rect).clone(), b = s.reconstructionFloat(rect).clone(), a01 = unitScale(a);
                QVERIFY2(std::abs(t.mae - directMaeFloat(a01, b)) < 1e-12, qPrintable(QStringLiteral("%1 vs %2").arg(t.mae).arg(directMaeFloat(a01, b))));
                QVERIFY(std::abs(t.emd - directEmdFloat(a01, b)) < 1e-12);
                QCOMPARE(t.ssim, metrics::ssim(reinterpret_cast<const float *>(a01.data), reinterpret_cast<const float *>(b.data), 256, 256, 256, 1.0));
                roundedMae += directMae(a, s.reconstruction(rect).clone()) / 16;
                mean += t.mae / 16;
            }
            QVERIFY(std::abs(s.mae - mean) < 1e-12);
            qInfo("%s: MAE of the float output %.6f, of the rounded uint8 %.6f (%+.2f %%)", qPrintable(s.stain), s.mae, roundedMae,
                  100.0 * (roundedMae - s.mae) / s.mae);
            // Rounding to uint8 first would have given another number (up to 0.5/255 per pixel away).
            QVERIFY2(std::abs(roundedMae - s.mae) > 1e-6 && std::abs(roundedMae - s.mae) <= 0.5 / 255.0,
                     qPrintable(QStringLiteral("%1: float %2, rounded %3").arg(s.stain).arg(s.mae).arg(roundedMae)));
        }
        // The original is the pipeline's paper conversion of the raw image: floor(clip(raw / 256)).
        const cv::Mat raw = cv::imread(site.channel(QStringLiteral("DNA"))->path.toStdString(), cv::IMREAD_UNCHANGED);
        QCOMPARE(int(r.stains[0].original.at<uint8_t>(0, 0)), std::min(255, raw.at<uint16_t>(28, 28) / 256));
        for (const auto &t : r.triplets) QVERIFY(t.kld.empty()); // no posterior in a weight-free baseline
        QCOMPARE(r.triplets[0].stains, (QStringList{QStringLiteral("Mito"), QStringLiteral("AGP"), QStringLiteral("RNA")}));
    }

    void metricsCsvHoldsExactlyTheEngineValues()
    {
        const Site site = realSite();
        if (site.channels.isEmpty()) CPRECON_MISSING(QStringLiteral("CPJUMP1 sample site not found"));
        ReconstructionRequest req;
        req.model = QStringLiteral("jpeg:60");
        const SiteReconstruction r = reconstructSite(m_models, site, req, QStringLiteral("s"));
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("metrics.csv"));
        writeMetricsCsv(csv, {&r});
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("model,protocol,seed,site,level,name,tile_row,tile_col,mae,ssim,one_minus_ssim,emd,kld"));
        int tileRows = 0;
        for (const QString &line : lines.mid(1)) {
            const QStringList c = line.split(QLatin1Char(','));
            QCOMPARE(c.size(), 13);
            if (c[4] != QLatin1String("tile")) continue;
            ++tileRows;
            const StainReconstruction *s = r.stain(c[5]);
            QVERIFY(s);
            const int row = c[6].toInt(), col = c[7].toInt();
            const cv::Rect rect(col * 256, row * 256, 256, 256);
            const cv::Mat a = unitScale(s->original(rect).clone()), b = s->reconstructionFloat(rect).clone();
            const auto *pa = reinterpret_cast<const float *>(a.data), *pb = reinterpret_cast<const float *>(b.data);
            QVERIFY(std::abs(c[8].toDouble() - metrics::mae(pa, pb, a.total())) < 1e-9);
            QVERIFY(std::abs(c[9].toDouble() - metrics::ssim(pa, pb, 256, 256, 256, 1.0)) < 1e-9);
            QVERIFY(std::abs(c[10].toDouble() - (1.0 - c[9].toDouble())) < 1e-9);
            QVERIFY(std::abs(c[11].toDouble() - metrics::emd(pa, pb, a.total())) < 1e-9);
        }
        QCOMPARE(tileRows, 5 * 16);
    }

    void cancellingStopsBetweenBatches()
    {
        const Site site = realSite();
        if (site.channels.isEmpty()) CPRECON_MISSING(QStringLiteral("CPJUMP1 sample site not found"));
        std::atomic<bool> cancel{true};
        ReconstructionRequest req;
        // Cancellation is its own error type: a bad file or model (any other Error) would not pass this check.
        QVERIFY_THROWS_EXCEPTION(Canceled, reconstructSite(m_models, site, req, QStringLiteral("s"), &cancel));
        cancel = false;
        const SiteReconstruction done = reconstructSite(m_models, site, req, QStringLiteral("s"), &cancel);
        QVERIFY(!done.stains.empty());
    }

    void tinyVaeGivesKldLatentsAndSeededSamples()
    {
        const Site site = realSite();
        const QString vae = test::fixture(QStringLiteral("vae/tiny"));
        if (site.channels.isEmpty() || vae.isEmpty()) CPRECON_MISSING(QStringLiteral("data or VAE fixture not found"));
        ReconstructionRequest req;
        req.model = QStringLiteral("sd-vae:") + vae;
        req.pipeline.cropSize = 512; // 2x2 tiles: keeps the test fast
        const SiteReconstruction mean = reconstructSite(m_models, site, req, QStringLiteral("s"));
        QCOMPARE(int(mean.triplets.size()), 2);
        for (const auto &t : mean.triplets) {
            QCOMPARE(int(t.kld.size()), 4);
            for (double k : t.kld) QVERIFY(std::isfinite(k) && k > 0);
            QCOMPARE(int(t.latentChannels.size()), 4);               // 4 latent channels
            QCOMPARE(t.latentChannels[0].size(), cv::Size(64, 64)); // 2x2 tiles of 32x32 latents (factor 8)
        }
        req.protocol = Protocol::Paper;
        req.seed = 7;
        const SiteReconstruction s1 = reconstructSite(m_models, site, req, QStringLiteral("s"));
        const SiteReconstruction s2 = reconstructSite(m_models, site, req, QStringLiteral("s"));
        req.seed = 8;
        const SiteReconstruction s3 = reconstructSite(m_models, site, req, QStringLiteral("s"));
        QCOMPARE(cv::countNonZero(s1.stains[0].reconstruction != s2.stains[0].reconstruction), 0); // same seed: same pixels
        QVERIFY(cv::countNonZero(s1.stains[0].reconstruction != s3.stains[0].reconstruction) > 0);  // other seed: other sample
        QVERIFY(cv::countNonZero(s1.stains[0].reconstruction != mean.stains[0].reconstruction) > 0); // sample != mean
        // KLD depends on the posterior only, not on the sample.
        QCOMPARE(s1.triplets[0].kld, mean.triplets[0].kld);

        // Bug 5: the noise is the site's own and does not depend on the batch size. One tile per call and four
        // per call give the same sampled pixels; the same pixels under another site identity give other noise.
        req.seed = 7;
        req.batchSize = 1;
        const SiteReconstruction oneByOne = reconstructSite(m_models, site, req, QStringLiteral("s"));
        req.batchSize = 4;
        const SiteReconstruction allAtOnce = reconstructSite(m_models, site, req, QStringLiteral("s"));
        for (size_t k = 0; k < oneByOne.stains.size(); ++k) {
            const double diff = cv::norm(oneByOne.stains[k].reconstruction, allAtOnce.stains[k].reconstruction, cv::NORM_INF);
            QVERIFY2(diff <= 1.0, qPrintable(QStringLiteral("%1: batch 1 vs 4 differ by %2 grey levels (noise must not depend on batching)")
                                                 .arg(oneByOne.stains[k].stain).arg(diff)));
        }
        Site elsewhere = site;
        elsewhere.well = QStringLiteral("B02");
        const SiteReconstruction otherSite = reconstructSite(m_models, elsewhere, req, QStringLiteral("s"));
        QVERIFY2(cv::countNonZero(otherSite.stains[0].reconstruction != allAtOnce.stains[0].reconstruction) > 0,
                 "two sites must not share posterior noise");
    }

    void tileNoiseSeedsAreIndependentOfEachOther()
    {
        const uint64_t s = tileNoiseSeed(7, "P1/A01/1", 0, 3);
        QCOMPARE(tileNoiseSeed(7, "P1/A01/1", 0, 3), s); // a pure function of its inputs
        QVERIFY(tileNoiseSeed(8, "P1/A01/1", 0, 3) != s);
        QVERIFY(tileNoiseSeed(7, "P1/A01/2", 0, 3) != s);
        QVERIFY(tileNoiseSeed(7, "P1/A01/1", 1, 3) != s);
        QVERIFY(tileNoiseSeed(7, "P1/A01/1", 0, 4) != s);
    }

    void cacheKeysSeparateWhatChangesPixels()
    {
        ReconstructionRequest a;
        ReconstructionRequest b = a;
        b.seed = 5; // corrected protocol ignores the seed
        QCOMPARE(reconstructionCacheKey(QStringLiteral("s"), a), reconstructionCacheKey(QStringLiteral("s"), b));
        a.protocol = b.protocol = Protocol::Paper;
        QVERIFY(reconstructionCacheKey(QStringLiteral("s"), a) != reconstructionCacheKey(QStringLiteral("s"), b));
        b = a;
        b.model = QStringLiteral("jpeg:75");
        QVERIFY(reconstructionCacheKey(QStringLiteral("s"), a) != reconstructionCacheKey(QStringLiteral("s"), b));
        QVERIFY(reconstructionCacheKey(QStringLiteral("s"), a) != reconstructionCacheKey(QStringLiteral("t"), a));
        // Bug 4: every setting that can change a number is part of the key.
        const QString base = reconstructionCacheKey(QStringLiteral("s"), a);
        const std::vector<std::function<void(ReconstructionRequest &)>> changes{
            [](ReconstructionRequest &r) { r.batchSize = 3; },
            [](ReconstructionRequest &r) { r.device = QStringLiteral("cpu"); },
            [](ReconstructionRequest &r) { r.pipeline.stains = QStringList{QStringLiteral("DNA"), QStringLiteral("ER")}; },
            [](ReconstructionRequest &r) { r.pipeline.smallImage = SmallImagePolicy::Error; },
            [](ReconstructionRequest &r) { r.pipeline.invalidIllum = IllumInvalid::KeepRaw; },
            [](ReconstructionRequest &r) { r.pipeline.tileSize = 128; },
        };
        for (size_t i = 0; i < changes.size(); ++i) {
            ReconstructionRequest c = a;
            changes[i](c);
            QVERIFY2(reconstructionCacheKey(QStringLiteral("s"), c) != base, qPrintable(QStringLiteral("change %1 kept the key").arg(i)));
        }
    }
};

QTEST_GUILESS_MAIN(TestSiteReconstruction)
#include "tst_sitereconstruction.moc"
