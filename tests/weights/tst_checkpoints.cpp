// Key spellings of the SD-VAE family (LDM / legacy diffusers -> diffusers), key checks, folder resolution.
#include "TestSupport.h"
#include "util/Error.h"
#include "weights/CheckpointLocator.h"
#include "weights/KeyCheck.h"
#include "weights/VaeKeys.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace cprecon;

class TestCheckpoints : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ldmNamesMapToDiffusers()
    {
        const std::pair<const char *, const char *> cases[] = {
            {"first_stage_model.encoder.down.0.block.1.norm1.weight", "encoder.down_blocks.0.resnets.1.norm1.weight"},
            {"encoder.down.1.block.0.nin_shortcut.weight", "encoder.down_blocks.1.resnets.0.conv_shortcut.weight"},
            {"encoder.down.2.downsample.conv.bias", "encoder.down_blocks.2.downsamplers.0.conv.bias"},
            {"decoder.up.0.block.2.conv2.weight", "decoder.up_blocks.3.resnets.2.conv2.weight"},
            {"decoder.up.3.upsample.conv.weight", "decoder.up_blocks.0.upsamplers.0.conv.weight"},
            {"decoder.up.1.block.0.nin_shortcut.bias", "decoder.up_blocks.2.resnets.0.conv_shortcut.bias"},
            {"encoder.mid.block_1.conv1.weight", "encoder.mid_block.resnets.0.conv1.weight"},
            {"decoder.mid.block_2.norm2.bias", "decoder.mid_block.resnets.1.norm2.bias"},
            {"encoder.mid.attn_1.norm.weight", "encoder.mid_block.attentions.0.group_norm.weight"},
            {"first_stage_model.decoder.mid.attn_1.q.weight", "decoder.mid_block.attentions.0.to_q.weight"},
            {"encoder.mid.attn_1.proj_out.bias", "encoder.mid_block.attentions.0.to_out.0.bias"},
            {"encoder.norm_out.weight", "encoder.conv_norm_out.weight"},
            {"first_stage_model.quant_conv.weight", "quant_conv.weight"},
            {"post_quant_conv.bias", "post_quant_conv.bias"},
            {"encoder.mid_block.attentions.0.query.weight", "encoder.mid_block.attentions.0.to_q.weight"},
            {"decoder.mid_block.attentions.0.proj_attn.bias", "decoder.mid_block.attentions.0.to_out.0.bias"},
            {"vae.decoder.conv_in.weight", "decoder.conv_in.weight"},
            {"encoder.down_blocks.0.resnets.0.norm1.weight", "encoder.down_blocks.0.resnets.0.norm1.weight"},
        };
        for (const auto &[from, to] : cases) QCOMPARE(diffusersVaeKey(from, 4), std::string(to));
        QVERIFY(isVaeCheckpointKey("first_stage_model.encoder.conv_in.weight"));
        QVERIFY(!isVaeCheckpointKey("model.diffusion_model.input_blocks.0.0.weight"));
        QVERIFY(!isVaeCheckpointKey("cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight"));
    }
    void attentionConvWeightsAreSqueezed()
    {
        StateDict sd;
        sd.tensors["first_stage_model.encoder.mid.attn_1.k.weight"] = {DType::F16, {8, 8, 1, 1}, std::vector<float>(64, 1.f)};
        sd.tensors["first_stage_model.encoder.conv_in.weight"] = {DType::F16, {8, 3, 1, 1}, std::vector<float>(24, 1.f)};
        std::string layout;
        const StateDict out = toDiffusersVaeKeys(sd, 4, &layout);
        QCOMPARE(out.tensors.at("encoder.mid_block.attentions.0.to_k.weight").shape, (std::vector<int64_t>{8, 8}));
        QCOMPARE(out.tensors.at("encoder.conv_in.weight").shape, (std::vector<int64_t>{8, 3, 1, 1})); // convs untouched
        QCOMPARE(layout, std::string("LDM (prefix first_stage_model.)"));
        sd.tensors["encoder.mid_block.attentions.0.to_k.weight"] = {DType::F32, {8, 8}, std::vector<float>(64, 0.f)};
        QVERIFY_THROWS_EXCEPTION(Error, toDiffusersVaeKeys(sd, 4)); // two spellings of one tensor
    }
    void keyCheckNamesProblems()
    {
        StateDict sd;
        sd.source = "x.safetensors";
        sd.tensors["a"] = {DType::F32, {2}, {0, 0}};
        sd.tensors["b"] = {DType::F32, {3}, {0, 0, 0}};
        sd.tensors["z"] = {DType::F32, {1}, {0}};
        const ShapeList expected = {{"a", {2}}, {"b", {4}}, {"c", {1}}};
        const KeyCheck c = checkKeys(expected, sd);
        QCOMPARE(c.matched, size_t(1));
        QCOMPARE(c.missing, std::vector<std::string>{"c"});
        QCOMPARE(c.unexpected, std::vector<std::string>{"z"});
        QCOMPARE(c.summary(), std::string("1 missing (c); 1 unexpected (z); 1 shape mismatches (b: expected [4] found [3])"));
        try {
            requireMatchingKeys(c, "TestNet", sd.source, &sd);
            QFAIL("accepted");
        } catch (const Error &e) {
            QCOMPARE(QString::fromStdString(e.file()), QStringLiteral("x.safetensors"));
        }
        // almost nothing in common: "not a checkpoint for TestNet"
        ShapeList many;
        for (int i = 0; i < 20; ++i) many.push_back({"k" + std::to_string(i), {1}});
        try {
            requireMatchingKeys(checkKeys(many, sd), "TestNet", sd.source, &sd);
            QFAIL("accepted");
        } catch (const Error &e) {
            QVERIFY(QString::fromStdString(e.message()).startsWith(QStringLiteral("not a checkpoint for TestNet")));
        }
    }
    void locatorPrefersDiffusersNames()
    {
        QTemporaryDir tmp;
        const QString d = tmp.path();
        for (const char *f : {"config.json", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"}) {
            QFile file(d + QLatin1Char('/') + QLatin1String(f));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        const CheckpointLocation loc = locateCheckpoint(d.toStdString());
        QVERIFY(QString::fromStdString(loc.weightsFile).endsWith(QStringLiteral("diffusion_pytorch_model.safetensors")));
        QVERIFY(QString::fromStdString(loc.configFile).endsWith(QStringLiteral("config.json")));
        // a file given directly keeps its sibling config only under a diffusers name
        QCOMPARE(locateCheckpoint(loc.weightsFile).configFile, loc.configFile);
        QFile other(d + QStringLiteral("/my-vae.ckpt"));
        QVERIFY(other.open(QIODevice::WriteOnly));
        QVERIFY(locateCheckpoint(other.fileName().toStdString()).configFile.empty());
        QVERIFY_THROWS_EXCEPTION(Error, locateCheckpoint((d + QStringLiteral("/missing")).toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestCheckpoints)
#include "tst_checkpoints.moc"
