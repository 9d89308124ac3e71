// The whole site pipeline on real sites: Phenix 16-bit (with an illumination function on DNA, checked against a
// numpy reference), BBBC022 8-bit PNGs (crop clamp, partial tiles), and the error paths.
#include "TestSupport.h"
#include "image/NpyWriter.h"
#include "image/SitePipeline.h"
#include "util/Error.h"

#include <QDir>
#include <QTemporaryDir>

using namespace cprecon;

namespace {

Site cpjumpSite(const QString &folder)
{
    // CPJUMP1 source_4: ch1 Mito, ch2 AGP, ch3 RNA, ch4 ER, ch5 DNA
    const QStringList stains{"Mito", "AGP", "RNA", "ER", "DNA"};
    Site s;
    for (int ch = 1; ch <= 5; ++ch) {
        ChannelImage c;
        c.stain = stains[ch - 1];
        c.channelNumber = ch;
        c.path = QDir(folder).filePath(QStringLiteral("r01c01f01p01-ch%1sk1fk1fl1.tiff").arg(ch));
        s.channels.push_back(c);
    }
    return s;
}

long long sum8(const cv::Mat &m)
{
    return static_cast<long long>(cv::sum(m)[0]);
}

} // namespace

class TestSitePipeline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void phenixPaperPath()
    {
        CPRECON_REQUIRE_PATH(folder, test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1")));
        QTemporaryDir tmp;
        // Analytic illumination function for DNA only (same formula as the numpy reference in tst_conversion).
        cv::Mat f(1080, 1080, CV_64FC1);
        for (int y = 0; y < 1080; ++y)
            for (int x = 0; x < 1080; ++x) f.at<double>(y, x) = 0.8 + 0.4 * x / 1079.0 - 0.1 * y / 1079.0;
        const QString illum = tmp.filePath(QStringLiteral("BR00117010_IllumDNA.npy"));
        writeNpy(illum, f);
        Site site = cpjumpSite(folder);
        site.channels[4].illumPath = illum;

        const SiteStack st = loadSiteStack(site, PipelineOptions{}, QStringLiteral("BR00117010/A01/1"));
        QCOMPARE(int(st.stains.size()), 5);
        QCOMPARE(st.stains[0].stain, QStringLiteral("DNA")); // cellPaintingStains() order, not file order
        QCOMPARE(st.imageSize, cv::Size(1080, 1080));
        QCOMPARE(st.cropRect, cv::Rect(28, 28, 1024, 1024));
        QCOMPARE(st.grid.count(), 16);
        const StainImage &dna = st.stain(QStringLiteral("DNA"));
        QVERIFY(dna.illuminated);
        QCOMPARE(dna.raw.type(), CV_16UC1);
        QCOMPARE(dna.corrected.type(), CV_64FC1);
        QCOMPARE(dna.cropped.size(), cv::Size(1024, 1024));
        // numpy: u = np.clip((a / f) / 256, 0, 255).astype(np.uint8); u.sum() = 6077005,
        // u[28:1052, 28:1052].sum() = 5758696, that crop's tile (1, 3) = [256:512, 768:1024] sums to 419479
        QCOMPARE(sum8(dna.u8), 6077005LL);
        QCOMPARE(sum8(dna.cropped), 5758696LL);
        QCOMPARE(sum8(st.tile(QStringLiteral("DNA"), 1, 3)), 419479LL);
        // the other stains had no function: left raw, and the stack says so
        QVERIFY(!st.stain(QStringLiteral("Mito")).illuminated);
        QVERIFY(st.stain(QStringLiteral("Mito")).corrected.empty());
        QVERIFY(st.notes.join(' ').contains(QStringLiteral("no illumination function for ER, RNA, AGP, Mito")));
        // illumination none: DNA equals raw >> 8 (numpy paper sum of the raw image: 5688631)
        PipelineOptions none;
        none.illumination = IlluminationMode::None;
        const SiteStack raw = loadSiteStack(site, none);
        QVERIFY(!raw.stain(QStringLiteral("DNA")).illuminated);
        QCOMPARE(sum8(raw.stain(QStringLiteral("DNA")).u8), 5688631LL);

        // tiles and triplets: tile (r, c) of a stain = converted full image at (28 + 256 r, 28 + 256 c)
        const auto [a, b] = st.tripletTiles(2, 1);
        QCOMPARE(a.type(), CV_8UC3);
        QCOMPARE(a.size(), cv::Size(256, 256));
        const cv::Rect r(28 + 256, 28 + 512, 256, 256);
        cv::Mat plane;
        cv::extractChannel(a, plane, 0);
        QCOMPARE(cv::norm(plane, st.stain(QStringLiteral("Mito")).u8(r), cv::NORM_INF), 0.0);
        cv::extractChannel(b, plane, 2);
        QCOMPARE(cv::norm(plane, st.stain(QStringLiteral("DNA")).u8(r), cv::NORM_INF), 0.0);
        QCOMPARE(int(st.tiles(QStringLiteral("AGP")).size()), 16);
        QCOMPARE(st.tileStains(0, 0).size(), 5);

        // memory-saving mode keeps only the uint8 images
        PipelineOptions lean;
        lean.keepIntermediates = false;
        const SiteStack l = loadSiteStack(site, lean);
        QVERIFY(l.stain(QStringLiteral("DNA")).raw.empty() && l.stain(QStringLiteral("DNA")).corrected.empty());
        QCOMPARE(sum8(l.stain(QStringLiteral("DNA")).cropped), 5758696LL);
    }

    void bbbcPngSite()
    {
        CPRECON_REQUIRE_PATH(folder, test::data(QStringLiteral("cellpainting/bbbc022_20585_A01_s2_png")));
        // BBBC022: w1 DNA (Hoechst), w2 ER (ConA), w3 RNA (SYTO14), w4 AGP (phalloidin/WGA), w5 Mito
        const QStringList stains{"DNA", "ER", "RNA", "AGP", "Mito"};
        Site site;
        site.number = 2;
        for (const QString &file : QDir(folder).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name)) {
            const int w = file.mid(file.indexOf(QStringLiteral("_w")) + 2, 1).toInt();
            site.channels.push_back({stains[w - 1], QDir(folder).filePath(file), {}, w, -1});
        }
        QCOMPARE(site.channels.size(), 5);
        const SiteStack st = loadSiteStack(site, PipelineOptions{});
        QCOMPARE(st.imageSize, cv::Size(696, 520));
        QCOMPARE(st.cropRect, cv::Rect(0, 0, 696, 520)); // clamp policy: smaller than 1024, kept whole
        QVERIFY(st.notes.join(' ').contains(QStringLiteral("smaller than the 1024 crop")));
        QCOMPARE(st.grid.count(), 4); // drop: 2x2
        const StainImage &dna = st.stain(QStringLiteral("DNA"));
        QCOMPARE(dna.sourceDepth, CV_8U);
        QCOMPARE(cv::norm(dna.u8, dna.raw, cv::NORM_INF), 0.0); // 8-bit passes through
        // files_manifest.csv: w1 mean 16.95
        QVERIFY(std::abs(cv::mean(dna.u8)[0] - 16.95) <= 0.005 + 1e-9);

        PipelineOptions pad;
        pad.cropSize = 512;
        pad.partialTiles = PartialTilePolicy::PadReflect;
        pad.tileSize = 200;
        const SiteStack p = loadSiteStack(site, pad);
        QCOMPARE(p.cropRect, cv::Rect(92, 4, 512, 512));
        QCOMPARE(p.grid.rows, 3);
        QCOMPARE(p.grid.cols, 3);
        QCOMPARE(p.tile(QStringLiteral("ER"), 2, 2).size(), cv::Size(200, 200));

        PipelineOptions strict;
        strict.smallImage = SmallImagePolicy::Error;
        QVERIFY_THROWS_EXCEPTION(Error, loadSiteStack(site, strict));
    }

    void errorsNameSiteAndStain()
    {
        CPRECON_REQUIRE_PATH(folder, test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1")));
        Site site = cpjumpSite(folder);
        site.channels.removeAt(3); // no ER
        try {
            loadSiteStack(site, PipelineOptions{}, QStringLiteral("P1/A01/1"));
            QFAIL("missing stain accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("site P1/A01/1 has no ER channel")), e.what());
        }

        site = cpjumpSite(folder);
        site.channels[1].path = QDir(folder).filePath(QStringLiteral("missing.tiff"));
        try {
            loadSiteStack(site, PipelineOptions{}, QStringLiteral("P1/A01/1"));
            QFAIL("missing file accepted");
        } catch (const Error &e) {
            const QString w = QString::fromStdString(e.what());
            QVERIFY2(w.contains(QStringLiteral("AGP")) && w.contains(QStringLiteral("missing.tiff")) && w.contains(QStringLiteral("not found")), e.what());
        }

        const QString bbbc = test::data(QStringLiteral("cellpainting/bbbc022_20585_dna_only/IXMtest_A01_s1_w164FBEEF7-F77C-4892-86F5-72D0160D4FB2.tif"));
        if (!bbbc.isEmpty()) {
            site = cpjumpSite(folder);
            site.channels[0].path = bbbc; // Mito from another instrument
            try {
                loadSiteStack(site, PipelineOptions{});
                QFAIL("size mismatch accepted");
            } catch (const Error &e) {
                QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("696x520")), e.what());
            }
        }

        QTemporaryDir tmp;
        const QString small = tmp.filePath(QStringLiteral("small_IllumDNA.npy"));
        writeNpy(small, cv::Mat(100, 100, CV_64FC1, cv::Scalar(1.0)));
        site = cpjumpSite(folder);
        site.channels[4].illumPath = small;
        try {
            loadSiteStack(site, PipelineOptions{}, QStringLiteral("P1/A01/1"));
            QFAIL("illumination size mismatch accepted");
        } catch (const Error &e) {
            const QString w = QString::fromStdString(e.what());
            QVERIFY2(w.contains(QStringLiteral("DNA")) && w.contains(QStringLiteral("100x100")) && w.contains(QStringLiteral("1080x1080")), e.what());
        }
        PipelineOptions none;
        none.illumination = IlluminationMode::None; // the bad function is not even read
        QCOMPARE(loadSiteStack(site, none).grid.count(), 16);
    }
};

QTEST_GUILESS_MAIN(TestSitePipeline)
#include "tst_sitepipeline.moc"
