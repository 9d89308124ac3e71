#pragma once
// InceptionV3 as LibTorch modules mirroring torchvision's module tree, so checkpoint keys map 1:1
// (Conv2d_1a_3x3.conv.weight, Mixed_5b.branch1x1.bn.running_var, fc.weight, ...). One class serves both
// torchvision's network and pytorch-fid's FID variant, which differ only in the pool branches:
//   torchvision: avg_pool2d(3, 1, 1) with count_include_pad=True in every InceptionA/C/E;
//   pytorch-fid: count_include_pad=False in FIDInceptionA/C/E_1, and max_pool2d(3, 1, 1) in Mixed_7c (E_2).
// AuxLogits is not built (eval-mode forward never uses it). Internal header: include only from core/models/*.cpp.
#include "nets/private/DnnlConv.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace cprecon::inception {

enum class PoolBranch { AvgCountPad, AvgNoCountPad, Max };

// x ↦ scale_c·x + shift_c per input channel.
struct InputAffine {
    std::vector<double> scale, shift;
};

// conv (no bias) → BatchNorm (eps 1e-3) → ReLU. After loading, fuse() folds the eval-mode BatchNorm into the
// convolution (one op instead of three); forward() uses the folded weights once fused. Under autocast the folded
// weights are stored in the autocast dtype: autocast re-casts a plain tensor on every call (it caches only
// parameters), which cost the bf16 path a third of its time.
struct BasicConv2dImpl : torch::nn::Module {
    BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel, torch::ExpandingArray<2> stride = 1,
                    torch::ExpandingArray<2> padding = 0);
    torch::Tensor forward(const torch::Tensor &x);
    // `input` (optional): a per-channel affine x ↦ scale_c·x + shift_c that the caller no longer applies to this
    // convolution's input, folded into the weights and bias (only without padding, where it is exact up to
    // rounding: a padded border would see shift_c instead of 0).
    void fuse(bool channelsLast, torch::Dtype dtype, const InputAffine *input = nullptr);

    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
    torch::Tensor fusedWeight, fusedBias;
    torch::ExpandingArray<2> stride_, padding_;
    // fp32 channels_last on the CPU: the folded conv + ReLU as one oneDNN primitive with pre-packed weights.
    std::shared_ptr<dnnl_conv::Conv2d> packed;
};
TORCH_MODULE(BasicConv2d);

// The 1×1 convolutions of one block that read the block's input, run as ONE oneDNN convolution with their weights
// side by side: one product 176–1152 channels wide instead of two or three of 48–448, which keeps both cores busy
// where a narrow one leaves a thread waiting at the barrier, and reads the input once. Built only where every part
// has its packed fp32 channels_last convolution; the modules (and checkpoint keys) stay as they are.
struct SharedInput1x1 {
    std::shared_ptr<dnnl_conv::Conv2d> conv;
    std::vector<int64_t> widths;
    void build(const std::vector<BasicConv2dImpl *> &parts);
    // The parts' outputs in order (channel views of one tensor), or nothing when not built or `x` is not usable.
    std::vector<torch::Tensor> forward(const torch::Tensor &x) const;
};

struct InceptionAImpl : torch::nn::Module {
    InceptionAImpl(int64_t in, int64_t poolFeatures, PoolBranch pool);
    torch::Tensor forward(const torch::Tensor &x);
    void prepare(); // after fuse(): the shared-input 1×1 convolutions
    SharedInput1x1 shared;
    BasicConv2d branch1x1{nullptr}, branch5x5_1{nullptr}, branch5x5_2{nullptr}, branch3x3dbl_1{nullptr},
        branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr}, branch_pool{nullptr};
    PoolBranch pool;
};
TORCH_MODULE(InceptionA);

struct InceptionBImpl : torch::nn::Module {
    explicit InceptionBImpl(int64_t in);
    torch::Tensor forward(const torch::Tensor &x);
    BasicConv2d branch3x3{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr};
};
TORCH_MODULE(InceptionB);

struct InceptionCImpl : torch::nn::Module {
    InceptionCImpl(int64_t in, int64_t c7, PoolBranch pool);
    torch::Tensor forward(const torch::Tensor &x);
    void prepare(); // after fuse(): the shared-input 1×1 convolutions
    SharedInput1x1 shared;
    BasicConv2d branch1x1{nullptr}, branch7x7_1{nullptr}, branch7x7_2{nullptr}, branch7x7_3{nullptr},
        branch7x7dbl_1{nullptr}, branch7x7dbl_2{nullptr}, branch7x7dbl_3{nullptr}, branch7x7dbl_4{nullptr},
        branch7x7dbl_5{nullptr}, branch_pool{nullptr};
    PoolBranch pool;
};
TORCH_MODULE(InceptionC);

struct InceptionDImpl : torch::nn::Module {
    explicit InceptionDImpl(int64_t in);
    torch::Tensor forward(const torch::Tensor &x);
    void prepare(); // after fuse(): the shared-input 1×1 convolutions
    SharedInput1x1 shared;
    BasicConv2d branch3x3_1{nullptr}, branch3x3_2{nullptr}, branch7x7x3_1{nullptr}, branch7x7x3_2{nullptr},
        branch7x7x3_3{nullptr}, branch7x7x3_4{nullptr};
};
TORCH_MODULE(InceptionD);

struct InceptionEImpl : torch::nn::Module {
    InceptionEImpl(int64_t in, PoolBranch pool);
    torch::Tensor forward(const torch::Tensor &x);
    void prepare(); // after fuse(): the shared-input 1×1 convolutions
    SharedInput1x1 shared;
    BasicConv2d branch1x1{nullptr}, branch3x3_1{nullptr}, branch3x3_2a{nullptr}, branch3x3_2b{nullptr},
        branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3a{nullptr}, branch3x3dbl_3b{nullptr},
        branch_pool{nullptr};
    PoolBranch pool;
};
TORCH_MODULE(InceptionE);

// Recorded activations by stage name: maxpool1, maxpool2, Mixed_5b … Mixed_7c (pytorch-fid's block0..block3
// are the same tensors as maxpool1, maxpool2, Mixed_6e and the pooled output).
using Taps = std::map<std::string, torch::Tensor>;

struct InceptionV3Impl : torch::nn::Module {
    // fidVariant: pytorch-fid's pool branches. numClasses = 0 builds no fc (the FID network never uses it).
    InceptionV3Impl(bool fidVariant, int64_t numClasses, bool transformInput);
    // x: N×3×299×299 network input — or, once fuse() folded the input normalisation, the resized x01. Returns
    // N×2048 pooled features; records stages into `taps` when given.
    torch::Tensor features(torch::Tensor x, Taps *taps = nullptr);
    torch::Tensor logits(const torch::Tensor &pooled);
    // Folds every BatchNorm after loading and moving to the device; with `input`, also the recipe's normalisation
    // (and transform_input on top of it) into Conv2d_1a_3x3, after which features() takes the resized x01.
    void fuse(bool channelsLast, torch::Dtype dtype, const InputAffine *input = nullptr);

    bool fidVariant, transformInput;
    bool inputFolded = false;
    BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr}, Conv2d_3b_1x1{nullptr},
        Conv2d_4a_3x3{nullptr};
    InceptionA Mixed_5b{nullptr}, Mixed_5c{nullptr}, Mixed_5d{nullptr};
    InceptionB Mixed_6a{nullptr};
    InceptionC Mixed_6b{nullptr}, Mixed_6c{nullptr}, Mixed_6d{nullptr}, Mixed_6e{nullptr};
    InceptionD Mixed_7a{nullptr};
    InceptionE Mixed_7b{nullptr}, Mixed_7c{nullptr};
    torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(InceptionV3);

} // namespace cprecon::inception
