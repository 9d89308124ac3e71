#pragma once
// TVN-style post-processing of well profiles (the CPJUMP1 / "Compressing Biology" recipe), sklearn-exact:
// StandardScaler -> PCA(svd "full", optional whitening) -> VarianceThreshold, fitted on the negative-control
// wells of all plates and applied to all wells; then per plate a StandardScaler fitted on that plate's controls.
#include "profiles/ProfileTable.h"

#include <string>
#include <vector>

namespace cprecon::profiles {

struct TvnOptions {
    bool whiten = true;
    double varianceThreshold = 1e-6; // VarianceThreshold(T) on the controls' PCA scores (np.var, ddof 0)
    int maxComponents = 256;         // cap; the controls may allow fewer (rank), see Tvn.cpp
    bool perPlate = true;            // the per-plate control scaling step
};

struct TvnFit {
    Eigen::VectorXd scalerMean, scalerScale;    // StandardScaler (ddof 0, constant features get scale 1)
    Eigen::VectorXd pcaMean;                    // mean of the scaled controls
    Eigen::MatrixXd components;                 // k x d, rows = components (sklearn components_)
    Eigen::VectorXd explainedVariance;          // k, S^2 / (n - 1)
    std::vector<unsigned char> support;         // k, VarianceThreshold mask
};

struct TvnResult {
    TvnFit fit;
    RowMatrix global;                  // all rows after scaler/PCA/VT (kept components only)
    RowMatrix tvn;                     // after per-plate control scaling (rows of excluded plates: see rowKept)
    std::vector<unsigned char> rowKept; // 0 for rows of plates that have < 2 controls (excluded, see notes)
    std::vector<std::string> notes;
};

// Helpers matching sklearn 1.2 exactly (exposed for tests).
void standardScalerFit(const RowMatrix &X, Eigen::VectorXd &mean, Eigen::VectorXd &scale);

// X: rows = wells; isControl: negative-control wells; plate: plate id per row (any ints).
TvnResult tvnTransform(const RowMatrix &X, const std::vector<unsigned char> &isControl, const std::vector<int> &plate,
                       const TvnOptions &options = {});

} // namespace cprecon::profiles
