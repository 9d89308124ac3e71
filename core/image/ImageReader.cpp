#include "image/ImageReader.h"
#include "screen/LmdbArchive.h"

#include "util/Error.h"

#include <QFile>
#include <QFileInfo>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>


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

// Reading the bytes ourselves (instead of cv::imread's std::string path) keeps non-ASCII paths working and tells
// "unreadable" apart from "not an image".
static QByteArray readBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error("cannot open image file: " + f.errorString().toStdString(), path.toStdString(),
                    "check the file's permissions");
    return f.readAll();
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
    const QByteArray bytes = readBytes(path);
    if (bytes.isEmpty())
        throw Error("image file is empty (0 bytes)", file, "re-copy or re-download the file");
    return decodeImage(bytes, file, plane);
}

cv::Mat decodeImage(const QByteArray &bytes, const std::string &file, int plane)
{
    if (bytes.isEmpty()) throw Error("the image is empty (0 bytes)", file, "re-copy or re-download it");

    cv::Mat img;
    try {
        const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
        img = cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH);
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

cv::Mat readRgbImage(const ChannelImage &c)
{
    const std::string file = c.archiveKey.isEmpty() ? c.path.toStdString()
                                                     : c.path.toStdString() + " (LMDB key " + c.archiveKey.toStdString() + ")";
    QByteArray bytes;
    if (!c.archiveKey.isEmpty()) {
        bytes = lmdbValue(c.path, c.archiveKey);
    } else {
        if (!QFileInfo(c.path).isFile())
            throw Error("image file not found", file, "check that the photos were copied completely");
        bytes = readBytes(c.path);
    }
    cv::Mat img;
    try {
        if (!bytes.isEmpty())
            img = cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8UC1, bytes.data()), cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH);
    } catch (const cv::Exception &e) {
        throw Error(std::string("cannot decode image: ") + e.what(), file, "the file is corrupt or truncated; re-copy it");
    }
    if (img.empty()) throw Error("cannot decode the photo (empty, corrupt or not PNG/JPEG/WebP)", file, "re-copy it");
    if (img.depth() != CV_8U) throw Error("photos must be 8-bit", file, "convert it to an 8-bit PNG or JPEG");
    if (img.channels() != 3 && img.channels() != 4)
        throw Error("a photo must be a colour image, found " + std::to_string(img.channels()) + " channel(s)", file,
                    "give RGB photos (grayscale microscope images belong in a screen, not a photo folder)");
    cv::Mat rgb; // OpenCV decodes colour as BGR(A)
    cv::cvtColor(img, rgb, img.channels() == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB);
    return rgb;
}

cv::Mat readChannelImage(const ChannelImage &channel)
{
    if (!channel.archiveKey.isEmpty()) // a record of an LMDB image database (LSUN)
        return decodeImage(lmdbValue(channel.path, channel.archiveKey),
                           channel.path.toStdString() + " (LMDB key " + channel.archiveKey.toStdString() + ")", channel.plane);
    return readImageFile(channel.path, channel.plane);
}

} // namespace cprecon
