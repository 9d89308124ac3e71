// safetensors: the header (JSON: dtypes, shapes, offsets), then every tensor read through each converting reader.
#include "FuzzSupport.h"

#include "weights/SafetensorsFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = fuzz::writeInput(data, size, "input.safetensors");
    fuzz::expectNamedErrors([&] {
        cprecon::SafetensorsFile f(path);
        for (const auto &t : f.tensors()) {
            fuzz::expectNamedErrors([&] { (void)f.toFloat(t.name); });
            fuzz::expectNamedErrors([&] { (void)f.toInt64(t.name); });
            fuzz::expectNamedErrors([&] { (void)f.toU8(t.name); });
        }
    });
    return 0;
}
