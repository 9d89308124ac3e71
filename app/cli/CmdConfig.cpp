// cprecon-cli config: the run definition — print the paper defaults as a template, or check a config file.
#include "CliRegistry.h"

#include "run/RunConfig.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace cprecon::cli {

namespace {

int runConfig(const Args &a)
{
    if (a.has(QStringLiteral("template")) == a.has(QStringLiteral("check")))
        throw Error("config takes --template or --check FILE", "", "see cprecon-cli config --help");
    if (a.has(QStringLiteral("template"))) {
        std::cout << run::RunConfig().toJson().dump(2) << "\n";
        return 0;
    }
    const run::RunConfig c = run::RunConfig::fromFile(a.require(QStringLiteral("check")));
    std::cout << c.toJson().dump(2) << "\nconfig ok; hash " << c.hash() << "\n";
    return 0;
}

} // namespace

static Registrar reg({"config", "the run definition: print the paper defaults (--template) or check a config (--check)",
                      {},
                      QStringLiteral("--template prints every key of a run config with the paper's defaults (JSON, schema\n"
                                     "cprecon.run-config/1); docs/user/run.md explains each key. --check FILE reads a config,\n"
                                     "names any unknown key, wrong type or bad value, and prints it complete with its hash."),
                      {flag(QStringLiteral("template"), QStringLiteral("print the paper defaults")),
                       value(QStringLiteral("check"), QStringLiteral("FILE"), QStringLiteral("check a config file"))},
                      runConfig});

} // namespace cprecon::cli
