#include "image/Tiler.h"

#include "util/Error.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <string>

namespace cprecon {

PartialTilePolicy parsePartialTilePolicy(const QString &text)
{
    if (text == QLatin1String("drop")) return PartialTilePolicy::Drop;
    if (text == QLatin1String("pad-reflect")) return PartialTilePolicy::PadReflect;
    if (text == QLatin1String("error")) return PartialTilePolicy::Error;
    throw Error("unknown partial-tile policy '" + text.toStdString() + "'", "", "use drop, pad-reflect or error");
}

QString partialTilePolicyName(PartialTilePolicy policy)
{
    switch (policy) {
    case PartialTilePolicy::Drop: return QStringLiteral("drop");
    case PartialTilePolicy::PadReflect: return QStringLiteral("pad-reflect");
    case PartialTilePolicy::Error: break;
    }
    return QStringLiteral("error");
}

cv::Rect TileGrid::sourceRect(int row, int col) const
{
    if (row < 0 || row >= rows || col < 0 || col >= cols)
        throw Error("tile (" + std::to_string(row) + ", " + std::to_string(col) + ") outside the "
                        + std::to_string(rows) + "x" + std::to_string(cols) + " grid",
                    "", "tile rows and columns count from 0");
    const cv::Rect full(col * tileSize, row * tileSize, tileSize, tileSize);
    return full & cv::Rect(0, 0, image.width, image.height);
}

TileGrid makeTileGrid(cv::Size image, int tileSize, PartialTilePolicy policy, const QString &file)
{
    if (tileSize <= 0)
        throw Error("tile size must be positive (got " + std::to_string(tileSize) + ")", "", "e.g. --tile-size 256");
    if (image.width <= 0 || image.height <= 0)
        throw Error("cannot tile an empty image", file.toStdString(), "check that the image was read");
    TileGrid g;
    g.image = image;
    g.tileSize = tileSize;
    g.policy = policy;
    const bool exact = image.width % tileSize == 0 && image.height % tileSize == 0;
    const std::string dims = std::to_string(image.width) + "x" + std::to_string(image.height);
    switch (policy) {
    case PartialTilePolicy::Error:
        if (!exact)
            throw Error("image (after cropping) is " + dims + ", not a multiple of the tile size "
                            + std::to_string(tileSize),
                        file.toStdString(), "choose a crop/tile size that divides the image, or the drop / pad-reflect policy");
        [[fallthrough]];
    case PartialTilePolicy::Drop:
        g.rows = image.height / tileSize;
        g.cols = image.width / tileSize;
        if (g.count() == 0)
            throw Error("image is " + dims + ", smaller than one " + std::to_string(tileSize) + "x"
                            + std::to_string(tileSize) + " tile",
                        file.toStdString(), "use a smaller tile size or the pad-reflect policy");
        break;
    case PartialTilePolicy::PadReflect:
        g.rows = (image.height + tileSize - 1) / tileSize;
        g.cols = (image.width + tileSize - 1) / tileSize;
        break;
    }
    return g;
}

static cv::Mat padForGrid(const cv::Mat &img, const TileGrid &grid)
{
    cv::Mat padded;
    cv::copyMakeBorder(img, padded, 0, grid.rows * grid.tileSize - img.rows, 0, grid.cols * grid.tileSize - img.cols,
                       cv::BORDER_REFLECT_101 | cv::BORDER_ISOLATED);
    return padded;
}

static void checkSize(const cv::Mat &img, const TileGrid &grid)
{
    if (img.size() != grid.image)
        throw Error("tile grid was made for a " + std::to_string(grid.image.width) + "x"
                        + std::to_string(grid.image.height) + " image, got " + std::to_string(img.cols) + "x"
                        + std::to_string(img.rows),
                    "", "make the grid from the image being tiled");
}

cv::Mat extractTile(const cv::Mat &img, const TileGrid &grid, int row, int col)
{
    checkSize(img, grid);
    const cv::Rect src = grid.sourceRect(row, col);
    if (src.width == grid.tileSize && src.height == grid.tileSize) return img(src);
    const cv::Mat padded = padForGrid(img, grid);
    return padded(cv::Rect(col * grid.tileSize, row * grid.tileSize, grid.tileSize, grid.tileSize)).clone();
}

std::vector<Tile> cutTiles(const cv::Mat &img, const TileGrid &grid)
{
    checkSize(img, grid);
    const cv::Mat source = grid.padded() ? padForGrid(img, grid) : img;
    std::vector<Tile> tiles;
    tiles.reserve(static_cast<size_t>(grid.count()));
    for (int r = 0; r < grid.rows; ++r)
        for (int c = 0; c < grid.cols; ++c)
            tiles.push_back({r, c, source(cv::Rect(c * grid.tileSize, r * grid.tileSize, grid.tileSize, grid.tileSize))});
    return tiles;
}

} // namespace cprecon
