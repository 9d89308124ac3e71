// The restricted unpickler on raw pickle bytes: only data opcodes and the allow-listed globals; never executes.
#include "FuzzSupport.h"

#include "weights/RestrictedUnpickler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::expectNamedErrors([&] { (void)cprecon::unpickleRestricted(data, size, "fuzz.pkl"); });
    return 0;
}
