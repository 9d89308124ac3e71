// Every checkpoint layout users have, built in a temp dir from the tiny fixture's weights (renamed keys,
// symlinked blobs, torch zip containers), must load to the same network; wrong files are refused by name.
#include "../weights/TorchZipTestWriter.h"
#include "TestSupport.h"
#include "nets/AutoencoderKl.h"
#include "util/Error.h"
#include "weights/CheckpointLocator.h"
#include "weights/SafetensorsFile.h"
#include "weights/VaeKeys.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <cmath>
#include <regex>

using namespace cprecon;

namespace {
// diffusers -> LDM (CompVis) names, written independently of weights/VaeKeys.cpp (4 levels).
std::string ldmName(const std::string &k)
{
    std::smatch m;
    std::string s = k;
    s = std::regex_replace(s, std::regex(R"(conv_shortcut)"), "nin_shortcut");
    if (std::regex_match(s, m, std::regex(R"(encoder\.down_blocks\.(\d)\.resnets\.(\d)\.(.*))")))
        return "encoder.down." + m[1].str() + ".block." + m[2].str() + "." + m[3].str();
    if (std::regex_match(s, m, std::regex(R"(encoder\.down_blocks\.(\d)\.downsamplers\.0\.(.*))")))
        return "encoder.down." + m[1].str() + ".downsample." + m[2].str();
    if (std::regex_match(s, m, std::regex(R"(decoder\.up_blocks\.(\d)\.resnets\.(\d)\.(.*))")))
        return "decoder.up." + std::to_string(3 - std::stoi(m[1].str())) + ".block." + m[2].str() + "." + m[3].str();
    if (std::regex_match(s, m, std::regex(R"(decoder\.up_blocks\.(\d)\.upsamplers\.0\.(.*))")))
        return "decoder.up." + std::to_string(3 - std::stoi(m[1].str())) + ".upsample." + m[2].str();
    if (std::regex_match(s, m, std::regex(R"((\w+)\.mid_block\.resnets\.(\d)\.(.*))")))
        return m[1].str() + ".mid.block_" + std::to_string(std::stoi(m[2].str()) + 1) + "." + m[3].str();
    const std::pair<const char *, const char *> attn[] = {
        {"group_norm", "norm"}, {"to_q", "q"}, {"to_k", "k"}, {"to_v", "v"}, {"to_out.0", "proj_out"}};
    for (const auto &[d, l] : attn) {
        const std::string needle = std::string(".mid_block.attentions.0.") + d + ".";
        const auto pos = s.find(needle);
        if (pos != std::string::npos) return s.substr(0, pos) + ".mid.attn_1." + l + "." + s.substr(pos + needle.size());
    }
    if (std::regex_match(s, m, std::regex(R"((\w+)\.conv_norm_out\.(.*))"))) return m[1].str() + ".norm_out." + m[2].str();
    return s;
}

std::string legacyName(const std::string &k)
{
    const std::pair<const char *, const char *> r[] = {
        {".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}};
    for (const auto &[a, b] : r) {
        const auto pos = k.find(a);
        if (pos != std::string::npos && k.find("attentions") != std::string::npos)
            return k.substr(0, pos) + b + k.substr(pos + std::strlen(a));
    }
    return k;
}

double maxAbsDiff(const HostTensor &a, const std::vector<float> &b)
{
    double m = a.values.size() == b.size() ? 0 : INFINITY;
    for (size_t i = 0; i < a.values.size() && i < b.size(); ++i) m = std::max(m, std::abs(double(a.values[i]) - b[i]));
    return m;
}

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
} // namespace

class TestVaeLayouts : public QObject {
    Q_OBJECT
    QString fixtureDir;
    QTemporaryDir tmp;
    std::unique_ptr<SafetensorsFile> weights, io;
    HostTensor x;
    std::vector<float> refMean;
    RuntimeOptions rt;

    void expectLoads(const std::string &path, const std::string &config = {})
    {
        auto vae = AutoencoderKl::fromCheckpoint(path, config.empty() ? (fixtureDir + QStringLiteral("/config.json")).toStdString() : config, rt);
        const double err = maxAbsDiff(vae->encode(x).mean, refMean);
        QVERIFY2(err <= 1e-4, qPrintable(QStringLiteral("%1: mean err %2").arg(QString::fromStdString(path)).arg(err)));
    }
    // The fixture weights under other names, as safetensors.
    void writeRenamed(const std::string &path, const std::function<std::string(const std::string &)> &rename,
                      bool convAttention = false)
    {
        SafetensorsWriter w;
        for (const auto &t : weights->tensors()) {
            const std::string name = rename(t.name);
            auto shape = t.shape;
            if (convAttention && name.find("attn_1.") != std::string::npos && shape.size() == 2) shape = {shape[0], shape[1], 1, 1};
            w.addFloat(name, shape, weights->toFloat(t.name));
        }
        w.write(path);
    }
    std::map<std::string, testzip::Tensor> torchTensors(const std::function<std::string(const std::string &)> &rename,
                                                        bool convAttention, DType dtype = DType::F32)
    {
        std::map<std::string, testzip::Tensor> out;
        for (const auto &t : weights->tensors()) {
            const std::string name = rename(t.name);
            auto shape = t.shape;
            if (convAttention && name.find("attn_1.") != std::string::npos && shape.size() == 2) shape = {shape[0], shape[1], 1, 1};
            out[name] = {dtype, shape, weights->toFloat(t.name)};
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        fixtureDir = test::fixture(QStringLiteral("vae/tiny"));
        if (fixtureDir.isEmpty()) CPRECON_MISSING(QStringLiteral("vae fixture missing"));
        weights = std::make_unique<SafetensorsFile>((fixtureDir + QStringLiteral("/diffusion_pytorch_model.safetensors")).toStdString());
        io = std::make_unique<SafetensorsFile>((fixtureDir + QStringLiteral("/io.safetensors")).toStdString());
        x.shape = io->info("x").shape;
        x.values = io->toFloat("x");
        refMean = io->toFloat("posterior_mean");
        rt.device = ComputeDevice::Cpu;
    }
    void diffusersFolderAndPipelineFolder()
    {
        expectLoads(fixtureDir.toStdString());
        // pipeline folder with the VAE in vae/
        const QString pipe = tmp.filePath(QStringLiteral("pipeline"));
        QVERIFY(QDir().mkpath(pipe + QStringLiteral("/vae")));
        QVERIFY(QDir().mkpath(pipe + QStringLiteral("/unet")));
        for (const char *f : {"config.json", "diffusion_pytorch_model.safetensors"})
            QVERIFY(QFile::link(fixtureDir + QLatin1Char('/') + QLatin1String(f), pipe + QStringLiteral("/vae/") + QLatin1String(f)));
        const auto loc = locateCheckpoint(pipe.toStdString());
        QVERIFY(QString::fromStdString(loc.layout).contains(QStringLiteral("vae/")));
        QVERIFY(QString::fromStdString(loc.configFile).endsWith(QStringLiteral("vae/config.json")));
        auto vae = AutoencoderKl::fromCheckpoint(pipe.toStdString(), {}, rt);
        QVERIFY(maxAbsDiff(vae->encode(x).mean, refMean) <= 1e-4);
    }
    void hfCacheTree()
    {
        // models--CompVis--stable-diffusion-v1-4/{refs/main, blobs/<sha>, snapshots/<hash>/vae/* -> ../../../blobs/<sha>}
        const QString repo = tmp.filePath(QStringLiteral("hub/models--CompVis--stable-diffusion-v1-4"));
        const QString hash = QStringLiteral("133a221b8aa7292a167afc5127cb63fb5005638b");
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/blobs")));
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/refs")));
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/snapshots/") + hash + QStringLiteral("/vae")));
        QVERIFY(QDir().mkpath(repo + QStringLiteral("/snapshots/0000older/vae")));
        QFile ref(repo + QStringLiteral("/refs/main"));
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write(hash.toUtf8());
        ref.close();
        QVERIFY(QFile::copy(fixtureDir + QStringLiteral("/diffusion_pytorch_model.safetensors"), repo + QStringLiteral("/blobs/207577fc")));
        QVERIFY(QFile::copy(fixtureDir + QStringLiteral("/config.json"), repo + QStringLiteral("/blobs/cfg0001")));
        const QString vaeDir = repo + QStringLiteral("/snapshots/") + hash + QStringLiteral("/vae/");
        QVERIFY(QFile::link(QStringLiteral("../../../blobs/207577fc"), vaeDir + QStringLiteral("diffusion_pytorch_model.safetensors")));
        QVERIFY(QFile::link(QStringLiteral("../../../blobs/cfg0001"), vaeDir + QStringLiteral("config.json")));
        for (const QString &p : {repo, repo + QStringLiteral("/snapshots/") + hash, vaeDir}) {
            auto vae = AutoencoderKl::fromCheckpoint(p.toStdString(), {}, rt);
            QVERIFY2(maxAbsDiff(vae->encode(x).mean, refMean) <= 1e-4, qPrintable(p));
        }
        QCOMPARE(QString::fromStdString(locateCheckpoint(repo.toStdString()).layout), QStringLiteral("HF cache snapshot (vae/ subfolder)"));
    }
    void ldmSingleFiles()
    {
        // vae-ft-mse-840000-ema-pruned.safetensors: LDM names, no prefix, 1x1-conv attention
        const std::string noPrefix = tmp.filePath(QStringLiteral("vae-ft-mse-840000-ema-pruned.safetensors")).toStdString();
        writeRenamed(noPrefix, ldmName, true);
        expectLoads(noPrefix);
        // sd-v1-4.ckpt: torch zip {state_dict: {first_stage_model.*, model.diffusion_model.*}, global_step}
        auto t = torchTensors([](const std::string &k) { return "first_stage_model." + ldmName(k); }, true);
        t["model.diffusion_model.input_blocks.0.0.weight"] = {DType::F32, {2, 2}, {1, 2, 3, 4}};
        t["cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight"] = {DType::F32, {1}, {1}};
        const std::string ckpt = tmp.filePath(QStringLiteral("sd-v1-4.ckpt")).toStdString();
        testzip::writeTorchStateDict(ckpt, t, "state_dict", "sd-v1-4");
        expectLoads(ckpt);
        std::string layout;
        toDiffusersVaeKeys(loadStateDict(ckpt, isVaeCheckpointKey), 4, &layout);
        QCOMPARE(layout, std::string("LDM (prefix first_stage_model.)"));
    }
    void legacyAttentionNamesInTorchBin()
    {
        // diffusers <0.14 attention names (query/key/value/proj_attn, as the sd-v1-4 hub VAE) in a torch .bin
        const std::string bin = tmp.filePath(QStringLiteral("diffusion_pytorch_model.bin")).toStdString();
        testzip::writeTorchStateDict(bin, torchTensors(legacyName, false));
        expectLoads(bin);
        std::string layout;
        toDiffusersVaeKeys(loadStateDict(bin), 4, &layout);
        QCOMPARE(layout, std::string("legacy diffusers"));
    }
    void wrongCheckpointsAreRefusedByName()
    {
        const std::string cfg = (fixtureDir + QStringLiteral("/config.json")).toStdString();
        // InceptionV3 weights given as a VAE
        const QString inception = test::fixture(QStringLiteral("inception/weights.safetensors"));
        if (!inception.isEmpty()) {
            const QString err = errorOf([&] { AutoencoderKl::fromCheckpoint(inception.toStdString(), cfg, rt); });
            QVERIFY2(err.contains(QStringLiteral("no VAE tensors")) && err.contains(QStringLiteral("weights.safetensors")), qPrintable(err));
        }
        // OpenPhenom's encoder (keys encoder.* / decoder.* too, but a ViT): refused as not a VAE
        const QString phenom = test::fixture(QStringLiteral("openphenom/encoder_weights.safetensors"));
        if (!phenom.isEmpty()) {
            const QString err = errorOf([&] { AutoencoderKl::fromCheckpoint(phenom.toStdString(), cfg, rt); });
            QVERIFY2(err.contains(QStringLiteral("not a checkpoint for AutoencoderKL")) &&
                         err.contains(QStringLiteral("encoder.vit_backbone")),
                     qPrintable(err));
        }
        // the tiny weights with the full-size sd14 config: shape mismatches named
        const QString sd14 = test::fixture(QStringLiteral("vae/sd14_config.json"));
        const QString err = errorOf([&] { AutoencoderKl::fromCheckpoint(fixtureDir.toStdString(), sd14.toStdString(), rt); });
        QVERIFY2(err.contains(QStringLiteral("shape mismatches")) && err.contains(QStringLiteral("encoder.conv_in.weight: expected [128, 3, 3, 3] found [32, 3, 3, 3]")), qPrintable(err));
        // a VAE missing tensors / with extra ones
        const std::string partial = tmp.filePath(QStringLiteral("partial.safetensors")).toStdString();
        SafetensorsWriter w;
        for (const auto &t : weights->tensors())
            if (t.name != "decoder.conv_out.bias") w.addFloat(t.name, t.shape, weights->toFloat(t.name));
        w.addFloat("decoder.extra.weight", {1}, {0.f});
        w.write(partial);
        const QString perr = errorOf([&] { AutoencoderKl::fromCheckpoint(partial, cfg, rt); });
        QVERIFY2(perr.contains(QStringLiteral("1 missing (decoder.conv_out.bias)")) && perr.contains(QStringLiteral("1 unexpected (decoder.extra.weight)")), qPrintable(perr));
        // a folder without weights
        const QString empty = tmp.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(empty));
        QVERIFY(errorOf([&] { AutoencoderKl::fromCheckpoint(empty.toStdString(), {}, rt); }).contains(QStringLiteral("no weights found")));
    }
};

QTEST_GUILESS_MAIN(TestVaeLayouts)
#include "tst_vae_layouts.moc"
