#include "image/NpyWriter.h"

#include "util/Error.h"

#include <QSaveFile>

#include <string>

namespace cprecon {

void writeNpy(const QString &path, const cv::Mat &array, bool fortranOrder)
{
    if (array.dims != 2 || array.channels() != 1 || (array.depth() != CV_64F && array.depth() != CV_32F))
        throw Error("writeNpy expects a 2-D single-channel float32/float64 matrix", path.toStdString(),
                    "convert the matrix with convertTo(CV_64F) first");
    const bool f8 = array.depth() == CV_64F;
    std::string dict = std::string("{'descr': '") + (f8 ? "<f8" : "<f4") + "', 'fortran_order': "
                       + (fortranOrder ? "True" : "False") + ", 'shape': (" + std::to_string(array.rows) + ", "
                       + std::to_string(array.cols) + "), }";
    // numpy pads magic + version + length + dict + '\n' to a multiple of 64 bytes.
    const size_t unpadded = 10 + dict.size() + 1;
    dict.append((64 - unpadded % 64) % 64, ' ');
    dict.push_back('\n');

    std::string out("\x93NUMPY\x01\x00", 8);
    out.push_back(static_cast<char>(dict.size() & 0xff));
    out.push_back(static_cast<char>((dict.size() >> 8) & 0xff));
    out += dict;

    cv::Mat data = fortranOrder ? cv::Mat(array.t()) : array;
    if (!data.isContinuous()) data = data.clone();
    const size_t bytes = data.total() * data.elemSize();

    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error("cannot write .npy file: " + f.errorString().toStdString(), path.toStdString(),
                    "check that the folder exists and is writable");
    f.write(out.data(), static_cast<qint64>(out.size()));
    f.write(reinterpret_cast<const char *>(data.data), static_cast<qint64>(bytes)); // host is little-endian (x86/ARM)
    if (!f.commit())
        throw Error("cannot write .npy file: " + f.errorString().toStdString(), path.toStdString(),
                    "check free disk space and permissions");
}

} // namespace cprecon
