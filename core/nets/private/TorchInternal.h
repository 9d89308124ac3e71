#pragma once
// PRIVATE to core/models: LibTorch helpers shared by the networks' .cpp files (include ONLY from
// core/models/*.cpp, never from a public header - the rest of the project never sees LibTorch).
#include "nets/TorchRuntime.h"
#include "weights/StateDict.h"

#include <torch/torch.h>

#include <atomic>
#include <string>
#include <utility>
#include <vector>

namespace cprecon::torchrt {

// Host float32 tensor <-> contiguous CPU float32 torch tensor (copies).
torch::Tensor toTorch(const HostTensor &h);
HostTensor toHost(const torch::Tensor &t);
torch::Tensor toTorchU8(const std::vector<uint8_t> &values, const std::vector<int64_t> &shape);

torch::Device device(const RuntimeOptions &o);

// Parameters + buffers of a module, state_dict order, name -> shape.
std::vector<std::pair<std::string, std::vector<int64_t>>> stateShapes(const torch::nn::Module &m);

// Copies every parameter and buffer of `m` from `sd` (strict): refuses a checkpoint whose keys do not match,
// naming missing / unexpected keys and shape mismatches (first few + counts). `modelName` appears in messages.
// cancel (may be null) is checked between tensors: a raised flag ends the copy with cprecon::Canceled.
void loadIntoModule(torch::nn::Module &m, const StateDict &sd, const std::string &modelName,
                    const std::atomic<bool> *cancel = nullptr);

// Enables autocast for the scope when the options ask for fp16/bf16 on a device that supports it.
class AutocastScope {
public:
    explicit AutocastScope(const RuntimeOptions &o);
    ~AutocastScope();
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    bool m_cuda = false, m_cpu = false;
    bool m_prevCuda = false, m_prevCpu = false;
};

} // namespace cprecon::torchrt
