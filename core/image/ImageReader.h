#pragma once
// Reading one channel image from disk into a single-channel cv::Mat, as the microscope wrote it.
//
// Accepted: 16-bit grayscale TIFF (LZW or uncompressed, e.g. Opera Phenix 1080x1080, BBBC022 696x520) and 8-bit
// grayscale TIFF/PNG/JPEG (e.g. pre-stretched BBBC022 PNGs). Colour files (RGB photos, 8 or 16 bit) are read only
// through ChannelImage::plane (0 = R, 1 = G, 2 = B — RGB order, not OpenCV's BGR); a colour file without a plane,
// or a grayscale file with one, is an error. Float, 32-bit integer and signed images are refused: they are not raw
// Cell Painting data and converting them silently would change the numbers.
// Every failure throws cprecon::Error naming the file and the fix.
#include "screen/Screen.h"

#include <QByteArray>
#include <QString>

#include <string>

#include <opencv2/core.hpp>

namespace cprecon {

// Reads `path`; plane = -1 for a grayscale file, 0..2 to take R/G/B of a colour file.
// Returns CV_16UC1 or CV_8UC1 (never a copy-on-write view of anything else).
cv::Mat readImageFile(const QString &path, int plane = -1);
// The same from encoded bytes (TIFF/PNG/JPEG/WebP); `file` names them in errors.
cv::Mat decodeImage(const QByteArray &bytes, const std::string &file, int plane = -1);

// Same for a channel of a site (uses ChannelImage::path and ::plane).
cv::Mat readChannelImage(const ChannelImage &channel);
// A photo's three planes decoded once (from its file or its LMDB record): CV_8UC3 in RGB plane order. Throws
// cprecon::Error naming the file for an unreadable, non-colour or non-8-bit image.
cv::Mat readRgbImage(const ChannelImage &anyPlane);

// "uint16", "uint8", "float32", ... for messages.
const char *depthName(int cvDepth);

} // namespace cprecon
