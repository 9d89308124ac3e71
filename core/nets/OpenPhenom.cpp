// OpenPhenom CA-MAE ViT-S/16 encoder and its `predict()` pooling (fixtures/openphenom/README.md).
#include "nets/private/OpenPhenom.h"

#include "nets/private/DnnlMatmul.h"
#include "nets/private/FeatureNetTorch.h"
#include "util/Error.h"

#include <cmath>

namespace cprecon::openphenom {

ParallelScalingBlockImpl::ParallelScalingBlockImpl(int64_t dim_, int64_t heads_, int64_t mlpHidden_)
    : dim(dim_), heads(heads_), headDim(dim_ / heads_), mlpHidden(mlpHidden_)
{
    using torch::nn::LayerNormOptions;
    mlp_bias = register_parameter("mlp_bias", torch::zeros({mlpHidden}));
    in_norm = register_module("in_norm", torch::nn::LayerNorm(LayerNormOptions({dim}).eps(1e-6)));
    in_proj = register_module("in_proj", torch::nn::Linear(torch::nn::LinearOptions(dim, mlpHidden + 3 * dim).bias(false)));
    q_norm = register_module("q_norm", torch::nn::LayerNorm(LayerNormOptions({headDim}).eps(1e-6)));
    k_norm = register_module("k_norm", torch::nn::LayerNorm(LayerNormOptions({headDim}).eps(1e-6)));
    attn_out_proj = register_module("attn_out_proj", torch::nn::Linear(dim, dim));
    mlp_out_proj = register_module("mlp_out_proj", torch::nn::Linear(mlpHidden, dim));
    ls = register_module("ls", LayerScale(dim));
}

void ParallelScalingBlockImpl::prepare()
{
    torch::NoGradGuard noGrad;
    fusedBias = torch::cat({torch::zeros({3 * dim}), mlp_bias}).contiguous();
    outWeight = torch::cat({attn_out_proj->weight, mlp_out_proj->weight}, 1).contiguous();
    outBias = (attn_out_proj->bias + mlp_out_proj->bias).contiguous();
}

// LibTorch 1.13's CPU layer_norm refuses a bf16 input with fp32 weights, which is what a bf16-autocast linear hands
// it: normalise in fp32 (autocast's policy for norms on CUDA); the next matmul casts back to bf16.
static torch::Tensor normInFloat(torch::nn::LayerNorm &norm, const torch::Tensor &t)
{
    return norm->forward(t.scalar_type() == torch::kFloat ? t : t.to(torch::kFloat));
}

torch::Tensor ParallelScalingBlockImpl::forward(const torch::Tensor &x)
{
    if (fusedBias.device() == x.device()) {
        if (dnnl_mm::usable(x)) return forwardFused(x, false);
        if (inProjBf16.defined() && dnnl_mm::usableBf16(x)) return forwardFused(x, true);
    }
    return forwardOps(x);
}

void ParallelScalingBlockImpl::prepareBf16()
{
    torch::NoGradGuard noGrad;
    inProjBf16 = in_proj->weight.to(torch::kBFloat16).contiguous();
    outWeightBf16 = outWeight.to(torch::kBFloat16).contiguous();
}

// The same block in five oneDNN products. The MLP half of in_proj gets its bias and GELU in the product's epilogue
// and is written beside the attention output, so both output projections are one product over K = dim + mlpHidden
// whose epilogue adds the bias, scales by LayerScale and adds the residual. q·kᵀ carries the 1/√d scale; P·v writes
// heads straight into token-major order (no transpose copy). bf16: the products' operands are bf16 (as autocast
// would cast them), LayerNorm statistics, softmax and the residual stream stay fp32.
torch::Tensor ParallelScalingBlockImpl::forwardFused(const torch::Tensor &x, bool bf16)
{
    const int64_t B = x.size(0), N = x.size(1);
    const torch::Dtype op = bf16 ? torch::kBFloat16 : torch::kFloat; // the products' operands
    const auto h = in_norm->forward(x).to(op);
    const auto &w = bf16 ? inProjBf16 : in_proj->weight; // [mlpHidden + 3·dim, dim]: rows [MLP | q | k | v]
    auto act = torch::empty({B, N, dim + mlpHidden}, x.options().dtype(op)); // [attention | GELU(MLP)]
    dnnl_mm::Epilogue mlp;
    mlp.bias = fusedBias.narrow(0, 0, mlpHidden);
    mlp.gelu = true;
    dnnl_mm::matmulInto(h, w.narrow(0, 0, mlpHidden).t(), act.narrow(2, dim, mlpHidden), mlp);
    dnnl_mm::Epilogue qkvBias;
    qkvBias.bias = fusedBias.narrow(0, mlpHidden, 3 * dim);
    const auto qkv = dnnl_mm::matmul(h, w.narrow(0, mlpHidden, 3 * dim).t(), qkvBias, op); // B×N×3·dim
    auto heads4 = [&](const torch::Tensor &t) { return t.view({B, N, heads, headDim}).transpose(1, 2); };
    const auto q = normInFloat(q_norm, heads4(qkv.narrow(2, 0, dim))).to(op);
    const auto k = normInFloat(k_norm, heads4(qkv.narrow(2, dim, dim))).to(op);
    const auto v = heads4(qkv.narrow(2, 2 * dim, dim));
    dnnl_mm::Epilogue scaled;
    scaled.scale = float(1.0 / std::sqrt(static_cast<double>(headDim)));
    const auto attn = dnnl_mm::matmul(q, k.transpose(-2, -1), scaled).softmax(-1).to(op); // B×heads×N×N
    dnnl_mm::matmulInto(attn, v, heads4(act.narrow(2, 0, dim)));
    dnnl_mm::Epilogue out;
    out.bias = outBias;
    out.mul = ls->gamma;
    out.add = x;
    return dnnl_mm::matmul(act, (bf16 ? outWeightBf16 : outWeight).t(), out);
}

torch::Tensor ParallelScalingBlockImpl::forwardOps(const torch::Tensor &x)
{
    const int64_t B = x.size(0), N = x.size(1);
    auto y = torch::linear(normInFloat(in_norm, x), in_proj->weight, fusedBias);
    auto parts = y.split_with_sizes({mlpHidden, dim, dim, dim}, -1);
    auto heads4 = [&](const torch::Tensor &t) { return t.reshape({B, N, heads, headDim}).transpose(1, 2); };
    auto q = normInFloat(q_norm, heads4(parts[1])) * (1.0 / std::sqrt(static_cast<double>(headDim)));
    auto k = normInFloat(k_norm, heads4(parts[2]));
    auto v = heads4(parts[3]);
    auto attn = torch::matmul(q, k.transpose(-2, -1)).softmax(-1);
    auto xa = torch::matmul(attn, v).transpose(1, 2).reshape({B, N, dim});
    xa = attn_out_proj->forward(xa);
    auto xm = mlp_out_proj->forward(torch::gelu(parts[0])); // exact erf GELU
    return x + ls->gamma * (xa + xm);
}

VitBackboneImpl::VitBackboneImpl(int64_t dim_, int64_t depth, int64_t heads, int64_t mlpHidden, int64_t patch_,
                                 int64_t maxTokens)
    : dim(dim_), patch(patch_)
{
    cls_token = register_parameter("cls_token", torch::zeros({1, 1, dim}));
    pos_embed = register_parameter("pos_embed", torch::zeros({1, maxTokens, dim}));
    patch_embed = register_module("patch_embed", PatchEmbed(dim, patch));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int64_t i = 0; i < depth; ++i) blocks->push_back(ParallelScalingBlock(dim, heads, mlpHidden));
}

void VitBackboneImpl::prepare()
{
    for (auto &b : *blocks) b->as<ParallelScalingBlockImpl>()->prepare();
}

void VitBackboneImpl::prepareBf16()
{
    for (auto &b : *blocks) b->as<ParallelScalingBlockImpl>()->prepareBf16();
}

torch::Tensor VitBackboneImpl::forwardFeatures(const torch::Tensor &x, std::map<std::string, torch::Tensor> *taps)
{
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    // Channel-agnostic patch embedding: every channel through the same 1-channel conv, tokens channel-major.
    auto t = patch_embed->proj->forward(x.reshape({N * C, 1, H, W})); // (N·C)×dim×gh×gw
    const int64_t perChannel = t.size(2) * t.size(3);
    t = t.flatten(2).transpose(1, 2).reshape({N, C * perChannel, dim});
    if (taps) (*taps)["patch_embed_out"] = t;
    t = torch::cat({cls_token.expand({N, 1, dim}), t}, 1);
    t = t + pos_embed.narrow(1, 0, 1 + C * perChannel);
    int i = 0;
    for (auto &b : *blocks) {
        t = b->as<ParallelScalingBlockImpl>()->forward(t);
        if (taps) (*taps)["block" + std::to_string(i) + "_out"] = t;
        ++i;
    }
    return t; // no final norm: timm's global_pool="avg" moves it to fc_norm, which predict() never applies
}

torch::Tensor openPhenomInputNorm(const torch::Tensor &x01, bool paperDoubleNormalisation)
{
    auto x = x01;
    if (paperDoubleNormalisation) x = x / 255.0; // the paper's [0,1] input divided by 255 again by the model
    return torch::instance_norm(x, {}, {}, {}, {}, /*use_input_stats=*/true, 0.1, 1e-5, /*cudnn_enabled=*/false);
}

} // namespace cprecon::openphenom

namespace cprecon::featnet {

namespace {

constexpr const char *kWhat = "OpenPhenom encoder (CA-MAE ViT-S/16)";

struct VitConfig {
    int64_t dim = 384, depth = 12, heads = 6, mlpHidden = 1536, patch = 16, maxTokens = 1 + 11 * 256;
};

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Architecture hyper-parameters read off the checkpoint's shapes (ViT-S/16 for the published model).
VitConfig configFrom(const StateDict &sd, const std::string &p)
{
    auto shape = [&](const std::string &k) -> const std::vector<int64_t> & { return sd.tensors.at(p + k).shape; };
    auto bad = [&](const std::string &k) {
        throw Error("checkpoint does not fit " + std::string(kWhat) + ": unexpected shape of " + p + k, sd.source,
                    "give the OpenPhenom checkpoint (recursionpharma/OpenPhenom)");
    };
    VitConfig c;
    if (shape("cls_token").size() != 3) bad("cls_token");
    c.dim = shape("cls_token")[2];
    c.depth = 0;
    while (sd.contains(p + "blocks." + std::to_string(c.depth) + ".in_proj.weight")) ++c.depth;
    if (!sd.contains(p + "blocks.0.q_norm.weight") || shape("blocks.0.q_norm.weight").size() != 1)
        bad("blocks.0.q_norm.weight");
    const int64_t headDim = shape("blocks.0.q_norm.weight")[0];
    if (headDim <= 0 || c.dim % headDim != 0) bad("blocks.0.q_norm.weight");
    c.heads = c.dim / headDim;
    if (sd.contains(p + "blocks.0.mlp_bias") && shape("blocks.0.mlp_bias").size() == 1)
        c.mlpHidden = shape("blocks.0.mlp_bias")[0];
    if (shape("patch_embed.proj.weight").size() != 4) bad("patch_embed.proj.weight");
    c.patch = shape("patch_embed.proj.weight")[2];
    if (sd.contains(p + "pos_embed")) {
        if (shape("pos_embed").size() != 3) bad("pos_embed");
        c.maxTokens = shape("pos_embed")[1];
    }
    return c;
}

class OpenPhenomExtractor final : public FeatureExtractor {
public:
    OpenPhenomExtractor(const StateDict *sd, const FeatureOptions &opt) : m_opt(opt)
    {
        torchrt::followComputeBudget();
        VitConfig cfg;
        std::string prefix;
        bool tableFromCheckpoint = false;
        if (sd) {
            if (!findPrefix(*sd, "cls_token", {"patch_embed.proj.weight", "blocks.0.in_proj.weight"}, &prefix))
                throwNotThisNetwork(*sd, kWhat,
                                    {"encoder.vit_backbone.cls_token", "encoder.vit_backbone.patch_embed.proj.weight",
                                     "encoder.vit_backbone.blocks.0.in_proj.weight",
                                     "encoder.vit_backbone.blocks.0.q_norm.weight"},
                                    "give the OpenPhenom checkpoint (recursionpharma/OpenPhenom model.safetensors)");
            cfg = configFrom(*sd, prefix);
            tableFromCheckpoint = sd->contains(prefix + "pos_embed");
        }
        m_net = openphenom::VitBackbone(cfg.dim, cfg.depth, cfg.heads, cfg.mlpHidden, cfg.patch, cfg.maxTokens);
        if (sd) {
            // fc_norm / head exist in timm's module but predict() never uses them.
            loadModule(*m_net, *sd, prefix, kWhat,
                       [](const std::string &k) { return k.rfind("fc_norm.", 0) == 0 || k.rfind("head.", 0) == 0; },
                       [&](const std::string &name) { return name == "pos_embed" && !tableFromCheckpoint; });
        } else {
            torch::NoGradGuard noGrad;
            for (auto &p : m_net->named_parameters())
                if (endsWith(p.key(), "mlp_bias") || endsWith(p.key(), "cls_token")) p.value().normal_(0, 0.02);
        }
        if (!tableFromCheckpoint) {
            // The table is fixed (not learned): build it when the checkpoint does not carry it.
            torch::NoGradGuard noGrad;
            const int64_t grid = 256 / cfg.patch;
            m_net->pos_embed.copy_(
                sincosPosEmbed(grid, cfg.dim, (cfg.maxTokens - 1) / (grid * grid)).narrow(1, 0, cfg.maxTokens));
        }
        m_net->eval();
        m_net->prepare();
        m_device = torchrt::device(runtimeOf(opt));
        m_net->to(m_device); // after loading and folding on the CPU
        if (opt.precision == Precision::Bf16 && m_device.is_cpu()) m_net->prepareBf16();
    }

    std::string name() const override { return "openphenom"; }
    std::vector<int64_t> featureShape(int64_t channels) const override { return {channels, m_net->dim}; }
    std::vector<std::string> taps() const override
    {
        std::vector<std::string> t = {"normalized", "patch_embed_out", "forward_features"};
        for (size_t i = 0; i < m_net->blocks->size(); ++i) t.push_back("block" + std::to_string(i) + "_out");
        return t;
    }

    FloatArray extract(const ImageBatchU8 &images) override { return run(batchView(images), {}).at("channelwise_embeddings"); }
    FloatArray extract(const ImageBatchF32 &images) override { return run(batchView(images), {}).at("channelwise_embeddings"); }
    NamedArrays extractAll(const ImageBatchU8 &images, const std::vector<std::string> &wanted) override
    {
        return run(batchView(images), wanted);
    }

private:
    NamedArrays run(const BatchView &images, const std::vector<std::string> &wanted)
    {
        check(images, wanted);
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode inference;
        torchrt::AutocastScope autocast(runtimeOf(m_opt));
        std::map<std::string, std::vector<torch::Tensor>> parts;
        const int64_t step = std::max(1, m_opt.batchSize);
        for (int64_t b = 0; b < images.n; b += step) {
            const auto x = openphenom::openPhenomInputNorm(images.slice(b, std::min(images.n, b + step)),
                                                           m_opt.paperDoubleNormalisation)
                               .to(m_device);
            std::map<std::string, torch::Tensor> taps;
            auto feats = m_net->forwardFeatures(x, wanted.empty() ? nullptr : &taps);
            const int64_t N = feats.size(0), C = images.c, D = feats.size(2);
            auto tokens = feats.narrow(1, 1, feats.size(1) - 1); // drop CLS
            parts["channelwise_embeddings"].push_back(tokens.reshape({N, C, -1, D}).mean(2));
            parts["embedding"].push_back(tokens.mean(1));
            taps["normalized"] = x;
            taps["forward_features"] = feats;
            for (const auto &w : wanted) parts[w].push_back(taps.at(w).contiguous());
        }
        NamedArrays out;
        for (auto &kv : parts) out[kv.first] = toFloatArray(torch::cat(kv.second, 0));
        return out;
    }

    void check(const BatchView &images, const std::vector<std::string> &wanted) const
    {
        if (images.empty || images.n <= 0) throw Error("no images given to openphenom");
        const int64_t grid = 256 / m_net->patch;
        const int64_t maxChannels = (m_net->pos_embed.size(1) - 1) / (grid * grid);
        if (images.h != 256 || images.w != 256)
            throw Error("OpenPhenom takes 256×256 tiles, got " + std::to_string(images.h) + "×" +
                            std::to_string(images.w),
                        "", "tile the images into 256×256 crops first");
        if (images.c < 1 || images.c > maxChannels)
            throw Error("OpenPhenom takes 1.." + std::to_string(maxChannels) + " channels, got " +
                        std::to_string(images.c));
        const auto known = taps();
        for (const auto &w : wanted)
            if (std::find(known.begin(), known.end(), w) == known.end())
                throw Error("openphenom has no intermediate '" + w + "'");
    }

    FeatureOptions m_opt;
    torch::Device m_device{torch::kCPU};
    openphenom::VitBackbone m_net{nullptr};
};

} // namespace

std::unique_ptr<FeatureExtractor> makeOpenPhenomExtractor(const StateDict *weights, const FeatureOptions &options)
{
    return std::make_unique<OpenPhenomExtractor>(weights, options);
}

} // namespace cprecon::featnet
