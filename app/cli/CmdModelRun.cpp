// cprecon-cli model run: one network on a safetensors input, outputs under the fixtures' key names.
#include "CliRegistry.h"

#include "nets/ModelRun.h"
#include "util/Error.h"
#include "util/Protocol.h"

#include <iostream>

namespace cprecon::cli {

static int runModel(const QStringList &argv)
{
    const Args a(argv);
    ModelRunRequest r;
    const QString kind = a.require(QStringLiteral("kind"));
    r.weights = a.require(QStringLiteral("weights")).toStdString();
    r.config = a.value(QStringLiteral("config")).toStdString();
    r.input = a.require(QStringLiteral("input")).toStdString();
    r.output = a.require(QStringLiteral("output")).toStdString();
    r.device = a.value(QStringLiteral("device"), QStringLiteral("auto")).toStdString();
    r.paperDoubleNormalisation = parseProtocol(a.value(QStringLiteral("protocol"), QStringLiteral("corrected")).toStdString()) == Protocol::Paper;
    r.transformInput = a.has(QStringLiteral("transform-input"));
    if (kind == QStringLiteral("vae"))
        runVaeModel(r);
    else if (kind == QStringLiteral("inception-torchvision"))
        runInceptionModel(r, false);
    else if (kind == QStringLiteral("inception-fid"))
        runInceptionModel(r, true);
    else if (kind == QStringLiteral("openphenom"))
        runOpenPhenomModel(r);
    else
        throw Error("unknown --kind '" + kind.toStdString() + "'", "",
                    "use vae, inception-torchvision, inception-fid or openphenom");
    std::cout << "wrote " << r.output << "\n";
    return 0;
}

static Registrar reg({"model run", "run one network on a safetensors input (parity checks vs Python)",
                      "cprecon-cli model run --kind vae|inception-torchvision|inception-fid|openphenom --weights PATH\n"
                      "    [--config config.json] --input in.safetensors --output out.safetensors\n"
                      "    [--threads N] [--device auto|cpu|cuda] [--protocol paper|corrected] [--transform-input]\n"
                      "  --weights: diffusers folder, single file (.safetensors/.pth/.bin/.ckpt) or HF-cache snapshot\n"
                      "  vae: x -> posterior_mean, posterior_logvar, decoded_from_mean\n"
                      "  inception-torchvision: images_u8 -> pool_features, logits; inception-fid: -> pool3_features\n"
                      "  openphenom: images_u8 -> channelwise_embeddings, embedding (--protocol paper: /255 twice)\n"
                      "  --transform-input: InceptionV3 with transform_input=True, as torchvision sets it for its\n"
                      "    pretrained IMAGENET1K_V1 weights (the paper's network); off = the fixture's main recipe A\n"
                      "  --config FILE: VAE config.json, or for the feature networks {\"channels_last\": b, \"batch_size\": n}",
                      runModel});

} // namespace cprecon::cli
