#include "profiles/Tvn.h"

#include "util/Error.h"

#include <Eigen/SVD>

#include <cmath>
#include <limits>
#include <map>

namespace cprecon::profiles {

// sklearn 1.2 StandardScaler.fit: mean = sum / n; var = (sum (x - m)^2 - (sum (x - m))^2 / n) / n (ddof 0);
// "constant" features (var <= n eps var + (n mean eps)^2) get scale 1 instead of a tiny or zero std.
void standardScalerFit(const RowMatrix &X, Eigen::VectorXd &mean, Eigen::VectorXd &scale)
{
    const Eigen::Index n = X.rows(), d = X.cols();
    const double nn = static_cast<double>(n), eps = std::numeric_limits<double>::epsilon();
    mean = X.colwise().sum().transpose() / nn;
    scale.resize(d);
    for (Eigen::Index c = 0; c < d; ++c) {
        double corr = 0.0, sq = 0.0;
        for (Eigen::Index r = 0; r < n; ++r) {
            const double t = X(r, c) - mean[c];
            corr += t;
            sq += t * t;
        }
        const double var = (sq - corr * corr / nn) / nn;
        const double bound = nn * eps * var + (nn * mean[c] * eps) * (nn * mean[c] * eps);
        scale[c] = var <= bound ? 1.0 : std::sqrt(var);
    }
}

namespace {

std::vector<Eigen::Index> indicesWhere(const std::vector<unsigned char> &mask)
{
    std::vector<Eigen::Index> out;
    for (std::size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) out.push_back(static_cast<Eigen::Index>(i));
    return out;
}

RowMatrix rowsOf(const RowMatrix &X, const std::vector<Eigen::Index> &rows)
{
    RowMatrix out(static_cast<Eigen::Index>(rows.size()), X.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
    return out;
}

} // namespace

TvnResult tvnTransform(const RowMatrix &X, const std::vector<unsigned char> &isControl, const std::vector<int> &plate,
                       const TvnOptions &o)
{
    const Eigen::Index n = X.rows(), d = X.cols();
    if (static_cast<Eigen::Index>(isControl.size()) != n || static_cast<Eigen::Index>(plate.size()) != n)
        throw Error("TVN: control mask / plate ids do not match the number of rows");
    for (Eigen::Index i = 0; i < X.size(); ++i)
        if (!std::isfinite(X.data()[i]))
            throw Error("TVN: non-finite feature value", "", "drop NaN/inf features or rows before TVN (--nonfinite)");
    const auto ctrlRows = indicesWhere(isControl);
    const Eigen::Index nc = static_cast<Eigen::Index>(ctrlRows.size());
    if (nc < 2)
        throw Error("TVN needs at least 2 negative-control wells, found " + std::to_string(nc), "",
                    "check --control-query, or run without --tvn");
    TvnResult res;
    TvnFit &fit = res.fit;

    // 1. StandardScaler on the controls of all plates.
    RowMatrix C = rowsOf(X, ctrlRows);
    standardScalerFit(C, fit.scalerMean, fit.scalerScale);
    for (Eigen::Index c = 0; c < d; ++c)
        if (fit.scalerScale[c] == 1.0 && (C.col(c).array() == C(0, c)).all())
            res.notes.push_back("TVN: feature " + std::to_string(c) + " is constant over the controls (scale set to 1)");
    auto scaleRows = [&](RowMatrix &M) {
        M.rowwise() -= fit.scalerMean.transpose();
        M.array().rowwise() /= fit.scalerScale.transpose().array();
    };
    scaleRows(C);

    // 2. PCA, sklearn svd_solver="full": centre, thin SVD, svd_flip (u-based), ev = S^2 / (n - 1).
    fit.pcaMean = C.colwise().sum().transpose() / static_cast<double>(nc);
    C.rowwise() -= fit.pcaMean.transpose();
    Eigen::BDCSVD<Eigen::MatrixXd> svd(Eigen::MatrixXd(C), Eigen::ComputeThinU | Eigen::ComputeThinV);
    Eigen::MatrixXd U = svd.matrixU(), V = svd.matrixV();
    const Eigen::VectorXd S = svd.singularValues();
    const Eigen::Index kFull = std::min(nc, d);
    Eigen::Index k = std::min<Eigen::Index>(kFull, o.maxComponents > 0 ? o.maxComponents : kFull);
    // Components with (numerically) zero variance: the controls do not span them; whitening would divide by 0.
    const double evMax = S.size() ? S[0] * S[0] : 0.0;
    Eigen::Index rank = 0;
    while (rank < k && S[rank] * S[rank] > 1e-12 * evMax) ++rank;
    if (rank < k)
        res.notes.push_back("TVN: the " + std::to_string(nc) + " control wells span only " + std::to_string(rank) +
                            " dimensions; using " + std::to_string(rank) + " PCA components instead of " + std::to_string(k));
    if (kFull > k) res.notes.push_back("TVN: PCA capped at " + std::to_string(k) + " components");
    k = rank;
    if (k == 0) throw Error("TVN: the control wells have zero variance in every feature", "", "check the control selection");
    for (Eigen::Index j = 0; j < U.cols(); ++j) {
        Eigen::Index arg = 0;
        double best = -1.0;
        for (Eigen::Index i = 0; i < U.rows(); ++i)
            if (std::abs(U(i, j)) > best) { best = std::abs(U(i, j)); arg = i; }
        if (U(arg, j) < 0) { U.col(j) = -U.col(j); V.col(j) = -V.col(j); }
    }
    fit.components = V.leftCols(k).transpose();
    fit.explainedVariance = S.head(k).array().square() / static_cast<double>(nc - 1);

    auto pcaTransform = [&](RowMatrix M) {
        M.rowwise() -= fit.pcaMean.transpose();
        RowMatrix T = M * fit.components.transpose();
        if (o.whiten) T.array().rowwise() /= fit.explainedVariance.transpose().array().sqrt();
        return T;
    };
    // 3. VarianceThreshold on the controls' PCA scores (threshold 0: min(var, peak-to-peak) as sklearn).
    RowMatrix Cs = rowsOf(X, ctrlRows);
    scaleRows(Cs);
    const RowMatrix Ct = pcaTransform(Cs);
    fit.support.assign(static_cast<std::size_t>(k), 0);
    std::vector<Eigen::Index> kept;
    for (Eigen::Index j = 0; j < k; ++j) {
        const double m = Ct.col(j).mean();
        double var = (Ct.col(j).array() - m).square().mean();
        if (o.varianceThreshold == 0.0) var = std::min(var, Ct.col(j).maxCoeff() - Ct.col(j).minCoeff());
        if (var > o.varianceThreshold) { fit.support[static_cast<std::size_t>(j)] = 1; kept.push_back(j); }
    }
    if (kept.empty())
        throw Error("TVN: no PCA component has control variance above the threshold " + std::to_string(o.varianceThreshold), "",
                    "lower the variance threshold");
    if (static_cast<Eigen::Index>(kept.size()) < k)
        res.notes.push_back("TVN: VarianceThreshold removed " + std::to_string(k - static_cast<Eigen::Index>(kept.size())) + " components");

    // Apply to all wells.
    RowMatrix A = X;
    scaleRows(A);
    const RowMatrix T = pcaTransform(std::move(A));
    res.global.resize(n, static_cast<Eigen::Index>(kept.size()));
    for (std::size_t j = 0; j < kept.size(); ++j) res.global.col(static_cast<Eigen::Index>(j)) = T.col(kept[j]);

    // 4. Per plate: StandardScaler fitted on that plate's controls, applied to the plate's wells.
    res.tvn = res.global;
    res.rowKept.assign(static_cast<std::size_t>(n), 1);
    if (!o.perPlate) return res;
    std::map<int, std::vector<Eigen::Index>> plateRows, plateCtrl;
    for (Eigen::Index i = 0; i < n; ++i) {
        plateRows[plate[static_cast<std::size_t>(i)]].push_back(i);
        if (isControl[static_cast<std::size_t>(i)]) plateCtrl[plate[static_cast<std::size_t>(i)]].push_back(i);
    }
    for (const auto &[p, rows] : plateRows) {
        const auto &ctrl = plateCtrl[p];
        if (ctrl.size() < 2) {
            for (Eigen::Index i : rows) res.rowKept[static_cast<std::size_t>(i)] = 0;
            res.notes.push_back("TVN: plate #" + std::to_string(p) + " has " + std::to_string(ctrl.size()) +
                                " control well(s) (< 2): its " + std::to_string(rows.size()) + " wells are excluded");
            continue;
        }
        Eigen::VectorXd m, s;
        standardScalerFit(rowsOf(res.global, ctrl), m, s);
        for (Eigen::Index i : rows)
            res.tvn.row(i) = (res.global.row(i) - m.transpose()).array() / s.transpose().array();
    }
    return res;
}

} // namespace cprecon::profiles
