// cprecon-cli model run: one network on a safetensors input, outputs under the fixtures' key names.
#include "CliRegistry.h"

#include "nets/ModelRun.h"
#include "util/Error.h"
#include "util/Protocol.h"

#include <iostream>

namespace cprecon::cli {

static int runModel(const Args &a)
{
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
                      QStringLiteral("--kind KIND --weights PATH --input in.safetensors --output out.safetensors"),
                      QStringLiteral("--weights: diffusers folder, single file (.safetensors/.pth/.bin/.ckpt) or HF-cache snapshot.\n"
                                     "vae: x -> posterior_mean, posterior_logvar, decoded_from_mean\n"
                                     "inception-torchvision: images_u8 -> pool_features, logits; inception-fid: -> pool3_features\n"
                                     "openphenom: images_u8 -> channelwise_embeddings, embedding (--protocol paper: /255 twice)\n"
                                     "--transform-input: InceptionV3 with transform_input=True, as torchvision sets it for its\n"
                                     "pretrained IMAGENET1K_V1 weights (the paper's network); off = the fixture's main recipe A.\n"
                                     "--config FILE: VAE config.json, or for the feature networks {\"channels_last\": b, \"batch_size\": n}"),
                      {value(QStringLiteral("kind"), QStringLiteral("vae|inception-torchvision|inception-fid|openphenom"), QStringLiteral("the network")),
                       value(QStringLiteral("weights"), QStringLiteral("PATH"), QStringLiteral("checkpoint")),
                       value(QStringLiteral("config"), QStringLiteral("FILE"), QStringLiteral("config.json (see below)")),
                       value(QStringLiteral("input"), QStringLiteral("FILE"), QStringLiteral("input .safetensors")),
                       value(QStringLiteral("output"), QStringLiteral("FILE"), QStringLiteral("output .safetensors")),
                       value(QStringLiteral("device"), QStringLiteral("auto|cpu|cuda"), QStringLiteral("where the network runs"), QStringLiteral("auto")),
                       value(QStringLiteral("protocol"), QStringLiteral("paper|corrected"), QStringLiteral("OpenPhenom's input normalisation"), QStringLiteral("corrected")),
                       flag(QStringLiteral("transform-input"), QStringLiteral("InceptionV3: torchvision's transform_input=True"))},
                      runModel});

} // namespace cprecon::cli
