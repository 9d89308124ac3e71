#include "metrics/Kld.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace cprecon::metrics {

namespace {

template <typename T>
KlResult klImpl(const T *mean, const T *logvar, size_t samples, size_t elements)
{
    if (samples == 0 || elements == 0)
        throw Error("KL divergence: empty latent (samples x elements = " + std::to_string(samples) + " x " +
                    std::to_string(elements) + ")");
    KlResult r;
    r.klSum.resize(samples);
    r.klMeanPerElement.resize(samples);
    for (size_t s = 0; s < samples; ++s) {
        const T *m = mean + s * elements, *lv = logvar + s * elements;
        double sum = 0;
        for (size_t i = 0; i < elements; ++i) {
            const double mu = double(m[i]);
            double l = double(lv[i]);
            if (!std::isfinite(mu) || !std::isfinite(l))
                throw Error("KL divergence: NaN or infinite mean/logvar in sample " + std::to_string(s), "",
                            "check the encoder output", long(s));
            // diffusers clamps logvar to [-30, 20] before exp().
            if (l < -30.0 || l > 20.0) {
                l = std::clamp(l, -30.0, 20.0);
                ++r.clampedValues;
            }
            sum += mu * mu + std::exp(l) - l - 1.0;
        }
        r.klSum[s] = 0.5 * sum;
        r.klMeanPerElement[s] = r.klSum[s] / double(elements);
    }
    return r;
}

} // namespace

KlResult klDivergence(const float *mean, const float *logvar, size_t samples, size_t elements)
{
    return klImpl(mean, logvar, samples, elements);
}
KlResult klDivergence(const double *mean, const double *logvar, size_t samples, size_t elements)
{
    return klImpl(mean, logvar, samples, elements);
}

} // namespace cprecon::metrics
