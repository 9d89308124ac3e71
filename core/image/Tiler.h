#pragma once
// Cutting a (cropped) image into a grid of square tiles; the paper: 1024x1024 -> 4x4 tiles of 256x256.
//
// Tile (row, col), both from 0, covers pixels [row*t, row*t + t) x [col*t, col*t + t) of the image (t = tile size),
// row-major order (row 0 = top). When the image size is not a multiple of t, PartialTilePolicy decides:
//   Drop       -> only whole tiles: rows = floor(H / t), cols = floor(W / t); the bottom/right remainder is unused
//                 (an image smaller than one tile is an Error: no tile fits);
//   PadReflect -> rows = ceil(H / t), cols = ceil(W / t); the image is first padded at the bottom/right to
//                 rows*t x cols*t by mirror reflection without repeating the edge pixel (cv::BORDER_REFLECT_101,
//                 = numpy.pad(mode='reflect')), so edge tiles hold real pixels plus their mirror image;
//   Error      -> cprecon::Error naming the file, the image size and the tile size.
#include <QString>

#include <opencv2/core.hpp>

#include <vector>

namespace cprecon {

enum class PartialTilePolicy { Drop, PadReflect, Error };

// "drop" / "pad-reflect" / "error" (throws Error on anything else), and back.
PartialTilePolicy parsePartialTilePolicy(const QString &text);
QString partialTilePolicyName(PartialTilePolicy policy);

struct TileGrid {
    cv::Size image;   // the image being tiled
    int tileSize = 256;
    int rows = 0, cols = 0;
    PartialTilePolicy policy = PartialTilePolicy::Drop;
    int count() const { return rows * cols; }
    // Pixels of tile (row, col) inside the image (smaller than tileSize x tileSize for padded edge tiles).
    cv::Rect sourceRect(int row, int col) const;
    bool padded() const { return rows * tileSize > image.height || cols * tileSize > image.width; }
};

// `file` only names the image in error messages.
TileGrid makeTileGrid(cv::Size image, int tileSize, PartialTilePolicy policy = PartialTilePolicy::Error,
                      const QString &file = {});

struct Tile {
    int row = 0, col = 0;
    cv::Mat image; // tileSize x tileSize; a view into the source unless padding was needed
};

// One tile (a view into img when no padding is involved, otherwise a padded copy).
cv::Mat extractTile(const cv::Mat &img, const TileGrid &grid, int row, int col);

// All tiles, row-major (pads the image once in PadReflect mode).
std::vector<Tile> cutTiles(const cv::Mat &img, const TileGrid &grid);

} // namespace cprecon
