#include "nets/private/InceptionV3.h"

#include "nets/private/DnnlMatmul.h"

namespace cprecon::inception {

namespace F = torch::nn::functional;

BasicConv2dImpl::BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                                 torch::ExpandingArray<2> stride, torch::ExpandingArray<2> padding)
    : stride_(stride), padding_(padding)
{
    conv = register_module(
        "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false)));
    bn = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out).eps(0.001)));
}

void BasicConv2dImpl::fuse(bool channelsLast, torch::Dtype dtype, const InputAffine *input)
{
    torch::NoGradGuard noGrad;
    // eval BN: y = (x − mean)·γ/√(var+eps) + β, folded into the conv's weight and a bias.
    const auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    auto w = conv->weight * scale.view({-1, 1, 1, 1});
    auto b = bn->bias - bn->running_mean * scale;
    if (input) {
        if ((*padding_)[0] != 0 || (*padding_)[1] != 0)
            throw std::logic_error("an input affine folds only into an unpadded convolution");
        const auto opts = w.options().dtype(torch::kFloat64);
        const auto a = torch::tensor(input->scale, opts).view({1, -1, 1, 1});
        const auto c = torch::tensor(input->shift, opts).view({1, -1, 1, 1});
        const auto w64 = w.to(torch::kFloat64);
        b = (b.to(torch::kFloat64) + (w64 * c).sum({1, 2, 3})).to(torch::kFloat32);
        w = (w64 * a).to(torch::kFloat32);
    }
    fusedWeight = w.to(dtype).contiguous();
    if (channelsLast) fusedWeight = fusedWeight.contiguous(torch::MemoryFormat::ChannelsLast);
    fusedBias = b.to(dtype).contiguous();
    packed.reset();
    if (channelsLast && dtype == torch::kFloat32 && w.device().is_cpu())
        packed = std::make_shared<dnnl_conv::Conv2d>(w, b, std::array<int64_t, 2>{(*stride_)[0], (*stride_)[1]},
                                                     std::array<int64_t, 2>{(*padding_)[0], (*padding_)[1]},
                                                     /*relu=*/true);
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor &x)
{
    if (packed && dnnl_conv::Conv2d::usable(x)) return packed->forward(x);
    if (fusedWeight.defined())
        return torch::conv2d(x, fusedWeight, fusedBias, stride_, padding_).relu_();
    return torch::relu(bn->forward(conv->forward(x)));
}

void SharedInput1x1::build(const std::vector<BasicConv2dImpl *> &parts)
{
    conv.reset();
    widths.clear();
    std::vector<torch::Tensor> w, b;
    for (const BasicConv2dImpl *p : parts) {
        if (!p->packed || p->packed->stride() != std::array<int64_t, 2>{1, 1} ||
            p->packed->padding() != std::array<int64_t, 2>{0, 0} || p->packed->weight().size(2) != 1 ||
            p->packed->weight().size(3) != 1)
            return;
        w.push_back(p->packed->weight());
        b.push_back(p->packed->bias());
        widths.push_back(p->packed->weight().size(0));
    }
    conv = std::make_shared<dnnl_conv::Conv2d>(torch::cat(w, 0), torch::cat(b, 0), std::array<int64_t, 2>{1, 1},
                                               std::array<int64_t, 2>{0, 0}, /*relu=*/true);
}

std::vector<torch::Tensor> SharedInput1x1::forward(const torch::Tensor &x) const
{
    if (!conv || !dnnl_conv::Conv2d::usable(x)) return {};
    const auto y = conv->forward(x);
    std::vector<torch::Tensor> out;
    int64_t at = 0;
    for (const int64_t w : widths) {
        out.push_back(y.narrow(1, at, w));
        at += w;
    }
    return out;
}

static torch::Tensor poolBranch(const torch::Tensor &x, PoolBranch kind)
{
    switch (kind) {
    case PoolBranch::AvgCountPad:
        return torch::avg_pool2d(x, 3, 1, 1, false, /*count_include_pad=*/true);
    case PoolBranch::AvgNoCountPad:
        return torch::avg_pool2d(x, 3, 1, 1, false, /*count_include_pad=*/false);
    case PoolBranch::Max:
        return torch::max_pool2d(x, 3, 1, 1);
    }
    return x;
}

InceptionAImpl::InceptionAImpl(int64_t in, int64_t poolFeatures, PoolBranch pool) : pool(pool)
{
    branch1x1 = register_module("branch1x1", BasicConv2d(in, 64, 1));
    branch5x5_1 = register_module("branch5x5_1", BasicConv2d(in, 48, 1));
    branch5x5_2 = register_module("branch5x5_2", BasicConv2d(48, 64, 5, 1, 2));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", BasicConv2d(in, 64, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", BasicConv2d(64, 96, 3, 1, 1));
    branch3x3dbl_3 = register_module("branch3x3dbl_3", BasicConv2d(96, 96, 3, 1, 1));
    branch_pool = register_module("branch_pool", BasicConv2d(in, poolFeatures, 1));
}

void InceptionAImpl::prepare() { shared.build({branch1x1.get(), branch5x5_1.get(), branch3x3dbl_1.get()}); }

torch::Tensor InceptionAImpl::forward(const torch::Tensor &x)
{
    const auto s = shared.forward(x);
    auto b1 = s.empty() ? branch1x1->forward(x) : s[0];
    auto b5 = branch5x5_2->forward(s.empty() ? branch5x5_1->forward(x) : s[1]);
    auto b3 = branch3x3dbl_3->forward(branch3x3dbl_2->forward(s.empty() ? branch3x3dbl_1->forward(x) : s[2]));
    auto bp = branch_pool->forward(poolBranch(x, pool));
    return torch::cat({b1, b5, b3, bp}, 1);
}

InceptionBImpl::InceptionBImpl(int64_t in)
{
    branch3x3 = register_module("branch3x3", BasicConv2d(in, 384, 3, 2));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", BasicConv2d(in, 64, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", BasicConv2d(64, 96, 3, 1, 1));
    branch3x3dbl_3 = register_module("branch3x3dbl_3", BasicConv2d(96, 96, 3, 2));
}

torch::Tensor InceptionBImpl::forward(const torch::Tensor &x)
{
    auto b3 = branch3x3->forward(x);
    auto bd = branch3x3dbl_3->forward(branch3x3dbl_2->forward(branch3x3dbl_1->forward(x)));
    auto bp = torch::max_pool2d(x, 3, 2);
    return torch::cat({b3, bd, bp}, 1);
}

InceptionCImpl::InceptionCImpl(int64_t in, int64_t c7, PoolBranch pool) : pool(pool)
{
    using EA = torch::ExpandingArray<2>;
    branch1x1 = register_module("branch1x1", BasicConv2d(in, 192, 1));
    branch7x7_1 = register_module("branch7x7_1", BasicConv2d(in, c7, 1));
    branch7x7_2 = register_module("branch7x7_2", BasicConv2d(c7, c7, EA({1, 7}), 1, EA({0, 3})));
    branch7x7_3 = register_module("branch7x7_3", BasicConv2d(c7, 192, EA({7, 1}), 1, EA({3, 0})));
    branch7x7dbl_1 = register_module("branch7x7dbl_1", BasicConv2d(in, c7, 1));
    branch7x7dbl_2 = register_module("branch7x7dbl_2", BasicConv2d(c7, c7, EA({7, 1}), 1, EA({3, 0})));
    branch7x7dbl_3 = register_module("branch7x7dbl_3", BasicConv2d(c7, c7, EA({1, 7}), 1, EA({0, 3})));
    branch7x7dbl_4 = register_module("branch7x7dbl_4", BasicConv2d(c7, c7, EA({7, 1}), 1, EA({3, 0})));
    branch7x7dbl_5 = register_module("branch7x7dbl_5", BasicConv2d(c7, 192, EA({1, 7}), 1, EA({0, 3})));
    branch_pool = register_module("branch_pool", BasicConv2d(in, 192, 1));
}

void InceptionCImpl::prepare() { shared.build({branch1x1.get(), branch7x7_1.get(), branch7x7dbl_1.get()}); }

torch::Tensor InceptionCImpl::forward(const torch::Tensor &x)
{
    const auto s = shared.forward(x);
    auto b1 = s.empty() ? branch1x1->forward(x) : s[0];
    auto b7 = branch7x7_3->forward(branch7x7_2->forward(s.empty() ? branch7x7_1->forward(x) : s[1]));
    auto bd = s.empty() ? branch7x7dbl_1->forward(x) : s[2];
    bd = branch7x7dbl_5->forward(branch7x7dbl_4->forward(branch7x7dbl_3->forward(branch7x7dbl_2->forward(bd))));
    auto bp = branch_pool->forward(poolBranch(x, pool));
    return torch::cat({b1, b7, bd, bp}, 1);
}

InceptionDImpl::InceptionDImpl(int64_t in)
{
    using EA = torch::ExpandingArray<2>;
    branch3x3_1 = register_module("branch3x3_1", BasicConv2d(in, 192, 1));
    branch3x3_2 = register_module("branch3x3_2", BasicConv2d(192, 320, 3, 2));
    branch7x7x3_1 = register_module("branch7x7x3_1", BasicConv2d(in, 192, 1));
    branch7x7x3_2 = register_module("branch7x7x3_2", BasicConv2d(192, 192, EA({1, 7}), 1, EA({0, 3})));
    branch7x7x3_3 = register_module("branch7x7x3_3", BasicConv2d(192, 192, EA({7, 1}), 1, EA({3, 0})));
    branch7x7x3_4 = register_module("branch7x7x3_4", BasicConv2d(192, 192, 3, 2));
}

void InceptionDImpl::prepare() { shared.build({branch3x3_1.get(), branch7x7x3_1.get()}); }

torch::Tensor InceptionDImpl::forward(const torch::Tensor &x)
{
    const auto s = shared.forward(x);
    auto b3 = branch3x3_2->forward(s.empty() ? branch3x3_1->forward(x) : s[0]);
    auto b7 = branch7x7x3_4->forward(
        branch7x7x3_3->forward(branch7x7x3_2->forward(s.empty() ? branch7x7x3_1->forward(x) : s[1])));
    auto bp = torch::max_pool2d(x, 3, 2);
    return torch::cat({b3, b7, bp}, 1);
}

InceptionEImpl::InceptionEImpl(int64_t in, PoolBranch pool) : pool(pool)
{
    using EA = torch::ExpandingArray<2>;
    branch1x1 = register_module("branch1x1", BasicConv2d(in, 320, 1));
    branch3x3_1 = register_module("branch3x3_1", BasicConv2d(in, 384, 1));
    branch3x3_2a = register_module("branch3x3_2a", BasicConv2d(384, 384, EA({1, 3}), 1, EA({0, 1})));
    branch3x3_2b = register_module("branch3x3_2b", BasicConv2d(384, 384, EA({3, 1}), 1, EA({1, 0})));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", BasicConv2d(in, 448, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", BasicConv2d(448, 384, 3, 1, 1));
    branch3x3dbl_3a = register_module("branch3x3dbl_3a", BasicConv2d(384, 384, EA({1, 3}), 1, EA({0, 1})));
    branch3x3dbl_3b = register_module("branch3x3dbl_3b", BasicConv2d(384, 384, EA({3, 1}), 1, EA({1, 0})));
    branch_pool = register_module("branch_pool", BasicConv2d(in, 192, 1));
}

void InceptionEImpl::prepare() { shared.build({branch1x1.get(), branch3x3_1.get(), branch3x3dbl_1.get()}); }

torch::Tensor InceptionEImpl::forward(const torch::Tensor &x)
{
    const auto s = shared.forward(x);
    auto b1 = s.empty() ? branch1x1->forward(x) : s[0];
    // The 1×3 and 3×1 convolutions below read b3 (bd) twice: one dense copy of a shared-conv view, not two.
    auto b3 = s.empty() ? branch3x3_1->forward(x) : s[1].contiguous(torch::MemoryFormat::ChannelsLast);
    b3 = torch::cat({branch3x3_2a->forward(b3), branch3x3_2b->forward(b3)}, 1);
    auto bd = branch3x3dbl_2->forward(s.empty() ? branch3x3dbl_1->forward(x) : s[2]);
    bd = torch::cat({branch3x3dbl_3a->forward(bd), branch3x3dbl_3b->forward(bd)}, 1);
    auto bp = branch_pool->forward(poolBranch(x, pool));
    return torch::cat({b1, b3, bd, bp}, 1);
}

InceptionV3Impl::InceptionV3Impl(bool fid, int64_t numClasses, bool transform)
    : fidVariant(fid), transformInput(transform)
{
    const PoolBranch avg = fid ? PoolBranch::AvgNoCountPad : PoolBranch::AvgCountPad;
    Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", BasicConv2d(3, 32, 3, 2));
    Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", BasicConv2d(32, 32, 3));
    Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", BasicConv2d(32, 64, 3, 1, 1));
    Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", BasicConv2d(64, 80, 1));
    Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", BasicConv2d(80, 192, 3));
    Mixed_5b = register_module("Mixed_5b", InceptionA(192, 32, avg));
    Mixed_5c = register_module("Mixed_5c", InceptionA(256, 64, avg));
    Mixed_5d = register_module("Mixed_5d", InceptionA(288, 64, avg));
    Mixed_6a = register_module("Mixed_6a", InceptionB(288));
    Mixed_6b = register_module("Mixed_6b", InceptionC(768, 128, avg));
    Mixed_6c = register_module("Mixed_6c", InceptionC(768, 160, avg));
    Mixed_6d = register_module("Mixed_6d", InceptionC(768, 160, avg));
    Mixed_6e = register_module("Mixed_6e", InceptionC(768, 192, avg));
    Mixed_7a = register_module("Mixed_7a", InceptionD(768));
    Mixed_7b = register_module("Mixed_7b", InceptionE(1280, avg));
    Mixed_7c = register_module("Mixed_7c", InceptionE(2048, fid ? PoolBranch::Max : PoolBranch::AvgCountPad));
    if (numClasses > 0) fc = register_module("fc", torch::nn::Linear(2048, numClasses));
}

torch::Tensor InceptionV3Impl::features(torch::Tensor x, Taps *taps)
{
    auto tap = [&](const char *name, const torch::Tensor &t) {
        if (taps) (*taps)[name] = t;
    };
    if (transformInput && !inputFolded) {
        // torchvision `_transform_input`: ImageNet-normalised input back to 2·x01 − 1 per channel.
        const double mean[3] = {0.485, 0.456, 0.406}, stdv[3] = {0.229, 0.224, 0.225};
        std::vector<torch::Tensor> ch;
        for (int c = 0; c < 3; ++c)
            ch.push_back(x.select(1, c).unsqueeze(1) * (stdv[c] / 0.5) + (mean[c] - 0.5) / 0.5);
        x = torch::cat(ch, 1);
    }
    x = Conv2d_1a_3x3->forward(x);
    x = Conv2d_2a_3x3->forward(x);
    x = Conv2d_2b_3x3->forward(x);
    x = torch::max_pool2d(x, 3, 2);
    tap("maxpool1", x);
    x = Conv2d_3b_1x1->forward(x);
    x = Conv2d_4a_3x3->forward(x);
    x = torch::max_pool2d(x, 3, 2);
    tap("maxpool2", x);
    x = Mixed_5b->forward(x);
    tap("Mixed_5b", x);
    x = Mixed_5c->forward(x);
    tap("Mixed_5c", x);
    x = Mixed_5d->forward(x);
    tap("Mixed_5d", x);
    x = Mixed_6a->forward(x);
    tap("Mixed_6a", x);
    x = Mixed_6b->forward(x);
    tap("Mixed_6b", x);
    x = Mixed_6c->forward(x);
    tap("Mixed_6c", x);
    x = Mixed_6d->forward(x);
    tap("Mixed_6d", x);
    x = Mixed_6e->forward(x);
    tap("Mixed_6e", x);
    x = Mixed_7a->forward(x);
    tap("Mixed_7a", x);
    x = Mixed_7b->forward(x);
    tap("Mixed_7b", x);
    x = Mixed_7c->forward(x);
    tap("Mixed_7c", x);
    return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1); // dropout is the identity in eval mode
}

torch::Tensor InceptionV3Impl::logits(const torch::Tensor &pooled)
{
    if (!fc) throw std::logic_error("InceptionV3 built without fc");
    if (!dnnl_mm::usable(pooled)) return fc->forward(pooled);
    dnnl_mm::Epilogue bias; // on the OpenMP team, not OpenBLAS's threads (nets/private/DnnlMatmul.h)
    bias.bias = fc->bias;
    return dnnl_mm::matmul(pooled, fc->weight.t(), bias);
}

void InceptionV3Impl::fuse(bool channelsLast, torch::Dtype dtype, const InputAffine *input)
{
    for (auto &m : modules(/*include_self=*/false))
        if (auto *c = m->as<BasicConv2dImpl>()) c->fuse(channelsLast, dtype);
    for (auto *a : {Mixed_5b.get(), Mixed_5c.get(), Mixed_5d.get()}) a->prepare();
    for (auto *c : {Mixed_6b.get(), Mixed_6c.get(), Mixed_6d.get(), Mixed_6e.get()}) c->prepare();
    Mixed_7a->prepare();
    for (auto *e : {Mixed_7b.get(), Mixed_7c.get()}) e->prepare();
    if (!input) return;
    InputAffine folded = *input;
    if (transformInput) {
        // torchvision `_transform_input` on top: x ↦ x·(std_c/0.5) + (mean_c − 0.5)/0.5.
        const double mean[3] = {0.485, 0.456, 0.406}, stdv[3] = {0.229, 0.224, 0.225};
        for (int c = 0; c < 3; ++c) {
            folded.scale[size_t(c)] *= stdv[c] / 0.5;
            folded.shift[size_t(c)] = folded.shift[size_t(c)] * (stdv[c] / 0.5) + (mean[c] - 0.5) / 0.5;
        }
    }
    Conv2d_1a_3x3->fuse(channelsLast, dtype, &folded);
    inputFolded = true;
}

} // namespace cprecon::inception
