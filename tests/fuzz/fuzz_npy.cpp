// .npy files (fixtures, saved latents): the header dict, dtype, shape, Fortran order and the data length.
#include "FuzzSupport.h"

#include "image/NpyReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string path = fuzz::writeInput(data, size, "input.npy");
    fuzz::expectNamedErrors([&] { (void)cprecon::readNpy(QString::fromStdString(path)); });
    fuzz::expectNamedErrors([&] { (void)cprecon::readNpyAsDouble(QString::fromStdString(path)); });
    return 0;
}
