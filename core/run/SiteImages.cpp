#include "run/SiteImages.h"

#include "image/Tiler.h"
#include "util/Error.h"

#include <opencv2/core.hpp>

namespace cprecon::run {

namespace {

// Planes of the tiles of `mosaics` (one single-channel mosaic per plane) into N x P x t x t, row-major tiles.
template <typename T>
std::vector<T> gather(const std::vector<cv::Mat> &planes, const TileGrid &grid, int t)
{
    const size_t plane = size_t(t) * size_t(t);
    std::vector<T> out(size_t(grid.count()) * planes.size() * plane);
    T *dst = out.data();
    for (int r = 0; r < grid.rows; ++r)
        for (int c = 0; c < grid.cols; ++c)
            for (const cv::Mat &p : planes)
                for (int y = 0; y < t; ++y) {
                    const T *row = p.ptr<T>(r * t + y) + c * t;
                    dst = std::copy(row, row + t, dst);
                }
    return out;
}

void planesOut(const std::vector<cv::Mat> &planes, const TileGrid &grid, int t, std::vector<uint8_t> *u8, std::vector<float> *f32)
{
    if (planes.empty()) throw Error("a site without images reached the extractors");
    if (planes.front().depth() == CV_32F) {
        if (u8) u8->clear();
        if (f32) *f32 = gather<float>(planes, grid, t);
    } else {
        if (f32) f32->clear();
        if (u8) *u8 = gather<uint8_t>(planes, grid, t);
    }
}

TileGrid mosaicGrid(const cv::Mat &mosaic, int t) { return makeTileGrid(mosaic.size(), t, PartialTilePolicy::Error); }

} // namespace

void SiteImages::stainTiles(std::vector<uint8_t> *u8, std::vector<float> *f32) const { planesOut(stains, grid, tileSize, u8, f32); }

void SiteImages::tripletTiles(int triplet, std::vector<uint8_t> *u8, std::vector<float> *f32) const
{
    std::vector<cv::Mat> planes;
    cv::split(triplets.at(size_t(triplet)), planes);
    planesOut(planes, grid, tileSize, u8, f32);
}

SiteImages originalImages(const SiteStack &stack)
{
    SiteImages out;
    const TileGrid &g = stack.grid;
    const int t = g.tileSize;
    out.tileSize = t;
    const cv::Size size(g.cols * t, g.rows * t);
    QMap<QString, cv::Mat> byName;
    for (const StainImage &si : stack.stains) {
        cv::Mat m(size, CV_8UC1);
        for (int r = 0; r < g.rows; ++r)
            for (int c = 0; c < g.cols; ++c) extractTile(si.cropped, g, r, c).copyTo(m(cv::Rect(c * t, r * t, t, t)));
        out.stainNames << si.stain;
        out.stains.push_back(m);
        byName.insert(si.stain, m);
    }
    out.grid = mosaicGrid(out.stains.front(), t);
    const auto [a, b] = splitTriplets(byName, stack.options.triplets);
    out.tripletNames = QStringList{QStringLiteral("A"), QStringLiteral("B")};
    out.triplets = {a, b};
    return out;
}

SiteImages photoImages(const cv::Mat &rgb)
{
    SiteImages out;
    out.tileSize = rgb.rows;
    out.grid = mosaicGrid(rgb, rgb.rows);
    out.stainNames = QStringList{QStringLiteral("R"), QStringLiteral("G"), QStringLiteral("B")};
    cv::split(rgb, out.stains);
    out.tripletNames = QStringList{QStringLiteral("RGB")};
    out.triplets = {rgb};
    return out;
}

SiteImages reconstructedImages(const SiteReconstruction &rec)
{
    SiteImages out;
    out.tileSize = rec.grid.tileSize;
    for (const StainReconstruction &s : rec.stains) {
        out.stainNames << s.stain;
        out.stains.push_back(s.reconstructionFloat);
    }
    for (const TripletReconstruction &t : rec.triplets) {
        out.tripletNames << t.name;
        out.triplets.push_back(t.imageFloat);
    }
    if (out.stains.empty()) throw Error("a reconstruction without images reached the extractors", rec.siteLabel.toStdString());
    out.grid = mosaicGrid(out.stains.front(), out.tileSize);
    return out;
}

} // namespace cprecon::run
