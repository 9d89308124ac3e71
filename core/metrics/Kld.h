#pragma once
// KL divergence of a diagonal Gaussian posterior N(mu, exp(logvar)) from N(0, I), per sample:
//   kl_sum = 0.5 * sum_{all latent elements} (mu^2 + exp(logvar) - logvar - 1)
// exactly as diffusers' DiagonalGaussianDistribution.kl(), including its clamp of logvar to [-30, 20] first.
// Accumulated in double. kl_mean_per_element = kl_sum / elementsPerSample.
#include <cstddef>
#include <vector>

namespace cprecon::metrics {

struct KlResult {
    std::vector<double> klSum;             // one per sample
    std::vector<double> klMeanPerElement;  // klSum / elementsPerSample
    size_t clampedValues = 0;              // logvar values outside [-30, 20] that the clamp changed
};

// mean/logvar: samples x elementsPerSample values (e.g. N x 4x32x32), row-major. Throws cprecon::Error for
// zero sizes and NaN/inf inputs (naming the sample).
KlResult klDivergence(const float *mean, const float *logvar, size_t samples, size_t elementsPerSample);
KlResult klDivergence(const double *mean, const double *logvar, size_t samples, size_t elementsPerSample);

} // namespace cprecon::metrics
