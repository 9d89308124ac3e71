#pragma once
// Writes a 2-D float cv::Mat as a NumPy .npy file (format 1.0, little-endian), as numpy.save would:
// CV_64F -> '<f8', CV_32F -> '<f4'; fortranOrder = true stores the data column-major with fortran_order True.
// Used by the phantom generator (illumination functions) and by tests.
#include <QString>

#include <opencv2/core.hpp>

namespace cprecon {

void writeNpy(const QString &path, const cv::Mat &array, bool fortranOrder = false);

} // namespace cprecon
