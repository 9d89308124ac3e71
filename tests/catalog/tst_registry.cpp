// The model registry: built-in table facts (names, kinds, files, official URLs, licences, checksum rules that
// follow the published torch-hub file names and no invented hashes), JSON round trip, named errors, merging.
#include "TestSupport.h"

#include "catalog/ModelRegistry.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace cprecon::models;

namespace {

QByteArray registryJson(const QJsonObject &model)
{
    QJsonObject root;
    root.insert(QStringLiteral("models"), QJsonArray{model});
    return QJsonDocument(root).toJson();
}

QJsonObject validModel()
{
    QJsonObject f;
    f.insert(QStringLiteral("path"), QStringLiteral("weights.pth"));
    f.insert(QStringLiteral("url"), QStringLiteral("https://example.org/weights.pth"));
    QJsonObject m;
    m.insert(QStringLiteral("name"), QStringLiteral("my-model"));
    m.insert(QStringLiteral("kind"), QStringLiteral("inception-fid"));
    m.insert(QStringLiteral("licence"), QStringLiteral("MIT"));
    m.insert(QStringLiteral("files"), QJsonArray{f});
    return m;
}

QString errorOf(const QByteArray &json)
{
    try {
        ModelRegistry::fromJson(json, QStringLiteral("test.json"));
    } catch (const cprecon::Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void builtinHasThePaperModels()
    {
        const ModelRegistry &r = ModelRegistry::builtin();
        const QStringList expected{QStringLiteral("sd-vae-v1-4"),     QStringLiteral("sd-vae-ft-mse"),
                                   QStringLiteral("sd-vae-ft-mse-original"), QStringLiteral("sdxl-vae"),
                                   QStringLiteral("sd3-vae"),         QStringLiteral("flux-vae"),
                                   QStringLiteral("inception-torchvision"), QStringLiteral("inception-fid"),
                                   QStringLiteral("openphenom"),      QStringLiteral("bicubic8"),
                                   QStringLiteral("jpeg")};
        for (const QString &n : expected) QVERIFY2(r.find(n), qPrintable(n));

        const KnownModel &sd = r.get(QStringLiteral("sd-vae-v1-4"));
        QCOMPARE(sd.kind, ModelKind::Vae);
        QCOMPARE(sd.hfRepo, QStringLiteral("CompVis/stable-diffusion-v1-4"));
        QCOMPARE(sd.subfolder, QStringLiteral("vae"));
        QCOMPARE(sd.files.size(), size_t(2));
        QCOMPARE(sd.files[0].path, QStringLiteral("vae/config.json"));
        QCOMPARE(sd.weightsFile()->path, QStringLiteral("vae/diffusion_pytorch_model.safetensors"));
        QVERIFY(sd.weightsFile()->alternatives.contains(QStringLiteral("vae/diffusion_pytorch_model.bin")));
        QCOMPARE(ModelRegistry::downloadUrl(sd, sd.files[1]).toString(),
                 QStringLiteral("https://huggingface.co/CompVis/stable-diffusion-v1-4/resolve/main/vae/diffusion_pytorch_model.safetensors"));
        QCOMPARE(sd.licence, QStringLiteral("CreativeML OpenRAIL-M"));

        const KnownModel &orig = r.get(QStringLiteral("sd-vae-ft-mse-original"));
        QVERIFY(orig.isSingleFile());
        QCOMPARE(orig.files[0].path, QStringLiteral("vae-ft-mse-840000-ema-pruned.safetensors"));

        const KnownModel &tv = r.get(QStringLiteral("inception-torchvision"));
        QCOMPARE(tv.kind, ModelKind::InceptionTorchvision);
        QVERIFY(tv.torchHub);
        QCOMPARE(ModelRegistry::downloadUrl(tv, tv.files[0]).toString(),
                 QStringLiteral("https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth"));
        QCOMPARE(tv.files[0].checksum.sha256Prefix, QStringLiteral("0cc3c7bd"));
        QCOMPARE(tv.files[0].checksum.describe(), QStringLiteral("sha256 starts with 0cc3c7bd"));

        const KnownModel &fid = r.get(QStringLiteral("inception-fid"));
        QCOMPARE(fid.kind, ModelKind::InceptionFid);
        QVERIFY(fid.files[0].url.startsWith(QStringLiteral("https://github.com/mseitzer/pytorch-fid/releases/download/")));

        const KnownModel &op = r.get(QStringLiteral("openphenom"));
        QCOMPARE(op.kind, ModelKind::OpenPhenom);
        QCOMPARE(op.hfRepo, QStringLiteral("recursionpharma/OpenPhenom"));
        QVERIFY(op.nonCommercial);
        QVERIFY(op.licenceSummary().contains(QStringLiteral("NON-COMMERCIAL")));
        QVERIFY(r.get(QStringLiteral("flux-vae")).gated);
        QVERIFY(r.get(QStringLiteral("sd3-vae")).gated);

        QVERIFY(r.get(QStringLiteral("bicubic8")).isBaseline());
        QVERIFY(r.get(QStringLiteral("bicubic8")).files.empty());
    }

    void builtinChecksumsArePublishedOnly()
    {
        // Torch-hub style names end in the sha256 prefix: the rule must be exactly that prefix. No full hash is
        // published for any built-in file, so none may appear (a made-up hash would reject every good download).
        static const QRegularExpression hubName(QStringLiteral("-([0-9a-f]{8,})\\.[a-z]+$"));
        for (const KnownModel &m : ModelRegistry::builtin().models()) {
            QVERIFY2(!m.licence.isEmpty(), qPrintable(m.name));
            QVERIFY2(!m.role.isEmpty(), qPrintable(m.name));
            if (!m.isBaseline()) QVERIFY2(m.weightsFile(), qPrintable(m.name));
            for (const ModelFile &f : m.files) {
                QVERIFY2(f.checksum.sha256.isEmpty(), qPrintable(m.name + QStringLiteral(": ") + f.path));
                const auto match = hubName.match(f.fileName());
                QCOMPARE(f.checksum.sha256Prefix, match.hasMatch() ? match.captured(1) : QString());
                const QUrl url = ModelRegistry::downloadUrl(m, f);
                QVERIFY2(url.isValid() && url.scheme() == QStringLiteral("https"), qPrintable(url.toString()));
            }
        }
    }

    void checksumRule()
    {
        const QString hex = QStringLiteral("0cc3c7bd") + QString(56, QLatin1Char('a'));
        QVERIFY(ChecksumRule{}.matches(hex));
        QVERIFY((ChecksumRule{{}, QStringLiteral("0cc3c7bd")}.matches(hex)));
        QVERIFY((ChecksumRule{{}, QStringLiteral("0cc3c7bd")}.matches(hex.toUpper())));
        QVERIFY(!(ChecksumRule{{}, QStringLiteral("6726825d")}.matches(hex)));
        QVERIFY((ChecksumRule{hex, {}}.matches(hex)));
        QVERIFY(!(ChecksumRule{QString(64, QLatin1Char('b')), {}}.matches(hex)));
        QCOMPARE(ChecksumRule{}.describe(), QStringLiteral("no published checksum"));
    }

    void jsonRoundTrip()
    {
        const ModelRegistry &r = ModelRegistry::builtin();
        const ModelRegistry back = ModelRegistry::fromJson(r.toJson(), QStringLiteral("round trip"));
        QCOMPARE(back.models().size(), r.models().size());
        for (size_t i = 0; i < r.models().size(); ++i) {
            const KnownModel &a = r.models()[i], &b = back.models()[i];
            QCOMPARE(b.name, a.name);
            QCOMPARE(b.kind, a.kind);
            QCOMPARE(b.hfRepo, a.hfRepo);
            QCOMPARE(b.subfolder, a.subfolder);
            QCOMPARE(b.licence, a.licence);
            QCOMPARE(b.nonCommercial, a.nonCommercial);
            QCOMPARE(b.gated, a.gated);
            QCOMPARE(b.files.size(), a.files.size());
            for (size_t j = 0; j < a.files.size(); ++j) {
                QCOMPARE(b.files[j].path, a.files[j].path);
                QCOMPARE(b.files[j].alternatives, a.files[j].alternatives);
                QCOMPARE(b.files[j].checksum.sha256Prefix, a.files[j].checksum.sha256Prefix);
                QCOMPARE(b.files[j].approxBytes, a.files[j].approxBytes);
                QCOMPARE(b.files[j].weights, a.files[j].weights);
            }
        }
    }

    void badEntriesGiveNamedErrors()
    {
        QVERIFY(errorOf(registryJson(validModel())).isEmpty());

        QString e = errorOf("{ not json");
        QVERIFY2(e.contains(QStringLiteral("test.json")) && e.contains(QStringLiteral("not valid JSON")), qPrintable(e));

        e = errorOf("{\"models\": []}");
        QVERIFY2(e.contains(QStringLiteral("no \"models\" array")), qPrintable(e));

        QJsonObject m = validModel();
        m.insert(QStringLiteral("kind"), QStringLiteral("diffusion"));
        e = errorOf(registryJson(m));
        QVERIFY2(e.contains(QStringLiteral("'my-model'")) && e.contains(QStringLiteral("unknown kind 'diffusion'")), qPrintable(e));

        m = validModel();
        QJsonObject f;
        f.insert(QStringLiteral("path"), QStringLiteral("w.pth"));
        f.insert(QStringLiteral("url"), QStringLiteral("https://example.org/w.pth"));
        f.insert(QStringLiteral("sha256"), QStringLiteral("1234"));
        m.insert(QStringLiteral("files"), QJsonArray{f});
        e = errorOf(registryJson(m));
        QVERIFY2(e.contains(QStringLiteral("bad sha256 for 'w.pth'")), qPrintable(e));

        m = validModel();
        f = QJsonObject{{QStringLiteral("path"), QStringLiteral("../escape.pth")}, {QStringLiteral("url"), QStringLiteral("https://x/y")}};
        m.insert(QStringLiteral("files"), QJsonArray{f});
        e = errorOf(registryJson(m));
        QVERIFY2(e.contains(QStringLiteral("must be relative")), qPrintable(e));

        m = validModel();
        f = QJsonObject{{QStringLiteral("path"), QStringLiteral("w.pth")}}; // neither url nor hf_repo
        m.insert(QStringLiteral("files"), QJsonArray{f});
        e = errorOf(registryJson(m));
        QVERIFY2(e.contains(QStringLiteral("has no url")), qPrintable(e));

        QJsonObject root;
        root.insert(QStringLiteral("models"), QJsonArray{validModel(), validModel()});
        e = errorOf(QJsonDocument(root).toJson());
        QVERIFY2(e.contains(QStringLiteral("duplicate model name 'my-model'")), qPrintable(e));

        try {
            ModelRegistry::builtin().get(QStringLiteral("sd-vae-v9"));
            QFAIL("expected an error");
        } catch (const cprecon::Error &err) {
            QVERIFY(QString::fromStdString(err.fix()).contains(QStringLiteral("sd-vae-v1-4")));
        }
    }

    void mirrorUrlBase()
    {
        const KnownModel &sd = ModelRegistry::builtin().get(QStringLiteral("sd-vae-v1-4"));
        QCOMPARE(ModelRegistry::downloadUrl(sd, sd.files[0], QStringLiteral("http://127.0.0.1:8080/mirror/")).toString(),
                 QStringLiteral("http://127.0.0.1:8080/mirror/vae/config.json"));
    }

    void environmentRegistryIsMerged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("extra.json"));
        QJsonObject m = validModel();
        QJsonObject replaced = validModel();
        replaced.insert(QStringLiteral("name"), QStringLiteral("openphenom"));
        replaced.insert(QStringLiteral("licence"), QStringLiteral("local override"));
        QJsonObject root;
        root.insert(QStringLiteral("models"), QJsonArray{m, replaced});
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(root).toJson());
        f.close();
        qputenv("CPRECON_MODEL_REGISTRY", path.toUtf8());
        const ModelRegistry r = ModelRegistry::standard();
        qunsetenv("CPRECON_MODEL_REGISTRY");
        QVERIFY(r.find(QStringLiteral("my-model")));
        QCOMPARE(r.get(QStringLiteral("openphenom")).licence, QStringLiteral("local override"));
        QCOMPARE(r.models().size(), ModelRegistry::builtin().models().size() + 1);
    }
    void baselinesAreOneListInTheRegistry()
    {
        // The one list every model list offers (inspector, CLI, factory).
        const QStringList specs = ModelRegistry::builtin().baselineSpecs();
        QCOMPARE(specs, (QStringList{QStringLiteral("bicubic8"), QStringLiteral("jpeg:75"), QStringLiteral("jpeg:90"),
                                     QStringLiteral("jpeg:50"), QStringLiteral("pca8")}));
        const ModelRegistry again = ModelRegistry::fromJson(ModelRegistry::builtin().toJson(), QStringLiteral("round trip"));
        QCOMPARE(again.baselineSpecs(), specs);
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
