#include "metrics/SymmetricEigenvalues.h"

#include "metrics/Lapack.h"
#include "util/Error.h"

#include <Eigen/Core>

namespace cprecon::metrics {

Eigen::VectorXd symmetricEigenvalues(Eigen::MatrixXd &a)
{
    if (a.cols() != a.rows()) throw Error("symmetric eigenvalues: matrix is not square");
    if (!a.triangularView<Eigen::Lower>().toDenseMatrix().allFinite())
        throw Error("symmetric eigenvalues: matrix contains NaN or infinite values");
    return lapack::symmetricEigenvaluesLower(a);
}

} // namespace cprecon::metrics
