#pragma once
// Centre crop of a field of view (the paper: 1080x1080 -> 1024x1024).
//
// The crop window is size x size with its top-left corner at (floor((W - size) / 2), floor((H - size) / 2));
// for 1080 -> 1024 that is offset (28, 28), the same as torchvision's CenterCrop for even differences
// (for odd differences torchvision rounds the offset with Python's round, i.e. it may be one pixel further).
// size <= 0 means "no crop" (the whole image).
// Images smaller than the crop in a dimension follow SmallImagePolicy:
//   Error  -> cprecon::Error naming the file and both sizes;
//   Clamp  -> that dimension is kept whole (crop = min(size, dim)), e.g. BBBC022 696x520 with crop 1024 stays 696x520.
#include <QString>

#include <opencv2/core.hpp>

namespace cprecon {

enum class SmallImagePolicy { Error, Clamp };

// The crop rectangle in image coordinates (throws per policy). `file` only names the image in messages.
cv::Rect centreCropRect(cv::Size image, int size, SmallImagePolicy policy = SmallImagePolicy::Error,
                        const QString &file = {});

// A view (no copy) of the centre crop.
cv::Mat centreCrop(const cv::Mat &img, int size, SmallImagePolicy policy = SmallImagePolicy::Error,
                   const QString &file = {});

} // namespace cprecon
