#pragma once
// A 2-D convolution + bias (+ ReLU) of the networks' fp32 CPU channels_last path through oneDNN, with the weights
// reordered ONCE into the blocked layout oneDNN's kernel wants and the ReLU applied in the kernel's epilogue.
// LibTorch's own path into the same library (mkldnn_convolution) reorders the weights on every call — 87 MB per
// InceptionV3 pass — and runs ReLU as a pass of its own. Internal header (LibTorch): include only from
// core/nets/*.cpp.
#include <torch/torch.h>

#include <memory>

namespace cprecon::dnnl_conv {

class Conv2d {
public:
    // weight: O×I×kh×kw fp32 CPU, bias: O. Keeps a copy; plans (kernel choice + packed weights) are made per input
    // size on first use.
    Conv2d(const torch::Tensor &weight, const torch::Tensor &bias, std::array<int64_t, 2> stride,
           std::array<int64_t, 2> padding, bool relu);
    ~Conv2d();
    // True when this build has oneDNN and `x` is an fp32 CPU tensor outside autocast.
    static bool usable(const torch::Tensor &x);
    // x: N×I×H×W fp32 (any memory format; channels_last avoids a copy). Returns N×O×OH×OW in channels_last.
    torch::Tensor forward(const torch::Tensor &x);
    // What it was made from (fp32, contiguous): merging convolutions that share an input starts from these.
    const torch::Tensor &weight() const;
    const torch::Tensor &bias() const;
    std::array<int64_t, 2> stride() const;
    std::array<int64_t, 2> padding() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace cprecon::dnnl_conv
