// The two InceptionV3 feature recipes (fixtures/inception/README.md):
//   A "inception-torchvision" (paper protocol): u8/255 → bilinear 299 (align_corners=False, no antialias) →
//     ImageNet mean/std → torchvision network → 2048-d avgpool features + fc logits.
//   B "inception-fid" (pytorch-fid): u8/255 → bilinear 299 → 2x−1 → FID network → 2048-d pool3 features.
#include "nets/private/FeatureNetTorch.h"
#include "nets/private/InceptionRecipe.h"
#include "nets/private/InceptionV3.h"

#include "util/Error.h"

namespace cprecon::featnet {

torch::Tensor inceptionResize(const torch::Tensor &x01)
{
    // torchvision resize(antialias=False) on a float tensor is exactly this interpolate call.
    return torch::nn::functional::interpolate(x01, torch::nn::functional::InterpolateFuncOptions()
                                                       .size(std::vector<int64_t>{299, 299})
                                                       .mode(torch::kBilinear)
                                                       .align_corners(false));
}

torch::Tensor inceptionPreprocess(const torch::Tensor &x01, bool fidRecipe)
{
    const auto x = inceptionResize(x01);
    if (fidRecipe) return 2 * x - 1;
    const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
    const auto stdv = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
    return (x - mean) / stdv; // as torchvision.transforms.functional.normalize: sub then div
}

inception::InputAffine inceptionNormalisation(bool fidRecipe)
{
    if (fidRecipe) return {{2, 2, 2}, {-1, -1, -1}};
    const double mean[3] = {0.485, 0.456, 0.406}, stdv[3] = {0.229, 0.224, 0.225};
    inception::InputAffine a;
    for (int c = 0; c < 3; ++c) {
        a.scale.push_back(1.0 / double(float(stdv[c])));
        a.shift.push_back(-double(float(mean[c])) / double(float(stdv[c])));
    }
    return a;
}

namespace {

const char *kNetName[2] = {"InceptionV3 (torchvision)", "InceptionV3 (pytorch-fid)"};

class InceptionExtractor final : public FeatureExtractor {
public:
    InceptionExtractor(const StateDict *sd, bool fid, const FeatureOptions &opt) : m_fid(fid), m_opt(opt)
    {
        torchrt::followComputeBudget();
        std::string prefix;
        int64_t numClasses = fid ? 0 : 1000;
        if (sd) {
            if (!findPrefix(*sd, "Conv2d_1a_3x3.conv.weight", {"Mixed_7c.branch_pool.bn.running_var"}, &prefix))
                throwNotThisNetwork(*sd, kNetName[fid],
                                    {"Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch1x1.conv.weight",
                                     "Mixed_7c.branch_pool.bn.running_var", "fc.weight"},
                                    "give torchvision's inception_v3 weights (inception_v3_google-*.pth) or "
                                    "pytorch-fid's pt_inception-2015-12-05-*.pth");
            if (!fid) {
                auto it = sd->tensors.find(prefix + "fc.weight");
                if (it != sd->tensors.end() && it->second.shape.size() == 2) numClasses = it->second.shape[0];
            }
        }
        m_net = inception::InceptionV3(fid, numClasses, !fid && opt.transformInput);
        if (sd) {
            // AuxLogits is train-only; num_batches_tracked is a counter; the FID network never uses fc
            // (pytorch-fid pads it to 1008 classes).
            loadModule(*m_net, *sd, prefix, kNetName[fid],
                       [fid](const std::string &k) {
                           return k.rfind("AuxLogits.", 0) == 0 || (fid && k.rfind("fc.", 0) == 0) ||
                                  (k.size() >= 19 && k.compare(k.size() - 19, 19, "num_batches_tracked") == 0);
                       },
                       [](const std::string &name) {
                           return name.size() >= 19 && name.compare(name.size() - 19, 19, "num_batches_tracked") == 0;
                       });
        }
        m_net->eval();
        m_device = torchrt::device(runtimeOf(opt));
        m_net->to(m_device);
        // Folded on the device (the folded weights are plain tensors, which to() would not move), in the dtype the
        // convolutions run in: fp32, or autocast's bf16/fp16.
        const torch::Dtype dtype = opt.precision == Precision::Bf16   ? torch::kBFloat16
                                   : opt.precision == Precision::Fp16 ? torch::kHalf
                                                                      : torch::kFloat32;
        // The normalisation (an affine map per channel) goes into the first convolution: two passes over the
        // input (and torchvision's transform_input, three more) fewer per image.
        const inception::InputAffine normalisation = inceptionNormalisation(fid);
        m_net->fuse(opt.channelsLast, dtype, &normalisation);
    }

    std::string name() const override { return m_fid ? "inception-fid" : "inception-torchvision"; }
    std::vector<int64_t> featureShape(int64_t) const override { return {2048}; }
    std::vector<std::string> taps() const override
    {
        std::vector<std::string> t = {"preprocessed", "maxpool1", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d",
                                      "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a",
                                      "Mixed_7b", "Mixed_7c"};
        if (m_fid) t.insert(t.end(), {"block0", "block1", "block2"});
        return t;
    }

    FloatArray extract(const ImageBatchU8 &images) override { return run(batchView(images), {}).at(mainKey()); }
    FloatArray extract(const ImageBatchF32 &images) override { return run(batchView(images), {}).at(mainKey()); }
    NamedArrays extractAll(const ImageBatchU8 &images, const std::vector<std::string> &wanted) override
    {
        return run(batchView(images), wanted);
    }

private:
    const char *mainKey() const { return m_fid ? "pool3_features" : "pool_features"; }

    NamedArrays run(const BatchView &images, const std::vector<std::string> &wanted)
    {
        check(images, wanted);
        torchrt::useBudgetOnThisThread();
        torch::InferenceMode inference;
        torchrt::AutocastScope autocast(runtimeOf(m_opt));
        std::map<std::string, std::vector<torch::Tensor>> parts;
        const int64_t step = std::max(1, m_opt.batchSize);
        for (int64_t b = 0; b < images.n; b += step) {
            auto x = inceptionResize(images.slice(b, std::min(images.n, b + step))).to(m_device);
            inception::Taps taps;
            const bool wantTaps = !wanted.empty();
            if (wantTaps) taps["preprocessed"] = inceptionPreprocess(images.slice(b, std::min(images.n, b + step)), m_fid);
            if (m_opt.channelsLast) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
            auto pooled = m_net->features(x, wantTaps ? &taps : nullptr);
            if (m_fid) {
                parts["pool3_features"].push_back(pooled);
                taps["block0"] = taps["maxpool1"];
                taps["block1"] = taps["maxpool2"];
                taps["block2"] = taps["Mixed_6e"];
            } else {
                parts["pool_features"].push_back(pooled);
                if (m_net->fc) parts["logits"].push_back(m_net->logits(pooled));
            }
            for (const auto &w : wanted) parts[w].push_back(taps.at(w).contiguous());
        }
        NamedArrays out;
        for (auto &kv : parts) out[kv.first] = toFloatArray(torch::cat(kv.second, 0));
        return out;
    }

    void check(const BatchView &images, const std::vector<std::string> &wanted) const
    {
        if (images.empty || images.n <= 0)
            throw Error("no images given to " + name());
        if (images.c != 3)
            throw Error(name() + " needs RGB images (3 channels), got " + std::to_string(images.c), "",
                        "group the channels into triplets first");
        if (images.h < 8 || images.w < 8)
            throw Error(name() + ": images of " + std::to_string(images.h) + "×" + std::to_string(images.w) +
                        " are too small");
        const auto known = taps();
        for (const auto &w : wanted)
            if (std::find(known.begin(), known.end(), w) == known.end())
                throw Error(name() + " has no intermediate '" + w + "'");
    }

    bool m_fid;
    FeatureOptions m_opt;
    torch::Device m_device{torch::kCPU};
    inception::InceptionV3 m_net{nullptr};
};

} // namespace

std::unique_ptr<FeatureExtractor> makeInceptionExtractor(const StateDict *weights, bool fidRecipe,
                                                         const FeatureOptions &options)
{
    return std::make_unique<InceptionExtractor>(weights, fidRecipe, options);
}

} // namespace cprecon::featnet
