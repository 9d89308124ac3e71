// PyTorch zip checkpoints through the restricted unpickler: files made by real torch.save (tests/data), files
// from the test writer (all layouts), and hostile / broken files that must give named errors, never run code.
#include "TestSupport.h"
#include "TorchZipTestWriter.h"
#include "util/Error.h"
#include "weights/StateDict.h"
#include "weights/TorchZipReader.h"

#include <QTemporaryDir>
#include <fstream>

using namespace cprecon;

namespace {
std::string dataFile(const char *name) { return (test::sourceDir() + QStringLiteral("/tests/data/") + QLatin1String(name)).toStdString(); }

std::vector<float> arange(int n, float scale, float offset)
{
    std::vector<float> v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i) * scale + offset;
    return v;
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

void writeBytes(const std::string &path, const std::string &bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
} // namespace

class TestTorchZip : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // tests/data/torch_state_dict.pth: torch 1.13.1 torch.save(state_dict) of Conv2d(2,3,1)+BatchNorm2d(3)+
    // Linear(4,2) with every float tensor = arange(numel)*0.25 + index, plus f16/bf16/f64, a transposed
    // (non-contiguous) and a sliced (storage offset 3) tensor.
    void readsRealTorchSave()
    {
        const StateDict sd = loadStateDict(dataFile("torch_state_dict.pth"));
        QCOMPARE(sd.tensors.size(), size_t(14));
        QCOMPARE(sd.tensors.at("0.weight").shape, (std::vector<int64_t>{3, 2, 1, 1}));
        QCOMPARE(sd.tensors.at("0.weight").values, arange(6, 0.25f, 0.f));
        QCOMPARE(sd.tensors.at("0.bias").values, arange(3, 0.25f, 1.f));
        QCOMPARE(sd.tensors.at("1.running_var").values, arange(3, 0.25f, 5.f));
        QCOMPARE(sd.tensors.at("1.num_batches_tracked").sourceDType, DType::I64);
        QCOMPARE(sd.tensors.at("1.num_batches_tracked").shape, std::vector<int64_t>{});
        QCOMPARE(sd.tensors.at("1.num_batches_tracked").values, std::vector<float>{42.f});
        QCOMPARE(sd.tensors.at("2.weight").shape, (std::vector<int64_t>{2, 4}));
        QCOMPARE(sd.tensors.at("2.weight").values, arange(8, 0.25f, 7.f));
        QCOMPARE(sd.tensors.at("half").sourceDType, DType::F16);
        QCOMPARE(sd.tensors.at("half").values, arange(6, 0.5f, -1.f));
        QCOMPARE(sd.tensors.at("bf16").sourceDType, DType::BF16);
        QCOMPARE(sd.tensors.at("bf16").values, arange(4, 0.25f, -0.5f));
        QCOMPARE(sd.tensors.at("transposed").shape, (std::vector<int64_t>{3, 2}));
        QCOMPARE(sd.tensors.at("transposed").values, (std::vector<float>{0, 3, 1, 4, 2, 5}));
        QCOMPARE(sd.tensors.at("sliced").values, (std::vector<float>{3, 4, 5, 6}));
        QCOMPARE(sd.tensors.at("double").values, (std::vector<float>{1.5f, -2.25f}));
    }
    // tests/data/torch_nested.ckpt: {'state_dict': {...}, 'global_step', 'epoch', 'lr' (float), 'name' (str),
    // 'flags' (list), 'param' (nn.Parameter)} - a Lightning-style .ckpt.
    void readsNestedCkpt()
    {
        TorchZipReader r(dataFile("torch_nested.ckpt"));
        QCOMPARE(r.stateDictEntry(), std::string("state_dict"));
        const StateDict sd = loadStateDict(dataFile("torch_nested.ckpt"), [](const std::string &k) {
            return k.rfind("first_stage_model.", 0) == 0;
        });
        QCOMPARE(sd.tensors.size(), size_t(1));
        QCOMPARE(sd.tensors.at("first_stage_model.w").values, (std::vector<float>{0, 1, 2}));
        QCOMPARE(sd.skippedKeys, std::vector<std::string>{"model.diffusion_model.b"});
    }
    void writerMatchesReader()
    {
        QTemporaryDir dir;
        std::map<std::string, testzip::Tensor> t;
        t["a.weight"] = {DType::F32, {2, 3}, arange(6, 1.5f, -2.f)};
        t["b.half"] = {DType::F16, {4}, arange(4, 0.5f, 0.f)};
        t["c.count"] = {DType::I64, {}, {7.f}};
        const std::string flat = dir.filePath(QStringLiteral("flat.pth")).toStdString();
        testzip::writeTorchStateDict(flat, t);
        StateDict sd = loadStateDict(flat);
        QCOMPARE(sd.tensors.size(), size_t(3));
        QCOMPARE(sd.tensors.at("a.weight").values, arange(6, 1.5f, -2.f));
        QCOMPARE(sd.tensors.at("b.half").sourceDType, DType::F16);
        QCOMPARE(sd.tensors.at("c.count").values, std::vector<float>{7.f});
        const std::string nested = dir.filePath(QStringLiteral("nested.ckpt")).toStdString();
        testzip::writeTorchStateDict(nested, t, "state_dict", "sd-v1-4");
        sd = loadStateDict(nested);
        QCOMPARE(sd.tensors.size(), size_t(3));
        QCOMPARE(sd.tensors.at("a.weight").shape, (std::vector<int64_t>{2, 3}));
    }
    void readsZip64Records()
    {
        // checkpoints > 4 GiB (v1-5-pruned.ckpt, sd-v1-4-full-ema.ckpt) carry zip64 records: same reader path
        QTemporaryDir dir;
        std::map<std::string, testzip::Tensor> t;
        t["first_stage_model.decoder.conv_in.weight"] = {DType::F16, {2, 2}, {0.5f, -1.f, 2.f, 4.f}};
        t["model.diffusion_model.out.2.bias"] = {DType::F32, {3}, {1.f, 2.f, 3.f}};
        const std::string path = dir.filePath(QStringLiteral("big.ckpt")).toStdString();
        testzip::writeTorchStateDict(path, t, "state_dict", "archive", /*zip64=*/true);
        const StateDict sd = loadStateDict(path);
        QCOMPARE(sd.tensors.at("first_stage_model.decoder.conv_in.weight").values, (std::vector<float>{0.5f, -1.f, 2.f, 4.f}));
        QCOMPARE(sd.tensors.at("model.diffusion_model.out.2.bias").values, (std::vector<float>{1.f, 2.f, 3.f}));
    }
    void formatIsDetectedByContent()
    {
        QTemporaryDir dir;
        std::map<std::string, testzip::Tensor> t;
        t["w"] = {DType::F32, {1}, {1.f}};
        const std::string misnamed = dir.filePath(QStringLiteral("model.safetensors")).toStdString();
        testzip::writeTorchStateDict(misnamed, t); // a torch zip named .safetensors (OpenPhenom hub case)
        QCOMPARE(detectCheckpointFormat(misnamed), CheckpointFormat::TorchZip);
        QCOMPARE(loadStateDict(misnamed).tensors.at("w").values, std::vector<float>{1.f});
        CPRECON_REQUIRE_PATH(st, test::fixture(QStringLiteral("vae/tiny/io.safetensors")));
        QCOMPARE(detectCheckpointFormat(st.toStdString()), CheckpointFormat::Safetensors);
    }
    void refusesCodeExecution()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("evil.pth")).toStdString();
        // pickle of os.system('touch pwned'): GLOBAL os system, args tuple, REDUCE
        const std::string pkl = std::string("\x80\x02") + "cos\nsystem\nq\x00X\x0b\x00\x00\x00touch pwnedq\x01\x85R.";
        testzip::writeZip(path, {{"archive/data.pkl", pkl}, {"archive/version", "3\n"}});
        const QString err = errorOf([&] { loadStateDict(path); });
        QVERIFY2(err.contains(QStringLiteral("os.system")) && err.contains(QStringLiteral("evil.pth")), qPrintable(err));
        QVERIFY(!QFileInfo::exists(QStringLiteral("pwned")));
        // unknown opcode (INST 'i' of protocol 0)
        testzip::writeZip(path, {{"archive/data.pkl", std::string("\x80\x02") + "(ibuiltins\neval\n."}});
        QVERIFY(errorOf([&] { loadStateDict(path); }).contains(QStringLiteral("opcode")));
    }
    void cyclicPickleIsRefused()
    {
        // Found by fuzzing: EMPTY_LIST, BINPUT 0, BINGET 0, APPEND puts the list inside itself; reference-counted
        // values in a cycle were never freed. Now a named error.
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("cycle.pth")).toStdString();
        testzip::writeZip(path, {{"archive/data.pkl", std::string("\x80\x02]q\x00h\x00a.", 8)}, {"archive/version", "3\n"}});
        const QString err = errorOf([&] { loadStateDict(path); });
        QVERIFY2(err.contains(QStringLiteral("cycle")) && err.contains(QStringLiteral("cycle.pth")), qPrintable(err));
    }
    void brokenFilesGiveNamedErrors()
    {
        QTemporaryDir dir;
        std::map<std::string, testzip::Tensor> t;
        t["w"] = {DType::F32, {64}, arange(64, 1.f, 0.f)};
        const std::string good = dir.filePath(QStringLiteral("good.pth")).toStdString();
        testzip::writeTorchStateDict(good, t);
        std::ifstream in(good, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        const std::string cut = dir.filePath(QStringLiteral("cut.pth")).toStdString();
        writeBytes(cut, bytes.substr(0, bytes.size() / 2));
        QVERIFY(errorOf([&] { loadStateDict(cut); }).contains(QStringLiteral("cut.pth")));
        // deflated entry
        const std::string deflated = dir.filePath(QStringLiteral("deflated.pth")).toStdString();
        std::string d = bytes;
        d[8] = 8; // local header method
        const size_t cd = d.find(std::string("PK\x01\x02", 4));
        d[cd + 10] = 8; // central directory method of the first entry (data.pkl)
        writeBytes(deflated, d);
        const QString derr = errorOf([&] { loadStateDict(deflated); });
        QVERIFY2(derr.contains(QStringLiteral("compressed")), qPrintable(derr));
        // legacy torch.save (pickle magic number)
        const std::string legacy = dir.filePath(QStringLiteral("legacy.pth")).toStdString();
        writeBytes(legacy, std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15));
        const QString legacyError = errorOf([&] { loadStateDict(legacy); }); // magic number only: truncated
        QVERIFY2(legacyError.contains(QStringLiteral("legacy")) && legacyError.contains(QStringLiteral("legacy.pth")), qPrintable(legacyError));
        const std::string junk = dir.filePath(QStringLiteral("junk.bin")).toStdString();
        writeBytes(junk, "hello world, not a checkpoint");
        QVERIFY(errorOf([&] { loadStateDict(junk); }).contains(QStringLiteral("unknown checkpoint format")));
        // storage smaller than the tensor claims
        const std::string shortStorage = dir.filePath(QStringLiteral("short.pth")).toStdString();
        testzip::Pickle p;
        t["w"].values.resize(8);
        testzip::writeTorchStateDict(shortStorage, {{"w", {DType::F32, {64}, arange(8, 1.f, 0.f)}}});
        QVERIFY(errorOf([&] { loadStateDict(shortStorage); }).contains(QStringLiteral("outside its storage")));
    }

    // tests/data/torch_legacy.pth: torch 1.13 torch.save(..., _use_new_zipfile_serialization=False), the format of
    // the published pytorch-fid Inception weights; torch_legacy.zip.pth holds the same state dict in the zip format
    // (both written by tests/data/make_legacy_checkpoint.py, which checks torch.load reads them back).
    void legacyFormatEqualsZipFormat()
    {
        QCOMPARE(detectCheckpointFormat(dataFile("torch_legacy.pth")), CheckpointFormat::LegacyTorchPickle);
        const StateDict legacy = loadStateDict(dataFile("torch_legacy.pth"));
        const StateDict zip = loadStateDict(dataFile("torch_legacy.zip.pth"));
        QCOMPARE(legacy.tensors.size(), size_t(6));
        QCOMPARE(legacy.tensors.size(), zip.tensors.size());
        for (const auto &[name, t] : zip.tensors) {
            QVERIFY2(legacy.contains(name), name.c_str());
            const HostTensor &l = legacy.tensors.at(name);
            QCOMPARE(l.shape, t.shape);
            QCOMPARE(l.sourceDType, t.sourceDType);
            QCOMPARE(l.values, t.values);
        }
        // Views are gathered: fc.weight = arange(12).reshape(3, 4).t(), fc.bias = row 1 (storage offset 4).
        const HostTensor &w = legacy.tensors.at("fc.weight");
        QCOMPARE(w.shape, (std::vector<int64_t>{4, 3}));
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 3; ++j) QCOMPARE(w.values[size_t(i * 3 + j)], float(j * 4 + i));
        QCOMPARE(legacy.tensors.at("fc.bias").values, (std::vector<float>{4, 5, 6, 7}));
        QCOMPARE(legacy.tensors.at("bn.num_batches_tracked").values, (std::vector<float>{7}));
        QCOMPARE(legacy.tensors.at("bn.running_mean").sourceDType, DType::F16);
    }

    void truncatedLegacyFileIsANamedError()
    {
        QTemporaryDir dir;
        QFile in(QString::fromStdString(dataFile("torch_legacy.pth")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        const std::string cut = dir.filePath(QStringLiteral("cut.pth")).toStdString();
        writeBytes(cut, bytes.left(bytes.size() - 40).toStdString());
        const QString e = errorOf([&] { loadStateDict(cut); });
        QVERIFY2(e.contains(QStringLiteral("cut.pth")) && e.contains(QStringLiteral("truncated")), qPrintable(e));
    }
};

QTEST_GUILESS_MAIN(TestTorchZip)
#include "tst_torchzip.moc"
