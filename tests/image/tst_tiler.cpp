// Centre crop and tile geometry on the real images: 1080 -> 1024 -> 4x4 x 256², exact pixel correspondence,
// and the partial-tile policies on the 696x520 BBBC022 images.
#include "TestSupport.h"
#include "image/Crop.h"
#include "image/ImageReader.h"
#include "image/Tiler.h"
#include "util/Error.h"

using namespace cprecon;

namespace {
// numpy.pad(mode='reflect') index rule for one reflection: i in [n, 2n-2] -> 2(n-1) - i.
int reflect101(int i, int n)
{
    return i < n ? i : 2 * (n - 1) - i;
}
} // namespace

class TestTiler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cropRects()
    {
        QCOMPARE(centreCropRect({1080, 1080}, 1024), cv::Rect(28, 28, 1024, 1024));
        QCOMPARE(centreCropRect({1081, 1080}, 1024), cv::Rect(28, 28, 1024, 1024)); // floor(57 / 2)
        QCOMPARE(centreCropRect({1080, 1080}, 0), cv::Rect(0, 0, 1080, 1080));
        QCOMPARE(centreCropRect({696, 520}, 1024, SmallImagePolicy::Clamp), cv::Rect(0, 0, 696, 520));
        QCOMPARE(centreCropRect({696, 520}, 512, SmallImagePolicy::Clamp), cv::Rect(92, 4, 512, 512));
        try {
            centreCropRect({696, 520}, 1024, SmallImagePolicy::Error, QStringLiteral("small.tif"));
            QFAIL("small image accepted");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("small.tif: image is 696x520")), e.what());
        }
    }

    void phenixSixteenTiles()
    {
        CPRECON_REQUIRE_PATH(path, test::data(QStringLiteral("cellpainting/cpjump1_BR00117010_A01_s1/r01c01f01p01-ch2sk1fk1fl1.tiff")));
        const cv::Mat img = readImageFile(path);
        const cv::Mat crop = centreCrop(img, 1024);
        QCOMPARE(crop.size(), cv::Size(1024, 1024));
        const TileGrid g = makeTileGrid(crop.size(), 256, PartialTilePolicy::Error);
        QCOMPARE(g.rows, 4);
        QCOMPARE(g.cols, 4);
        QCOMPARE(g.count(), 16);
        QVERIFY(!g.padded());
        const auto tiles = cutTiles(crop, g);
        QCOMPARE(int(tiles.size()), 16);
        for (int i = 0; i < 16; ++i) {
            const Tile &t = tiles[size_t(i)];
            QCOMPARE(t.row, i / 4); // row-major
            QCOMPARE(t.col, i % 4);
            QCOMPARE(t.image.size(), cv::Size(256, 256));
            // every pixel is the source pixel at (28 + 256 row + y, 28 + 256 col + x)
            for (int y = 0; y < 256; ++y)
                for (int x = 0; x < 256; ++x)
                    if (t.image.at<ushort>(y, x) != img.at<ushort>(28 + 256 * t.row + y, 28 + 256 * t.col + x))
                        QFAIL(qPrintable(QStringLiteral("tile (%1,%2) pixel (%3,%4) differs").arg(t.row).arg(t.col).arg(y).arg(x)));
            QCOMPARE(cv::norm(extractTile(crop, g, t.row, t.col), t.image, cv::NORM_INF), 0.0);
        }
        // the 16 tiles cover the crop exactly once
        double total = 0;
        for (const auto &t : tiles) total += cv::sum(t.image)[0];
        QCOMPARE(total, cv::sum(crop)[0]);
        QVERIFY_THROWS_EXCEPTION(Error, extractTile(crop, g, 4, 0));
        QVERIFY_THROWS_EXCEPTION(Error, extractTile(crop, g, 0, -1));
        // other tile sizes
        QCOMPARE(makeTileGrid(crop.size(), 512, PartialTilePolicy::Error).count(), 4);
        QCOMPARE(makeTileGrid(crop.size(), 128, PartialTilePolicy::Error).count(), 64);
    }

    void partialTilesOnBbbc()
    {
        CPRECON_REQUIRE_PATH(path, test::data(QStringLiteral("cellpainting/bbbc022_20585_dna_only/IXMtest_A01_s1_w164FBEEF7-F77C-4892-86F5-72D0160D4FB2.tif")));
        const cv::Mat img = readImageFile(path);
        QCOMPARE(img.size(), cv::Size(696, 520));

        // error: names the file and sizes
        try {
            makeTileGrid(img.size(), 256, PartialTilePolicy::Error, path);
            QFAIL("partial tiles accepted under the error policy");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("696x520")), e.what());
            QCOMPARE(QString::fromStdString(e.file()), path);
        }

        // drop: 2x2 whole tiles from the top-left, remainder unused
        const TileGrid drop = makeTileGrid(img.size(), 256, PartialTilePolicy::Drop);
        QCOMPARE(drop.rows, 2);
        QCOMPARE(drop.cols, 2);
        const auto dropped = cutTiles(img, drop);
        QCOMPARE(int(dropped.size()), 4);
        QCOMPARE(cv::norm(dropped[3].image, img(cv::Rect(256, 256, 256, 256)), cv::NORM_INF), 0.0);

        // pad-reflect: 3x3, edge tiles = real pixels + numpy 'reflect' padding
        const TileGrid pad = makeTileGrid(img.size(), 256, PartialTilePolicy::PadReflect);
        QCOMPARE(pad.rows, 3);
        QCOMPARE(pad.cols, 3);
        QVERIFY(pad.padded());
        QCOMPARE(pad.sourceRect(2, 2), cv::Rect(512, 512, 184, 8));
        const auto padded = cutTiles(img, pad);
        QCOMPARE(int(padded.size()), 9);
        for (const auto &t : padded) {
            QCOMPARE(t.image.size(), cv::Size(256, 256));
            const cv::Mat single = extractTile(img, pad, t.row, t.col);
            QCOMPARE(cv::norm(single, t.image, cv::NORM_INF), 0.0);
            for (int y = 0; y < 256; y += 5)
                for (int x = 0; x < 256; x += 3) {
                    const int sy = reflect101(256 * t.row + y, img.rows), sx = reflect101(256 * t.col + x, img.cols);
                    QCOMPARE(t.image.at<ushort>(y, x), img.at<ushort>(sy, sx));
                }
        }

        // a crop that is itself a view into a bigger image must not pick up pixels outside the crop when padding
        const cv::Mat view = img(cv::Rect(100, 100, 300, 300));
        const TileGrid g2 = makeTileGrid(view.size(), 256, PartialTilePolicy::PadReflect);
        const cv::Mat t11 = extractTile(view, g2, 1, 1);
        QCOMPARE(t11.at<ushort>(44, 44), view.at<ushort>(reflect101(300, 300), reflect101(300, 300)));

        // smaller than one tile
        QVERIFY_THROWS_EXCEPTION(Error, makeTileGrid({100, 100}, 256, PartialTilePolicy::Drop));
        QCOMPARE(makeTileGrid({100, 100}, 256, PartialTilePolicy::PadReflect).count(), 1);
        QVERIFY_THROWS_EXCEPTION(Error, makeTileGrid({100, 100}, 0, PartialTilePolicy::Drop));
    }

    void policyNames()
    {
        for (auto p : {PartialTilePolicy::Drop, PartialTilePolicy::PadReflect, PartialTilePolicy::Error})
            QCOMPARE(parsePartialTilePolicy(partialTilePolicyName(p)), p);
        QVERIFY_THROWS_EXCEPTION(Error, parsePartialTilePolicy(QStringLiteral("wrap")));
    }
};

QTEST_GUILESS_MAIN(TestTiler)
#include "tst_tiler.moc"
