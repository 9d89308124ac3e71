#include "image/Crop.h"

#include "util/Error.h"

#include <algorithm>
#include <string>

namespace cprecon {

cv::Rect centreCropRect(cv::Size image, int size, SmallImagePolicy policy, const QString &file)
{
    if (image.width <= 0 || image.height <= 0)
        throw Error("cannot crop an empty image", file.toStdString(), "check that the image was read");
    if (size <= 0) return cv::Rect(0, 0, image.width, image.height);
    if ((image.width < size || image.height < size) && policy == SmallImagePolicy::Error)
        throw Error("image is " + std::to_string(image.width) + "x" + std::to_string(image.height)
                        + ", smaller than the " + std::to_string(size) + "x" + std::to_string(size) + " centre crop",
                    file.toStdString(), "use a smaller crop size, no crop (0), or the 'clamp' small-image policy");
    const int w = std::min(size, image.width), h = std::min(size, image.height);
    return cv::Rect((image.width - w) / 2, (image.height - h) / 2, w, h);
}

cv::Mat centreCrop(const cv::Mat &img, int size, SmallImagePolicy policy, const QString &file)
{
    return img(centreCropRect(img.size(), size, policy, file));
}

} // namespace cprecon
