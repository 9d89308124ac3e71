// `cprecon-cli model run --kind vae`: x -> posterior_mean, posterior_logvar, decoded_from_mean (fixture key names).
#include "nets/AutoencoderKl.h"
#include "nets/ModelRun.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

namespace cprecon {

void runVaeModel(const ModelRunRequest &r)
{
    RuntimeOptions rt;
    rt.device = parseComputeDevice(r.device);
    torchrt::followComputeBudget();

    SafetensorsFile in(r.input);
    if (!in.contains("x"))
        throw Error("input has no tensor 'x'", r.input, "store the images as 'x' (float32 N x 3 x H x W in [-1, 1])");
    HostTensor x;
    x.shape = in.info("x").shape;
    x.values = in.toFloat("x");

    auto vae = AutoencoderKl::fromCheckpoint(r.weights, r.config, rt);
    const VaePosterior post = vae->encode(x);
    const HostTensor decoded = vae->decode(post.mean);

    SafetensorsWriter w;
    w.addFloat("posterior_mean", post.mean.shape, post.mean.values);
    w.addFloat("posterior_logvar", post.logvar.shape, post.logvar.values);
    w.addFloat("decoded_from_mean", decoded.shape, decoded.values);
    w.setMetadata("weights", vae->source());
    w.setMetadata("config", vae->config().describe());
    w.write(r.output);
}

} // namespace cprecon
