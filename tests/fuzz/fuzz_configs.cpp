// The JSON configs a user writes or downloads: the run config (cprecon.run-config/1) and a VAE's config.json.
#include "FuzzSupport.h"

#include "nets/VaeConfig.h"
#include "run/RunConfig.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded())
        fuzz::expectNamedErrors([&] {
            const cprecon::run::RunConfig c = cprecon::run::RunConfig::fromJson(j, "fuzz-run.json");
            c.validate("fuzz-run.json");
            (void)c.hash();
        });
    fuzz::expectNamedErrors([&] { (void)cprecon::VaeConfig::fromJsonText(text, "fuzz-config.json"); });
    return 0;
}
