// AutoencoderKL forward, following diffusers v0.30 (models/autoencoders/vae.py, resnet.py, attention_processor.py)
// with torch 1.13 semantics (AttnProcessor: baddbmm + fp32 softmax). Module names = diffusers names.
#include "nets/AutoencoderKl.h"

#include "nets/private/TorchInternal.h"
#include "util/Error.h"
#include "weights/CheckpointLocator.h"
#include "weights/VaeKeys.h"

#include <torch/torch.h>

#include <cmath>

namespace cprecon {

namespace {
namespace nn = torch::nn;
using Capture = std::map<std::string, torch::Tensor>;

void keep(Capture *c, const std::string &name, const torch::Tensor &t)
{
    if (c) (*c)[name] = t;
}

nn::GroupNorm groupNorm(int groups, int channels)
{
    return nn::GroupNorm(nn::GroupNormOptions(groups, channels).eps(1e-6).affine(true));
}

// GroupNorm in fp32 whatever the autocast dtype (LibTorch 1.13's CPU kernel refuses bf16 input with fp32
// affine parameters; fp32 statistics are also what diffusers' upcast aims at).
torch::Tensor norm(nn::GroupNorm &gn, const torch::Tensor &x)
{
    if (x.scalar_type() == torch::kFloat32) return gn(x);
    return gn(x.to(torch::kFloat32));
}

// SiLU on a fresh temporary (a norm output): in place, saving one allocation per call.
torch::Tensor siluInPlace(torch::Tensor t) { return torch::silu_(t); }

// LibTorch throws c10::Error (shapes, memory, devices): the public API reports cprecon::Error instead.
template <typename F> auto guarded(const char *what, F &&f) -> decltype(f())
{
    try {
        return f();
    } catch (const c10::Error &e) {
        throw Error(std::string("LibTorch failed in AutoencoderKL ") + what + ": " + e.what_without_backtrace(), "",
                    "check the input size, the device/precision options and free memory");
    }
}

nn::Conv2d conv(int in, int out, int k, int stride = 1, int pad = 0)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(true));
}

struct ResnetBlock2DImpl : nn::Module {
    nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    nn::Conv2d conv1{nullptr}, conv2{nullptr}, convShortcut{nullptr};
    ResnetBlock2DImpl(int in, int out, int groups)
    {
        norm1 = register_module("norm1", groupNorm(groups, in));
        conv1 = register_module("conv1", conv(in, out, 3, 1, 1));
        norm2 = register_module("norm2", groupNorm(groups, out));
        conv2 = register_module("conv2", conv(out, out, 3, 1, 1));
        if (in != out) convShortcut = register_module("conv_shortcut", conv(in, out, 1));
    }
    torch::Tensor forward(const torch::Tensor &x)
    {
        // in-place SiLU / residual on fresh temporaries: fewer allocations, same arithmetic
        auto h = conv1(siluInPlace(norm(norm1, x)));
        h = conv2(siluInPlace(norm(norm2, h)));
        return h.add_(convShortcut ? convShortcut(x) : x); // output_scale_factor 1
    }
};
TORCH_MODULE(ResnetBlock2D);

// diffusers Attention built from a deprecated AttentionBlock: one head over H*W tokens, residual, fp32 softmax.
struct AttentionImpl : nn::Module {
    nn::GroupNorm groupNorm_{nullptr};
    nn::Linear toQ{nullptr}, toK{nullptr}, toV{nullptr}, toOut0{nullptr};
    nn::ModuleList toOut;
    double scale;
    AttentionImpl(int channels, int groups) : scale(1.0 / std::sqrt(static_cast<double>(channels)))
    {
        groupNorm_ = register_module("group_norm", groupNorm(groups, channels));
        toQ = register_module("to_q", nn::Linear(channels, channels));
        toK = register_module("to_k", nn::Linear(channels, channels));
        toV = register_module("to_v", nn::Linear(channels, channels));
        toOut0 = nn::Linear(channels, channels);
        toOut->push_back(toOut0); // to_out.0 (to_out.1 is a parameter-free Dropout)
        register_module("to_out", toOut);
    }
    torch::Tensor forward(const torch::Tensor &x)
    {
        const auto b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        auto t = norm(groupNorm_, x).view({b, c, h * w}).transpose(1, 2); // B, HW, C
        auto q = toQ(t), k = toK(t), v = toV(t);
        auto scores = torch::baddbmm(torch::empty({b, h * w, h * w}, q.options()), q, k.transpose(-1, -2),
                                     /*beta=*/0, /*alpha=*/scale);
        auto probs = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
        auto out = toOut0(torch::bmm(probs, v));
        return out.transpose(-1, -2).reshape({b, c, h, w}).to(x.scalar_type()) + x; // residual, rescale 1
    }
};
TORCH_MODULE(Attention);

struct Downsample2DImpl : nn::Module {
    nn::Conv2d conv_{nullptr};
    explicit Downsample2DImpl(int ch) { conv_ = register_module("conv", conv(ch, ch, 3, 2, 0)); }
    torch::Tensor forward(const torch::Tensor &x)
    {
        // diffusers Downsample2D(padding=0): zero pad right and bottom by one, then stride-2 conv.
        return conv_(torch::constant_pad_nd(x, {0, 1, 0, 1}, 0));
    }
};
TORCH_MODULE(Downsample2D);

struct Upsample2DImpl : nn::Module {
    nn::Conv2d conv_{nullptr};
    explicit Upsample2DImpl(int ch) { conv_ = register_module("conv", conv(ch, ch, 3, 1, 1)); }
    torch::Tensor forward(torch::Tensor x)
    {
        const auto dtype = x.scalar_type();
        if (dtype == torch::kBFloat16) x = x.to(torch::kFloat32); // as diffusers: nearest has no bf16 kernel
        x = torch::upsample_nearest2d(x, std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2});
        if (dtype == torch::kBFloat16) x = x.to(dtype);
        return conv_(x);
    }
};
TORCH_MODULE(Upsample2D);

struct MidBlockImpl : nn::Module {
    nn::ModuleList resnets, attentions;
    bool hasAttention;
    MidBlockImpl(int ch, int groups, bool addAttention) : hasAttention(addAttention)
    {
        resnets->push_back(ResnetBlock2D(ch, ch, groups));
        if (addAttention) attentions->push_back(Attention(ch, groups));
        resnets->push_back(ResnetBlock2D(ch, ch, groups));
        register_module("attentions", attentions);
        register_module("resnets", resnets);
    }
    torch::Tensor forward(torch::Tensor h, Capture *cap, const std::string &prefix)
    {
        h = resnets[0]->as<ResnetBlock2DImpl>()->forward(h);
        keep(cap, prefix + ".resnets.0", h);
        if (hasAttention) {
            h = attentions[0]->as<AttentionImpl>()->forward(h);
            keep(cap, prefix + ".attentions.0", h);
        }
        h = resnets[1]->as<ResnetBlock2DImpl>()->forward(h);
        keep(cap, prefix, h);
        return h;
    }
};
TORCH_MODULE(MidBlock);

// DownEncoderBlock2D / UpDecoderBlock2D: resnets then an optional resampler.
struct ResampleBlockImpl : nn::Module {
    nn::ModuleList resnets, samplers;
    bool down;
    ResampleBlockImpl(int in, int out, int layers, int groups, bool down_, bool addSampler) : down(down_)
    {
        for (int i = 0; i < layers; ++i) resnets->push_back(ResnetBlock2D(i == 0 ? in : out, out, groups));
        register_module("resnets", resnets);
        if (addSampler) {
            if (down)
                samplers->push_back(Downsample2D(out));
            else
                samplers->push_back(Upsample2D(out));
            register_module(down ? "downsamplers" : "upsamplers", samplers);
        }
    }
    torch::Tensor forward(torch::Tensor h)
    {
        for (const auto &r : *resnets) h = r->as<ResnetBlock2DImpl>()->forward(h);
        if (!samplers->is_empty()) {
            if (down)
                h = samplers[0]->as<Downsample2DImpl>()->forward(h);
            else
                h = samplers[0]->as<Upsample2DImpl>()->forward(h);
        }
        return h;
    }
};
TORCH_MODULE(ResampleBlock);

struct EncoderImpl : nn::Module {
    nn::Conv2d convIn{nullptr}, convOut{nullptr};
    nn::ModuleList downBlocks;
    MidBlock midBlock{nullptr};
    nn::GroupNorm normOut{nullptr};
    explicit EncoderImpl(const VaeConfig &c)
    {
        const auto &ch = c.blockOutChannels;
        convIn = register_module("conv_in", conv(c.inChannels, ch[0], 3, 1, 1));
        register_module("down_blocks", downBlocks);
        int prev = ch[0];
        for (int i = 0; i < c.levels(); ++i) {
            downBlocks->push_back(ResampleBlock(prev, ch[i], c.layersPerBlock, c.normNumGroups, true, i + 1 < c.levels()));
            prev = ch[i];
        }
        midBlock = register_module("mid_block", MidBlock(ch.back(), c.normNumGroups, c.midBlockAddAttention));
        normOut = register_module("conv_norm_out", groupNorm(c.normNumGroups, ch.back()));
        convOut = register_module("conv_out", conv(ch.back(), 2 * c.latentChannels, 3, 1, 1));
    }
    torch::Tensor forward(const torch::Tensor &x, Capture *cap)
    {
        auto h = convIn(x);
        keep(cap, "encoder.conv_in", h);
        for (size_t i = 0; i < downBlocks->size(); ++i) {
            h = downBlocks[i]->as<ResampleBlockImpl>()->forward(h);
            keep(cap, "encoder.down_blocks." + std::to_string(i), h);
        }
        h = midBlock->forward(h, cap, "encoder.mid_block");
        h = convOut(siluInPlace(norm(normOut, h)));
        keep(cap, "encoder.conv_out", h);
        return h;
    }
};
TORCH_MODULE(Encoder);

struct DecoderImpl : nn::Module {
    nn::Conv2d convIn{nullptr}, convOut{nullptr};
    nn::ModuleList upBlocks;
    MidBlock midBlock{nullptr};
    nn::GroupNorm normOut{nullptr};
    explicit DecoderImpl(const VaeConfig &c)
    {
        const auto &ch = c.blockOutChannels;
        convIn = register_module("conv_in", conv(c.latentChannels, ch.back(), 3, 1, 1));
        register_module("up_blocks", upBlocks); // registered before mid_block, as diffusers (state_dict order)
        midBlock = register_module("mid_block", MidBlock(ch.back(), c.normNumGroups, c.midBlockAddAttention));
        int prev = ch.back();
        for (int i = 0; i < c.levels(); ++i) {
            const int out = ch[c.levels() - 1 - i];
            upBlocks->push_back(ResampleBlock(prev, out, c.layersPerBlock + 1, c.normNumGroups, false, i + 1 < c.levels()));
            prev = out;
        }
        normOut = register_module("conv_norm_out", groupNorm(c.normNumGroups, ch[0]));
        convOut = register_module("conv_out", conv(ch[0], c.outChannels, 3, 1, 1));
    }
    torch::Tensor forward(const torch::Tensor &z, Capture *cap)
    {
        auto h = convIn(z);
        keep(cap, "decoder.conv_in", h);
        h = midBlock->forward(h, cap, "decoder.mid_block");
        for (size_t i = 0; i < upBlocks->size(); ++i) {
            h = upBlocks[i]->as<ResampleBlockImpl>()->forward(h);
            keep(cap, "decoder.up_blocks." + std::to_string(i), h);
        }
        h = convOut(siluInPlace(norm(normOut, h)));
        keep(cap, "decoder.conv_out", h);
        return h;
    }
};
TORCH_MODULE(Decoder);

struct AutoencoderKLImpl : nn::Module {
    Encoder encoder{nullptr};
    Decoder decoder{nullptr};
    nn::Conv2d quantConv{nullptr}, postQuantConv{nullptr};
    explicit AutoencoderKLImpl(const VaeConfig &c)
    {
        encoder = register_module("encoder", Encoder(c));
        decoder = register_module("decoder", Decoder(c));
        if (c.useQuantConv) quantConv = register_module("quant_conv", conv(2 * c.latentChannels, 2 * c.latentChannels, 1));
        if (c.usePostQuantConv) postQuantConv = register_module("post_quant_conv", conv(c.latentChannels, c.latentChannels, 1));
    }
    torch::Tensor moments(const torch::Tensor &x, Capture *cap)
    {
        auto h = encoder->forward(x, cap);
        return quantConv ? quantConv(h) : h;
    }
    torch::Tensor decode(torch::Tensor z, Capture *cap)
    {
        if (postQuantConv) {
            z = postQuantConv(z);
            keep(cap, "post_quant_conv", z);
        }
        return decoder->forward(z, cap);
    }
};
TORCH_MODULE(AutoencoderKL);

void toHostCaptures(const Capture &cap, VaeIntermediates *out)
{
    if (!out) return;
    for (const auto &[k, v] : cap) (*out)[k] = torchrt::toHost(v);
}

void requireImage(const HostTensor &x, int channels, const char *what)
{
    if (x.shape.size() != 4 || x.shape[1] != channels)
        throw Error(std::string(what) + " must be N x " + std::to_string(channels) + " x H x W, got " + shapeString(x.shape),
                    "", "pass a batch of images with the model's channel count");
}
} // namespace

struct AutoencoderKl::Impl {
    VaeConfig config;
    RuntimeOptions runtime;
    torch::Device device{torch::kCPU};
    AutoencoderKL net{nullptr};
    std::string source = "random init";

    torch::Tensor input(const HostTensor &h) const
    {
        auto t = torchrt::toTorch(h).to(device);
        if (runtime.channelsLast) t = t.contiguous(torch::MemoryFormat::ChannelsLast);
        return t;
    }
    std::pair<torch::Tensor, torch::Tensor> meanLogvar(const torch::Tensor &moments) const
    {
        auto parts = torch::chunk(moments.to(torch::kFloat32), 2, 1);
        return {parts[0], torch::clamp(parts[1], -30.0, 20.0)};
    }
    void checkSpatial(const HostTensor &x) const
    {
        const int f = config.downsampleFactor();
        if (x.shape[2] % f != 0 || x.shape[3] % f != 0)
            throw Error("image size " + std::to_string(x.shape[2]) + "x" + std::to_string(x.shape[3]) +
                            " is not a multiple of the VAE's downsampling factor " + std::to_string(f),
                        "", "crop or pad tiles to a multiple of " + std::to_string(f));
    }
};

AutoencoderKl::AutoencoderKl(const VaeConfig &config, const RuntimeOptions &runtime) : d(std::make_unique<Impl>())
{
    d->config = config;
    d->runtime = runtime;
    torchrt::followComputeBudget();
    d->device = torchrt::device(runtime);
    d->net = AutoencoderKL(config);
    d->net->eval();
    d->net->to(d->device);
    if (runtime.channelsLast)
        for (auto &p : d->net->parameters())
            if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
}

AutoencoderKl::~AutoencoderKl() = default;

const VaeConfig &AutoencoderKl::config() const { return d->config; }
const RuntimeOptions &AutoencoderKl::runtime() const { return d->runtime; }
void AutoencoderKl::setPrecision(Precision p) { d->runtime.precision = p; }
std::string AutoencoderKl::source() const { return d->source; }
ShapeList AutoencoderKl::parameterShapes() const { return torchrt::stateShapes(*d->net); }

int64_t AutoencoderKl::parameterCount() const
{
    int64_t n = 0;
    for (const auto &p : d->net->parameters()) n += p.numel();
    return n;
}

void AutoencoderKl::loadWeights(const StateDict &raw, const std::atomic<bool> *cancel)
{
    const StateDict sd = toDiffusersVaeKeys(raw, d->config.levels());
    try {
        torchrt::loadIntoModule(*d->net, sd, "AutoencoderKL", cancel);
    } catch (const Error &e) {
        throw Error(e.message() + " [network: " + d->config.describe() + "]", e.file(), e.fix());
    }
    if (d->runtime.channelsLast)
        for (auto &p : d->net->parameters())
            if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    d->source = raw.source;
}

std::unique_ptr<AutoencoderKl> AutoencoderKl::fromCheckpoint(const std::string &weightsPath, const std::string &configPath,
                                                             const RuntimeOptions &runtime, const std::atomic<bool> *cancel)
{
    auto checkCanceled = [cancel] {
        if (cancel && cancel->load()) throw Canceled("loading the VAE was canceled");
    };
    const CheckpointLocation loc = locateCheckpoint(weightsPath);
    checkCanceled();
    StateDict sd = loadStateDict(loc.weightsFile, isVaeCheckpointKey);
    checkCanceled();
    if (sd.tensors.empty()) {
        std::string some;
        for (size_t i = 0; i < sd.skippedKeys.size() && i < 4; ++i) some += (i ? ", " : "") + sd.skippedKeys[i];
        throw Error("no VAE tensors in this checkpoint (" + std::to_string(sd.skippedKeys.size()) + " other tensors" +
                        (some.empty() ? std::string() : ": " + some + ", ...") + ")",
                    loc.weightsFile,
                    "give a VAE: a diffusers 'vae' folder, an sd-vae-ft-* file or a full SD checkpoint");
    }
    VaeConfig config;
    const std::string cfg = !configPath.empty() ? configPath : loc.configFile;
    if (!cfg.empty()) {
        config = VaeConfig::fromFile(cfg);
    } else {
        // Single files carry no config: SD 1.x/2.x layout, or the 16-channel FLUX layout when conv_out says so.
        config = VaeConfig::preset("sd14");
        for (const char *k : {"encoder.conv_out.weight", "first_stage_model.encoder.conv_out.weight", "vae.encoder.conv_out.weight"}) {
            auto it = sd.tensors.find(k);
            if (it != sd.tensors.end() && !it->second.shape.empty() && it->second.shape[0] == 32)
                config = VaeConfig::preset("flux");
        }
    }
    sd.source = loc.weightsFile;
    auto vae = std::make_unique<AutoencoderKl>(config, runtime);
    checkCanceled();
    vae->loadWeights(sd, cancel);
    return vae;
}

HostTensor AutoencoderKl::moments(const HostTensor &x) const
{
    return guarded("moments", [&] {
        requireImage(x, d->config.inChannels, "VAE input");
        d->checkSpatial(x);
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode guard;
        torchrt::AutocastScope ac(d->runtime);
        return torchrt::toHost(d->net->moments(d->input(x), nullptr));
    });
}

VaePosterior AutoencoderKl::encode(const HostTensor &x, VaeIntermediates *capture) const
{
    return guarded("encode", [&] {
        requireImage(x, d->config.inChannels, "VAE input");
        d->checkSpatial(x);
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode guard;
        torchrt::AutocastScope ac(d->runtime);
        Capture cap;
        auto [mean, logvar] = d->meanLogvar(d->net->moments(d->input(x), capture ? &cap : nullptr));
        toHostCaptures(cap, capture);
        return VaePosterior{torchrt::toHost(mean), torchrt::toHost(logvar)};
    });
}

HostTensor AutoencoderKl::decode(const HostTensor &z, VaeIntermediates *capture) const
{
    return guarded("decode", [&] {
        requireImage(z, d->config.latentChannels, "VAE latent");
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode guard;
        torchrt::AutocastScope ac(d->runtime);
        Capture cap;
        auto y = d->net->decode(d->input(z), capture ? &cap : nullptr);
        toHostCaptures(cap, capture);
        return torchrt::toHost(y);
    });
}

HostTensor AutoencoderKl::samplePosterior(const VaePosterior &p, uint64_t seed) const
{
    return guarded("sample", [&] {
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode guard;
        auto mean = torchrt::toTorch(p.mean), logvar = torchrt::toTorch(p.logvar);
        auto gen = at::detail::createCPUGenerator(seed);
        auto eps = torch::randn(mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32));
        return torchrt::toHost(mean + torch::exp(0.5 * logvar) * eps);
    });
}

HostTensor AutoencoderKl::samplePosterior(const VaePosterior &p, const std::vector<uint64_t> &tileSeeds) const
{
    if (p.mean.shape.empty() || int64_t(tileSeeds.size()) != p.mean.shape[0])
        throw Error("posterior sampling: " + std::to_string(tileSeeds.size()) + " noise seeds for a batch of " +
                    std::to_string(p.mean.shape.empty() ? 0 : p.mean.shape[0]));
    return guarded("sample", [&] {
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode guard;
        auto mean = torchrt::toTorch(p.mean), logvar = torchrt::toTorch(p.logvar);
        std::vector<torch::Tensor> eps;
        for (size_t i = 0; i < tileSeeds.size(); ++i) {
            auto gen = at::detail::createCPUGenerator(tileSeeds[i]);
            eps.push_back(torch::randn(mean.sizes().slice(1), gen, torch::TensorOptions().dtype(torch::kFloat32)));
        }
        return torchrt::toHost(mean + torch::exp(0.5 * logvar) * torch::stack(eps));
    });
}

VaeRoundTrip AutoencoderKl::roundTrip(const HostTensor &x, const VaeRoundTripOptions &o) const
{
    return guarded("roundTrip", [&] {
        requireImage(x, d->config.inChannels, "VAE input");
        d->checkSpatial(x);
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode guard;
        VaeRoundTrip r;
        torch::Tensor mean, logvar;
        {
            torchrt::AutocastScope ac(d->runtime);
            std::tie(mean, logvar) = d->meanLogvar(d->net->moments(d->input(x), nullptr));
        }
        torch::Tensor z = mean;
        if (o.samplePosterior) {
            auto gen = at::detail::createCPUGenerator(o.seed); // CPU noise: identical on every device
            auto eps = torch::randn(mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32)).to(mean.device());
            z = mean + torch::exp(0.5 * logvar) * eps;
        }
        const double shift = d->config.shiftFactor.value_or(0.0);
        torch::Tensor decoderInput = z;
        if (o.applyScaling) {
            auto latent = (z - shift) * d->config.scalingFactor;
            if (o.wantLatent) r.latent = torchrt::toHost(latent);
            decoderInput = latent / d->config.scalingFactor + shift;
        } else if (o.wantLatent) {
            r.latent = torchrt::toHost(z);
        }
        {
            torchrt::AutocastScope ac(d->runtime);
            auto in = decoderInput;
            if (d->runtime.channelsLast) in = in.contiguous(torch::MemoryFormat::ChannelsLast);
            r.decoded = torchrt::toHost(d->net->decode(in, nullptr));
        }
        r.posterior = {torchrt::toHost(mean), torchrt::toHost(logvar)};
        return r;
    });
}

} // namespace cprecon
