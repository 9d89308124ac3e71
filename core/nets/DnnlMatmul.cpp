#include "nets/private/DnnlMatmul.h"

#include "util/Error.h"

#include <ATen/autocast_mode.h>

#ifdef CPRECON_WITH_DNNL
#include "nets/private/DnnlEngine.h"
#endif

#include <algorithm>

namespace cprecon::dnnl_mm {

#ifdef CPRECON_WITH_DNNL
using dnnl_rt::cpuEngine;

namespace {

dnnl::memory::data_type dataType(const torch::Tensor &t)
{
    return t.scalar_type() == torch::kBFloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

// Sizes and strides of `t` with leading size-1 dims added up to `ndims` (oneDNN wants equal ranks).
dnnl::memory::desc descOf(const torch::Tensor &t, int64_t ndims)
{
    dnnl::memory::dims dims(size_t(ndims), 1), strides(size_t(ndims), t.numel());
    const int64_t off = ndims - t.dim();
    for (int64_t i = 0; i < t.dim(); ++i) {
        dims[size_t(off + i)] = t.size(i);
        strides[size_t(off + i)] = t.size(i) == 1 ? t.numel() : t.stride(i);
    }
    return dnnl::memory::desc(dims, dataType(t), strides);
}

// A per-column vector [N] as a ndims-rank descriptor broadcast over everything else.
dnnl::memory::desc columnDesc(const torch::Tensor &v, int64_t ndims)
{
    dnnl::memory::dims dims(size_t(ndims), 1), strides(size_t(ndims), v.size(0));
    dims.back() = v.size(0);
    strides.back() = v.stride(0);
    return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

dnnl::memory memOf(const dnnl::memory::desc &d, const torch::Tensor &t)
{
    return dnnl::memory(d, cpuEngine(), const_cast<void *>(t.data_ptr()));
}

void requireFloatCpu(const torch::Tensor &t, const char *what)
{
    if (!t.defined() || !t.device().is_cpu() || t.scalar_type() != torch::kFloat)
        throw Error(std::string("oneDNN matmul: ") + what + " must be an fp32 CPU tensor", "", "internal");
}

// Product operands and destination: fp32, or bf16 (the bf16 path; accumulation stays fp32 inside oneDNN).
void requireOperand(const torch::Tensor &t, const char *what)
{
    if (!t.defined() || !t.device().is_cpu() || (t.scalar_type() != torch::kFloat && t.scalar_type() != torch::kBFloat16))
        throw Error(std::string("oneDNN matmul: ") + what + " must be an fp32 or bf16 CPU tensor", "", "internal");
}

} // namespace

bool usable(const torch::Tensor &t)
{
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat && !at::autocast::is_cpu_enabled();
}

bool usableBf16(const torch::Tensor &t)
{
    // The bf16 kernels need AVX-512 (native with avx512_bf16, as on Zen 4 / Sapphire Rapids); without it LibTorch's
    // autocast path stays.
    static const bool cpuHasIt = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    return cpuHasIt && t.device().is_cpu() && t.scalar_type() == torch::kFloat && at::autocast::is_cpu_enabled() &&
           at::autocast::get_autocast_cpu_dtype() == at::kBFloat16;
}

void matmulInto(const torch::Tensor &a, const torch::Tensor &b, const torch::Tensor &dst, const Epilogue &e)
{
    requireOperand(a, "a");
    requireOperand(b, "b");
    requireOperand(dst, "dst");
    const int64_t nd = std::max({a.dim(), b.dim(), dst.dim(), int64_t(2)});
    const auto aD = descOf(a, nd), bD = descOf(b, nd), dD = descOf(dst, nd);

    dnnl::primitive_attr attr;
    if (e.scale != 1.0f) attr.set_output_scales(0, {e.scale});
    dnnl::post_ops ops;
    struct Operand {
        int index; // post-op index
        dnnl::memory::desc desc;
        const torch::Tensor *tensor;
    };
    std::vector<Operand> extra; // the binary post-ops' second operands
    if (e.gelu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
    if (e.mul.defined()) {
        requireFloatCpu(e.mul, "mul");
        extra.push_back({ops.len(), columnDesc(e.mul, nd), &e.mul});
        ops.append_binary(dnnl::algorithm::binary_mul, extra.back().desc);
    }
    if (e.add.defined()) {
        requireFloatCpu(e.add, "add");
        extra.push_back({ops.len(), descOf(e.add, nd), &e.add});
        ops.append_binary(dnnl::algorithm::binary_add, extra.back().desc);
    }
    attr.set_post_ops(ops);

    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, memOf(aD, a)}, {DNNL_ARG_WEIGHTS, memOf(bD, b)}, {DNNL_ARG_DST, memOf(dD, dst)}};
    dnnl::memory::desc biasD;
    if (e.bias.defined()) {
        requireFloatCpu(e.bias, "bias");
        biasD = columnDesc(e.bias, nd);
        args.emplace(DNNL_ARG_BIAS, memOf(biasD, e.bias));
    }
    for (const auto &o : extra)
        args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(o.index) | DNNL_ARG_SRC_1, memOf(o.desc, *o.tensor));
    // oneDNN caches the compiled kernel (its primitive cache), so building the descriptor per call costs
    // microseconds against milliseconds of product.
    const auto desc = e.bias.defined() ? dnnl::matmul::desc(aD, bD, biasD, dD) : dnnl::matmul::desc(aD, bD, dD);
    const dnnl::matmul prim(dnnl::matmul::primitive_desc(desc, attr, cpuEngine()));
    dnnl::stream stream(cpuEngine());
    prim.execute(stream, args);
    stream.wait();
}

#else

bool usable(const torch::Tensor &) { return false; }
bool usableBf16(const torch::Tensor &) { return false; }

void matmulInto(const torch::Tensor &a, const torch::Tensor &b, const torch::Tensor &dst, const Epilogue &e)
{
    // Without oneDNN: the same maths in LibTorch's separate ops.
    auto y = torch::matmul(a, b);
    if (e.bias.defined()) y.add_(e.bias);
    if (e.scale != 1.0f) y.mul_(e.scale);
    if (e.gelu) y = torch::gelu(y);
    if (e.mul.defined()) y.mul_(e.mul);
    if (e.add.defined()) y.add_(e.add);
    dst.copy_(y);
}

#endif

torch::Tensor matmul(const torch::Tensor &a, const torch::Tensor &b, const Epilogue &e, torch::Dtype out)
{
    std::vector<int64_t> shape;
    const int64_t nd = std::max(a.dim(), b.dim());
    for (int64_t i = 0; i < nd - 2; ++i) {
        const int64_t ia = i - (nd - a.dim()), ib = i - (nd - b.dim());
        shape.push_back(std::max(ia >= 0 ? a.size(ia) : 1, ib >= 0 ? b.size(ib) : 1));
    }
    shape.push_back(a.size(-2));
    shape.push_back(b.size(-1));
    auto dst = torch::empty(shape, a.options().dtype(out));
    matmulInto(a, b, dst, e);
    return dst;
}

} // namespace cprecon::dnnl_mm
