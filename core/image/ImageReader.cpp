#include "image/ImageReader.h"

#include "util/Error.h"

#include <QFileInfo>

#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <vector>

namespace cprecon {

const char *depthName(int cvDepth)
{
    switch (cvDepth) {
    case CV_8U: return "uint8";
    case CV_8S: return "int8";
    case CV_16U: return "uint16";
    case CV_16S: return "int16";
    case CV_32S: return "int32";
    case CV_32F: return "float32";
    case CV_64F: return "float64";
    default: return "unknown";
    }
}

// cv::imread takes a std::string path; reading the bytes ourselves keeps non-ASCII paths working and lets us
// tell "missing" and "unreadable" apart from "not an image".
static std::vector<uchar> readBytes(const QString &path)
{
    std::ifstream in(QFile::encodeName(path).toStdString(), std::ios::binary);
    if (!in)
        throw Error("cannot open image file (permission denied or not a regular file)", path.toStdString(),
                    "check the file's permissions");
    std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return bytes;
}

cv::Mat readImageFile(const QString &path, int plane)
{
    const std::string file = path.toStdString();
    const QFileInfo info(path);
    if (path.isEmpty())
        throw Error("no image file given for this channel", "", "check the screen's load_data / file names");
    if (!info.exists())
        throw Error("image file not found", file,
                    "check that the screen's images were copied completely, or give the data root that holds them");
    if (info.isDir())
        throw Error("expected an image file, found a folder", file, "point the channel at a TIFF/PNG file");
    const std::vector<uchar> bytes = readBytes(path);
    if (bytes.empty())
        throw Error("image file is empty (0 bytes)", file, "re-copy or re-download the file");

    cv::Mat img;
    try {
        img = cv::imdecode(bytes, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH);
    } catch (const cv::Exception &e) {
        throw Error(std::string("cannot decode image: ") + e.what(), file,
                    "the file is corrupt or truncated; re-copy or re-download it");
    }
    if (img.empty())
        throw Error("cannot decode image (corrupt, truncated or not a TIFF/PNG/JPEG)", file,
                    "re-copy or re-download the file");

    const int depth = img.depth();
    if (depth != CV_8U && depth != CV_16U)
        throw Error(std::string("unsupported pixel type ") + depthName(depth) + " (" + std::to_string(img.channels())
                        + " channel(s)); raw Cell Painting images are 8- or 16-bit unsigned integers",
                    file, "export the raw 16-bit (or 8-bit) images from the instrument, not processed float data");

    const int ch = img.channels();
    if (plane < 0) {
        if (ch != 1)
            throw Error("expected a single-channel (grayscale) image, found " + std::to_string(ch) + " channels",
                        file, "map each colour plane to its own channel (photo screens) or give grayscale files");
        return img;
    }
    if (ch != 3 && ch != 4)
        throw Error("colour plane " + std::to_string(plane) + " requested but the image has " + std::to_string(ch)
                        + " channel(s)",
                    file, "open grayscale microscope images without a colour plane");
    if (plane > 2)
        throw Error("colour plane " + std::to_string(plane) + " out of range (0 = R, 1 = G, 2 = B)", file,
                    "use plane 0, 1 or 2");
    // OpenCV decodes colour as BGR(A): R is index 2.
    cv::Mat out;
    cv::extractChannel(img, out, 2 - plane);
    return out;
}

cv::Mat readChannelImage(const ChannelImage &channel)
{
    return readImageFile(channel.path, channel.plane);
}

} // namespace cprecon
