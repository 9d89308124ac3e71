#pragma once
// A small, strict reader for NumPy .npy files holding one 2-D float array (illumination functions).
//
// Accepted: format versions 1.0, 2.0 and 3.0; dtype '<f4' / '<f8' (little-endian float32/float64; '>f4'/'>f8'
// big-endian are byte-swapped; '|'/'=' are not valid for floats and refused); fortran_order True or False (a
// Fortran-order array is transposed into row-major so [row][col] means the same thing as in NumPy); shape of
// exactly two dimensions. Anything else (integer or object dtypes, pickles, 1-D/3-D arrays, a header that is not
// a Python dict literal, data shorter than the shape says, trailing bytes) throws cprecon::Error naming the file.
#include <QString>

#include <opencv2/core.hpp>

#include <vector>

namespace cprecon {

struct NpyHeader {
    int major = 1, minor = 0;
    std::string descr;     // e.g. "<f8"
    bool fortranOrder = false;
    std::vector<long long> shape;
    size_t dataOffset = 0; // byte offset of the array data
};

// Parses only the header (magic, version, dict); throws on anything malformed.
NpyHeader readNpyHeader(const QString &path);

// Reads the array: CV_64FC1 for f8, CV_32FC1 for f4, rows = shape[0], cols = shape[1].
cv::Mat readNpy(const QString &path);

// Reads and converts to CV_64F (what illumination correction computes in).
cv::Mat readNpyAsDouble(const QString &path);

} // namespace cprecon
