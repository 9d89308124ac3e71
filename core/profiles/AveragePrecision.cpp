#include "profiles/AveragePrecision.h"

#include "profiles/SimilarityKernel.h"
#include "jobs/ParallelFor.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace cprecon::profiles {

namespace {
constexpr Eigen::Index kBlock = 256; // queries per similarity block (block x controls doubles per thread)
}

std::vector<ApRecord> averagePrecision(const RowMatrix &X, const std::vector<int> &pert, const std::vector<unsigned char> &isControl,
                                       const std::vector<std::vector<std::size_t>> &groups)
{
    const Eigen::Index d = X.cols();
    // Controls, L2-normalised (cosine = dot of unit vectors, as copairs normalises before the dot product).
    std::vector<std::size_t> ctrl;
    for (std::size_t i = 0; i < isControl.size(); ++i)
        if (isControl[i] && pert[i] >= 0) ctrl.push_back(i);
    if (ctrl.empty()) throw Error("no negative-control profiles: average precision needs negatives", "", "check --control-query");
    auto normalised = [&](std::size_t r) -> Eigen::RowVectorXd {
        const double nrm = X.row(static_cast<Eigen::Index>(r)).norm();
        if (!(nrm > 0.0) || !std::isfinite(nrm))
            throw Error("profile row " + std::to_string(r) + " has zero or non-finite norm: cosine similarity undefined", "",
                        "drop all-zero profiles before computing activity");
        return X.row(static_cast<Eigen::Index>(r)) / nrm;
    };
    RowMatrix C(static_cast<Eigen::Index>(ctrl.size()), d);
    std::unordered_map<int, std::vector<std::size_t>> ctrlOfPert; // controls sharing a perturbation label
    for (std::size_t j = 0; j < ctrl.size(); ++j) {
        C.row(static_cast<Eigen::Index>(j)) = normalised(ctrl[j]);
        ctrlOfPert[pert[ctrl[j]]].push_back(j);
    }

    // Flatten queries: (group, member).
    std::vector<std::pair<std::size_t, std::size_t>> queries;
    std::vector<std::size_t> offset(groups.size() + 1, 0);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].size() < 2) throw Error("average precision: a perturbation with < 2 replicates has no positives", "",
                                                "drop perturbations with one replicate, or check --perturbation-col");
        for (std::size_t m = 0; m < groups[g].size(); ++m) queries.emplace_back(g, m);
        offset[g + 1] = offset[g] + groups[g].size();
    }
    std::vector<ApRecord> out(queries.size());
    const Eigen::Index nq = static_cast<Eigen::Index>(queries.size());
    const Eigen::Index nBlocks = (nq + kBlock - 1) / kBlock;
    // One block of queries per task; each writes only its own records, so any thread count gives the same table.
    parallelFor(size_t(nBlocks), [&](size_t block) {
        const Eigen::Index b = Eigen::Index(block);
        RowMatrix Q, S;
        std::vector<double> negKeys, posKeys;
        std::vector<unsigned char> skip;
        {
            const Eigen::Index q0 = b * kBlock, nb = std::min(kBlock, nq - q0);
            Q.resize(nb, d);
            for (Eigen::Index i = 0; i < nb; ++i) {
                const auto &[g, m] = queries[static_cast<std::size_t>(q0 + i)];
                Q.row(i) = normalised(groups[g][m]);
            }
            blockDots(Q, C, S);
            for (Eigen::Index i = 0; i < nb; ++i) {
                const auto &[g, m] = queries[static_cast<std::size_t>(q0 + i)];
                const std::size_t row = groups[g][m];
                const int p = pert[row];
                // Negatives: controls with a different perturbation label.
                const double *s = S.row(i).data();
                negKeys.clear();
                const auto same = ctrlOfPert.find(p);
                if (same == ctrlOfPert.end()) {
                    negKeys.resize(ctrl.size());
                    for (std::size_t j = 0; j < ctrl.size(); ++j) negKeys[j] = 1.0 - s[j];
                } else {
                    skip.assign(ctrl.size(), 0);
                    for (std::size_t j : same->second) skip[j] = 1;
                    for (std::size_t j = 0; j < ctrl.size(); ++j)
                        if (!skip[j]) negKeys.push_back(1.0 - s[j]);
                }
                if (negKeys.empty())
                    throw Error("perturbation of row " + std::to_string(row) + " has no negative controls with a different label", "",
                                "check --control-query and --perturbation-col");
                // Positives: the other replicates.
                posKeys.clear();
                const Eigen::RowVectorXd qn = Q.row(i);
                for (std::size_t mm = 0; mm < groups[g].size(); ++mm)
                    if (mm != m) posKeys.push_back(1.0 - qn.dot(normalised(groups[g][mm])));
                std::sort(posKeys.begin(), posKeys.end());
                const std::size_t k = posKeys.size();
                // Rank of the j-th positive = j + #negatives with a strictly smaller key (ties: positives first).
                double sum = 0.0;
                if (k <= 8) {
                    for (std::size_t j = 0; j < k; ++j) {
                        const double kp = posKeys[j];
                        std::size_t before = 0;
                        for (double kn : negKeys) before += kn < kp;
                        sum += static_cast<double>(j + 1) / static_cast<double>(j + 1 + before);
                    }
                } else {
                    std::sort(negKeys.begin(), negKeys.end());
                    for (std::size_t j = 0; j < k; ++j) {
                        const std::size_t before = static_cast<std::size_t>(
                            std::lower_bound(negKeys.begin(), negKeys.end(), posKeys[j]) - negKeys.begin());
                        sum += static_cast<double>(j + 1) / static_cast<double>(j + 1 + before);
                    }
                }
                ApRecord &r = out[offset[g] + m];
                r.row = row;
                r.nPos = static_cast<int>(k);
                r.nTotal = static_cast<int>(k + negKeys.size());
                r.ap = sum / static_cast<double>(k);
            }
        }
    });
    return out;
}

} // namespace cprecon::profiles
