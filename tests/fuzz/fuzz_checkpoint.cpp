// Any checkpoint file, format detected by content as the app detects it: safetensors, PyTorch zip (data.pkl through
// the restricted unpickler, tensors from the archive) or the legacy pickle format.
#include "FuzzSupport.h"

#include "weights/StateDict.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = fuzz::writeInput(data, size, "input.pth");
    fuzz::expectNamedErrors([&] { (void)cprecon::loadStateDict(path); });
    return 0;
}
