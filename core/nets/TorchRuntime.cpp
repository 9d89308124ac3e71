#include "nets/private/TorchInternal.h"
#include "nets/TorchRuntime.h"

#include "jobs/ComputeBudget.h"
#include "jobs/HeapPolicy.h"
#include "util/Error.h"
#include "weights/KeyCheck.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <cstring>
#include <mutex>

namespace cprecon {

ComputeDevice parseComputeDevice(const std::string &s)
{
    if (s.empty() || s == "auto") return ComputeDevice::Auto;
    if (s == "cpu") return ComputeDevice::Cpu;
    if (s == "cuda" || s == "gpu") return ComputeDevice::Cuda;
    throw Error("unknown device '" + s + "'", "", "use auto, cpu or cuda");
}

Precision parsePrecision(const std::string &s)
{
    if (s.empty() || s == "fp32" || s == "float32") return Precision::Fp32;
    if (s == "fp16" || s == "float16" || s == "half") return Precision::Fp16;
    if (s == "bf16" || s == "bfloat16") return Precision::Bf16;
    throw Error("unknown precision '" + s + "'", "", "use fp32, fp16 or bf16");
}

const char *precisionName(Precision p)
{
    switch (p) {
    case Precision::Fp16: return "fp16";
    case Precision::Bf16: return "bf16";
    default: return "fp32";
    }
}

namespace torchrt {

void followComputeBudget()
{
    static std::once_flag once;
    std::call_once(once, [] {
        heap::keepFreedBlocksForReuse(); // main() has done it already; tests and libraries start here
        compute::addThreadHook([](int n) {
            if (at::get_num_threads() != n) at::set_num_threads(n);
        });
    });
}

void useBudgetOnThisThread()
{
    followComputeBudget();
    // What LibTorch itself does on its own worker threads — but only when this thread has not seen the budget in
    // force: at::init_num_threads() goes through set_num_threads, which also tears down and re-creates LibTorch's
    // pthreadpool, whose fresh worker then spins on a core for a while (5 % of InceptionV3's CPU time when it
    // ran before every pass).
    thread_local int applied = 0;
    const int budget = at::get_num_threads();
    if (applied == budget) return;
    at::init_num_threads();
    applied = budget;
}

int threads() { return at::get_num_threads(); }

bool cudaCompiled()
{
#ifdef CPRECON_WITH_CUDA
    return true;
#else
    return false;
#endif
}

bool cudaAvailable()
{
#ifdef CPRECON_WITH_CUDA
    return torch::cuda::is_available();
#else
    return false;
#endif
}

std::string resolveDevice(ComputeDevice d)
{
    switch (d) {
    case ComputeDevice::Cpu: return "cpu";
    case ComputeDevice::Cuda:
        if (!cudaAvailable())
            throw Error(cudaCompiled() ? "CUDA requested but no CUDA device is available"
                                       : "CUDA requested but this build's LibTorch has no CUDA support",
                        "", "use --device cpu (or auto)");
        return "cuda";
    default: return cudaAvailable() ? "cuda" : "cpu";
    }
}

void seed(uint64_t s) { torch::manual_seed(s); }

void disableGradGlobally() { torch::autograd::GradMode::set_enabled(false); }

std::string describe()
{
    std::string s = "LibTorch " TORCH_VERSION ", " + std::to_string(threads()) + " threads, ";
    s += cudaAvailable() ? "CUDA available" : (cudaCompiled() ? "CPU (no CUDA device)" : "CPU (LibTorch without CUDA)");
    return s;
}

// ---- private helpers (TorchInternal.h) ----

torch::Tensor toTorch(const HostTensor &h)
{
    if (static_cast<int64_t>(h.values.size()) != h.numel())
        throw Error("host tensor has " + std::to_string(h.values.size()) + " values for its shape", "",
                    "internal: fill values consistently with shape");
    auto t = torch::empty(h.shape, torch::kFloat32);
    if (!h.values.empty()) std::memcpy(t.data_ptr<float>(), h.values.data(), h.values.size() * sizeof(float));
    return t;
}

HostTensor toHost(const torch::Tensor &t)
{
    auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    HostTensor h;
    h.shape.assign(c.sizes().begin(), c.sizes().end());
    h.values.resize(static_cast<size_t>(c.numel()));
    if (c.numel()) std::memcpy(h.values.data(), c.data_ptr<float>(), h.values.size() * sizeof(float));
    return h;
}

torch::Tensor toTorchU8(const std::vector<uint8_t> &values, const std::vector<int64_t> &shape)
{
    auto t = torch::empty(shape, torch::kUInt8);
    if (static_cast<int64_t>(values.size()) != t.numel())
        throw Error("uint8 tensor size does not match its shape", "", "internal");
    if (!values.empty()) std::memcpy(t.data_ptr<uint8_t>(), values.data(), values.size());
    return t;
}

torch::Device device(const RuntimeOptions &o) { return torch::Device(resolveDevice(o.device)); }

std::vector<std::pair<std::string, std::vector<int64_t>>> stateShapes(const torch::nn::Module &m)
{
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    for (const auto &p : m.named_parameters(true))
        out.emplace_back(p.key(), std::vector<int64_t>(p.value().sizes().begin(), p.value().sizes().end()));
    for (const auto &b : m.named_buffers(true))
        out.emplace_back(b.key(), std::vector<int64_t>(b.value().sizes().begin(), b.value().sizes().end()));
    return out;
}

void loadIntoModule(torch::nn::Module &m, const StateDict &sd, const std::string &modelName, const std::atomic<bool> *cancel)
{
    const auto expected = stateShapes(m);
    requireMatchingKeys(checkKeys(expected, sd), modelName, sd.source, &sd);
    torch::NoGradGuard ng;
    auto copyInto = [&](const std::string &name, torch::Tensor &dst) {
        if (cancel && cancel->load()) throw Canceled("loading " + modelName + " was canceled");
        const HostTensor &h = sd.tensors.at(name);
        auto src = toTorch(h).to(dst.dtype());
        dst.copy_(src);
    };
    for (auto &p : m.named_parameters(true)) copyInto(p.key(), p.value());
    for (auto &b : m.named_buffers(true)) copyInto(b.key(), b.value());
}

AutocastScope::AutocastScope(const RuntimeOptions &o)
{
    if (o.precision == Precision::Fp32) return;
    const bool cuda = resolveDevice(o.device) == "cuda";
    if (cuda) {
        m_prevCuda = at::autocast::is_enabled();
        at::autocast::set_autocast_gpu_dtype(o.precision == Precision::Fp16 ? at::kHalf : at::kBFloat16);
        at::autocast::set_enabled(true);
        at::autocast::increment_nesting();
        m_cuda = true;
    } else {
        if (o.precision == Precision::Fp16)
            throw Error("fp16 autocast needs CUDA", "", "use --precision fp32 or bf16 on the CPU");
        m_prevCpu = at::autocast::is_cpu_enabled();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
        at::autocast::increment_nesting();
        m_cpu = true;
    }
}

AutocastScope::~AutocastScope()
{
    if (!m_cuda && !m_cpu) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    if (m_cuda) at::autocast::set_enabled(m_prevCuda);
    if (m_cpu) at::autocast::set_cpu_enabled(m_prevCpu);
}

} // namespace torchrt
} // namespace cprecon
