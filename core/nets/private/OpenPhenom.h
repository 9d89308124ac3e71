#pragma once
// OpenPhenom (Recursion CA-MAE ViT-S/16) encoder as LibTorch modules named like the hub checkpoint's
// `encoder.vit_backbone.*` keys (fixtures/openphenom/keys.txt). Internal header: include only from
// core/models/*.cpp; the public API is FeatureExtractor.h ("openphenom").
#include <torch/torch.h>

#include <map>
#include <string>

namespace cprecon::openphenom {

// timm LayerScale: `ls.gamma`.
struct LayerScaleImpl : torch::nn::Module {
    explicit LayerScaleImpl(int64_t dim) { gamma = register_parameter("gamma", torch::ones({dim})); }
    torch::Tensor gamma;
};
TORCH_MODULE(LayerScale);

// timm 1.0.11 ParallelScalingBlock (ViT-22B style): one LayerNorm, one fused input projection whose 2688 outputs
// are [MLP 1536 | q 384 | k 384 | v 384] with bias cat(zeros(3·dim), mlp_bias) — timm's own ordering, which puts
// the zeros on the first MLP outputs and mlp_bias on the rest; reproduced as is. Per-head q/k LayerNorm,
// exact-erf GELU, LayerScale on the sum of both branches, one residual.
struct ParallelScalingBlockImpl : torch::nn::Module {
    ParallelScalingBlockImpl(int64_t dim, int64_t heads, int64_t mlpHidden);
    torch::Tensor forward(const torch::Tensor &x);

    int64_t dim, heads, headDim, mlpHidden;
    torch::Tensor mlp_bias;
    torch::nn::LayerNorm in_norm{nullptr}, q_norm{nullptr}, k_norm{nullptr};
    torch::nn::Linear in_proj{nullptr}, attn_out_proj{nullptr}, mlp_out_proj{nullptr};
    LayerScale ls{nullptr};
    torch::Tensor fusedBias; // cat(zeros(3·dim), mlp_bias), built by prepare()
    torch::Tensor outWeight; // [attn_out_proj.weight | mlp_out_proj.weight]: both output projections as one product
    torch::Tensor outBias;   // attn_out_proj.bias + mlp_out_proj.bias
    torch::Tensor inProjBf16, outWeightBf16; // the products' weights for the bf16 path (prepareBf16)
    void prepare();
    void prepareBf16();

private:
    // On the CPU: oneDNN products with fused epilogues, operands in fp32 or (under bf16 autocast) bf16.
    torch::Tensor forwardFused(const torch::Tensor &x, bool bf16);
    torch::Tensor forwardOps(const torch::Tensor &x);   // LibTorch ops (bf16 autocast, CUDA)
};
TORCH_MODULE(ParallelScalingBlock);

// timm PatchEmbed: only `proj`; channel-agnostic, so ONE Conv2d(1, dim, p, stride p) is applied to every channel.
struct PatchEmbedImpl : torch::nn::Module {
    PatchEmbedImpl(int64_t dim, int64_t patch)
    {
        proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, dim, patch).stride(patch)));
    }
    torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

struct VitBackboneImpl : torch::nn::Module {
    VitBackboneImpl(int64_t dim, int64_t depth, int64_t heads, int64_t mlpHidden, int64_t patch, int64_t maxTokens);
    // x: N×C×H×W self-standardised input. Returns N×(1 + C·(H/p)·(W/p))×dim tokens (CLS first, channel-major).
    // When `taps` is given, records patch_embed_out and block<i>_out.
    torch::Tensor forwardFeatures(const torch::Tensor &x, std::map<std::string, torch::Tensor> *taps = nullptr);
    void prepare();
    void prepareBf16(); // for bf16 autocast on the CPU: the blocks' weights in bf16 once

    int64_t dim, patch;
    torch::Tensor cls_token, pos_embed;
    PatchEmbed patch_embed{nullptr};
    torch::nn::ModuleList blocks{nullptr};
};
TORCH_MODULE(VitBackbone);

// The model's own input normalisation of x01 = pixels in [0, 1] (u8 / 255; /255 again with the paper's quirk), then
// per image and channel (x − mean)/sqrt(biased var + 1e-5) (InstanceNorm2d without affine).
torch::Tensor openPhenomInputNorm(const torch::Tensor &x01, bool paperDoubleNormalisation);

} // namespace cprecon::openphenom
