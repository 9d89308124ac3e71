#include "nets/private/DnnlConv.h"

#include <ATen/autocast_mode.h>

#ifdef CPRECON_WITH_DNNL
#include "nets/private/DnnlEngine.h"
#endif

#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace cprecon::dnnl_conv {

#ifdef CPRECON_WITH_DNNL

using dnnl_rt::cpuEngine;

struct Conv2d::Impl {
    torch::Tensor weight, bias; // O×I×kh×kw, O (contiguous fp32)
    dnnl::memory::dims stride, padding;
    bool relu;

    struct Plan {
        dnnl::convolution_forward prim;
        dnnl::memory packedWeights;
        dnnl::memory::desc src, dst, bias;
        int64_t oh, ow;
    };
    std::mutex mutex;
    std::map<std::tuple<int64_t, int64_t, int64_t>, Plan> plans; // by N, H, W

    Plan &plan(int64_t n, int64_t h, int64_t w)
    {
        std::lock_guard<std::mutex> lock(mutex);
        const auto key = std::make_tuple(n, h, w);
        auto it = plans.find(key);
        if (it != plans.end()) return it->second;
        using tag = dnnl::memory::format_tag;
        using dt = dnnl::memory::data_type;
        const int64_t o = weight.size(0), i = weight.size(1), kh = weight.size(2), kw = weight.size(3);
        const int64_t oh = (h + 2 * padding[0] - kh) / stride[0] + 1, ow = (w + 2 * padding[1] - kw) / stride[1] + 1;
        Plan p;
        p.oh = oh;
        p.ow = ow;
        p.src = dnnl::memory::desc({n, i, h, w}, dt::f32, tag::nhwc);
        p.dst = dnnl::memory::desc({n, o, oh, ow}, dt::f32, tag::nhwc);
        p.bias = dnnl::memory::desc({o}, dt::f32, tag::a);
        const dnnl::memory::desc anyWeights({o, i, kh, kw}, dt::f32, tag::any);
        const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                                p.src, anyWeights, p.bias, p.dst, stride, padding, padding);
        dnnl::primitive_attr attr;
        if (relu) {
            dnnl::post_ops ops;
            ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
            attr.set_post_ops(ops);
        }
        const dnnl::convolution_forward::primitive_desc pd(d, attr, cpuEngine());
        p.prim = dnnl::convolution_forward(pd);
        dnnl::memory plain({{o, i, kh, kw}, dt::f32, tag::oihw}, cpuEngine(), weight.data_ptr());
        p.packedWeights = dnnl::memory(pd.weights_desc(), cpuEngine());
        dnnl::stream s(cpuEngine());
        dnnl::reorder(plain, p.packedWeights).execute(s, plain, p.packedWeights);
        s.wait();
        return plans.emplace(key, std::move(p)).first->second;
    }
};

Conv2d::Conv2d(const torch::Tensor &weight, const torch::Tensor &bias, std::array<int64_t, 2> stride,
               std::array<int64_t, 2> padding, bool relu)
    : m(std::make_unique<Impl>())
{
    m->weight = weight.detach().to(torch::kCPU, torch::kFloat).contiguous();
    m->bias = bias.detach().to(torch::kCPU, torch::kFloat).contiguous();
    m->stride = {stride[0], stride[1]};
    m->padding = {padding[0], padding[1]};
    m->relu = relu;
}

Conv2d::~Conv2d() = default;

bool Conv2d::usable(const torch::Tensor &x)
{
    return x.device().is_cpu() && x.scalar_type() == torch::kFloat && x.dim() == 4 && !at::autocast::is_cpu_enabled();
}

torch::Tensor Conv2d::forward(const torch::Tensor &input)
{
    if (!usable(input)) throw std::logic_error("dnnl_conv::Conv2d needs an fp32 CPU N×C×H×W tensor");
    const auto x = input.contiguous(torch::MemoryFormat::ChannelsLast);
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
    Impl::Plan &p = m->plan(n, h, w);
    auto y = torch::empty({n, m->weight.size(0), p.oh, p.ow}, x.options().memory_format(torch::MemoryFormat::ChannelsLast));
    dnnl::memory src(p.src, cpuEngine(), x.data_ptr()), dst(p.dst, cpuEngine(), y.data_ptr()),
        bias(p.bias, cpuEngine(), m->bias.data_ptr());
    dnnl::stream s(cpuEngine());
    p.prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, p.packedWeights}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}});
    s.wait();
    return y;
}

const torch::Tensor &Conv2d::weight() const { return m->weight; }
const torch::Tensor &Conv2d::bias() const { return m->bias; }
std::array<int64_t, 2> Conv2d::stride() const { return {m->stride[0], m->stride[1]}; }
std::array<int64_t, 2> Conv2d::padding() const { return {m->padding[0], m->padding[1]}; }

#else

struct Conv2d::Impl {
    torch::Tensor none;
};
Conv2d::Conv2d(const torch::Tensor &, const torch::Tensor &, std::array<int64_t, 2>, std::array<int64_t, 2>, bool)
    : m(std::make_unique<Impl>())
{
}
Conv2d::~Conv2d() = default;
bool Conv2d::usable(const torch::Tensor &) { return false; }
torch::Tensor Conv2d::forward(const torch::Tensor &) { throw std::logic_error("built without oneDNN"); }
const torch::Tensor &Conv2d::weight() const { return m->none; }
const torch::Tensor &Conv2d::bias() const { return m->none; }
std::array<int64_t, 2> Conv2d::stride() const { return {1, 1}; }
std::array<int64_t, 2> Conv2d::padding() const { return {0, 0}; }

#endif

} // namespace cprecon::dnnl_conv
