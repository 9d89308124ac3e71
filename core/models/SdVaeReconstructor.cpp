#include "models/SdVaeReconstructor.h"

#include "util/Error.h"

#include <algorithm>

namespace cprecon {

namespace {
HostTensor slice(const HostTensor &t, int64_t from, int64_t to)
{
    HostTensor s;
    s.shape = t.shape;
    s.shape[0] = to - from;
    const int64_t per = t.numel() / t.shape[0];
    s.values.assign(t.values.begin() + from * per, t.values.begin() + to * per);
    return s;
}

void append(HostTensor &dst, const HostTensor &part)
{
    if (dst.shape.empty()) {
        dst = part;
        return;
    }
    dst.shape[0] += part.shape[0];
    dst.values.insert(dst.values.end(), part.values.begin(), part.values.end());
}
} // namespace

SdVaeReconstructor::SdVaeReconstructor(std::unique_ptr<AutoencoderKl> vae, std::string name)
    : m_vae(std::move(vae)), m_name(std::move(name)), m_correctedPrecision(m_vae->runtime().precision)
{
}

std::string SdVaeReconstructor::description() const { return m_vae->config().describe() + " from " + m_vae->source(); }

double SdVaeReconstructor::latentValues(int h, int w) const
{
    const int f = m_vae->config().downsampleFactor();
    return static_cast<double>(m_vae->config().latentChannels) * (h / f) * (w / f);
}

Reconstruction SdVaeReconstructor::reconstruct(const HostTensor &x01, const ReconstructOptions &o)
{
    if (x01.shape.size() != 4 || x01.shape[1] != 3 || x01.shape[0] < 1)
        throw Error("reconstructor input must be N x 3 x H x W", "", "pass RGB tiles");
    const bool paper = o.protocol == Protocol::Paper;
    const bool cuda = torchrt::resolveDevice(m_vae->runtime().device) == "cuda";
    m_vae->setPrecision(paper ? (cuda ? Precision::Fp16 : Precision::Fp32) : m_correctedPrecision);

    HostTensor x = x01;
    for (auto &v : x.values) v = 2.f * v - 1.f;
    const int64_t n = x.shape[0];
    VaePosterior post;
    for (int64_t i = 0; i < n; i += m_maxBatch) {
        const VaePosterior p = m_vae->encode(slice(x, i, std::min(n, i + m_maxBatch)));
        append(post.mean, p.mean);
        append(post.logvar, p.logvar);
    }
    HostTensor z = post.mean;
    if (paper) {
        std::vector<uint64_t> seeds = o.noiseSeeds;
        if (seeds.empty())
            for (int64_t i = 0; i < n; ++i) seeds.push_back(tileNoiseSeed(o.seed, {}, 0, int(i)));
        if (int64_t(seeds.size()) != n)
            throw Error("paper protocol: " + std::to_string(seeds.size()) + " noise seeds for " + std::to_string(n) + " tiles");
        z = m_vae->samplePosterior(post, seeds);
    }
    const VaeConfig &c = m_vae->config();
    const float shift = static_cast<float>(c.shiftFactor.value_or(0.0)), scale = static_cast<float>(c.scalingFactor);
    HostTensor latent = z, decoderInput = z;
    for (size_t i = 0; i < z.values.size(); ++i) {
        latent.values[i] = (z.values[i] - shift) * scale;
        decoderInput.values[i] = latent.values[i] / scale + shift;
    }
    Reconstruction r;
    for (int64_t i = 0; i < n; i += m_maxBatch) append(r.images, m_vae->decode(slice(decoderInput, i, std::min(n, i + m_maxBatch))));
    for (auto &v : r.images.values) v = std::clamp(v / 2.f + 0.5f, 0.f, 1.f);
    if (o.wantLatents) {
        r.latentMean = std::move(post.mean);
        r.latentLogvar = std::move(post.logvar);
        r.latent = std::move(latent);
    }
    r.compressedValuesPerTile = latentValues(static_cast<int>(x.shape[2]), static_cast<int>(x.shape[3]));
    r.compressedBytesPerTile = r.compressedValuesPerTile; // nominal 1 byte/value, as the baselines
    return r;
}

} // namespace cprecon
