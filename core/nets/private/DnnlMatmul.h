#pragma once
// Matrix products of the networks' CPU path through oneDNN (fp32; OpenPhenom's bf16 too), with the epilogue fused
// into the product.
// Why not torch::matmul: on the CPU LibTorch hands fp32 GEMMs to OpenBLAS, whose own pthread pool then competes
// for the same cores with LibTorch's OpenMP pool (each spins while the other works: a fifth of the CPU time of
// OpenPhenom on two cores). oneDNN runs on that OpenMP pool — one pool for every op of the network — and applies
// bias, GELU, per-column scale and a residual while the tile is still in registers, instead of separate passes.
// Internal header (LibTorch): include only from core/nets/*.cpp.
#include <torch/torch.h>

namespace cprecon::dnnl_mm {

// dst = add + mul ⊙ act(scale · (a·b + bias)), each part optional (oneDNN's order: the scale applies to the bias
// too); bias and mul broadcast over the last dim (N), add has the shape of dst.
struct Epilogue {
    float scale = 1.0f;
    torch::Tensor bias; // [N]
    bool gelu = false;  // exact erf GELU (torch.nn.functional.gelu's default)
    torch::Tensor mul;  // [N]
    torch::Tensor add;  // dst-shaped
};

// True when this build has oneDNN and `t` is an fp32 CPU tensor outside autocast (bf16 autocast and CUDA keep
// LibTorch's own kernels).
bool usable(const torch::Tensor &t);
// The bf16 path: `t` is an fp32 CPU tensor under CPU bf16 autocast and the CPU has the AVX-512 the bf16 kernels
// need. Operands and destination may then be bf16 (epilogue operands stay fp32); oneDNN accumulates in fp32.
bool usableBf16(const torch::Tensor &t);

// dst[..., M, N] = epilogue(a[..., M, K] · b[..., K, N]), each fp32 or bf16. Any strides (a transposed operand is a strided view, no
// copy); leading dims broadcast where one side has size 1 or fewer dims. `dst` may be a view into a larger buffer.
void matmulInto(const torch::Tensor &a, const torch::Tensor &b, const torch::Tensor &dst, const Epilogue &e = {});
torch::Tensor matmul(const torch::Tensor &a, const torch::Tensor &b, const Epilogue &e = {},
                     torch::Dtype out = torch::kFloat);

} // namespace cprecon::dnnl_mm
