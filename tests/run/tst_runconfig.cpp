// The run definition: paper defaults, a lossless JSON round trip with a stable hash, named errors for unknown
// keys, wrong types and bad values, and the keys that differ between two configs.
#include "TestSupport.h"

#include "run/RunConfig.h"
#include "util/Error.h"

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

using namespace cprecon;
using namespace cprecon::run;
using json = nlohmann::json;

namespace {
// The error message of parsing `j`, or "" when it parsed.
QString errorOf(const json &j)
{
    try {
        RunConfig::fromJson(j, "test.json");
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
json with(const char *key, const json &value)
{
    json j = RunConfig().toJson();
    j[key] = value;
    return j;
}
} // namespace

class TestRunConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreThePapers()
    {
        const RunConfig c;
        QCOMPARE(c.models, QStringList{QStringLiteral("sd-vae-v1-4")});
        QCOMPARE(c.protocol, Protocol::Paper);
        QCOMPARE(c.tileSize, 256);
        QCOMPARE(c.crop, 1024);
        QCOMPARE(c.triplets.toString(), QStringLiteral("Mito,AGP,RNA;RNA,ER,DNA"));
        QCOMPARE(c.extractors.size(), size_t(2));
        QCOMPARE(c.extractors[0].name, std::string("inception"));
        QCOMPARE(c.extractors[1].name, std::string("openphenom"));
        QCOMPARE(c.aggregations.size(), size_t(2));
        QCOMPARE(c.nullSize, int64_t(1000000));
        QCOMPARE(c.repeats, 3);
        QCOMPARE(c.groupBy, (QStringList{QStringLiteral("Metadata_CellLine"), QStringLiteral("Metadata_TimepointHours")}));
    }

    void roundTripIsLosslessAndTheHashStable()
    {
        RunConfig c;
        c.screens = {QStringLiteral("/data/cpg0000")};
        c.models = {QStringLiteral("bicubic8"), QStringLiteral("jpeg:10")};
        c.protocol = Protocol::Corrected;
        c.extractors = {{"handcrafted", ""}, {"inception", "/models/inception.pth"}};
        c.aggregations = {profiles::Aggregation::Median};
        c.repeats = 2;
        c.seed = 7;
        c.plates = {QStringLiteral("BR1")};
        const json j = c.toJson();
        QCOMPARE(QString::fromStdString(j["schema"].get<std::string>()), QStringLiteral("cprecon.run-config/1"));
        const RunConfig back = RunConfig::fromJson(json::parse(j.dump()), "round trip");
        QCOMPARE(back.toJson(), j);
        QCOMPARE(back.hash(), c.hash());
        QCOMPARE(int(c.hash().size()), 64);
        QVERIFY(RunConfig().hash() != c.hash());
        // Missing keys take the defaults.
        QCOMPARE(RunConfig::fromJson(json::object(), "empty").toJson(), RunConfig().toJson());
        // Through a file, as `cprecon-cli config --check` reads it.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(j.dump(2)));
        f.close();
        QCOMPARE(RunConfig::fromFile(path).hash(), c.hash());
    }

    void badConfigsGiveNamedErrors()
    {
        const struct {
            json j;
            const char *mentions;
        } cases[] = {
            {with("reapeats", 3), "unknown key \"reapeats\""},
            {with("repeats", 0), "\"repeats\" is out of range"},
            {with("repeats", "three"), "\"repeats\" must be a number"},
            {with("tile_size", 4), "\"tile_size\" is out of range"},
            {with("crop", 128), "\"crop\" is smaller than tile_size"},
            {with("protocol", "papers"), "unknown protocol 'papers'"},
            {with("models", json::array()), "\"models\" is empty"},
            {with("models", json::array({"bicubic8", "bicubic8"})), "names a model twice"},
            {with("extractors", json::array({"resnet"})), "unknown extractor 'resnet'"},
            {with("extractors", json::array({json{{"name", "handcrafted"}, {"weights", "/x"}}})), "gives weights to handcrafted"},
            {with("aggregations", json::array({"mode"})), "mode"},
            {with("triplets", "Mito,AGP,RNA;RNA,ER,XXX"), "XXX"},
            {with("device", "tpu"), "\"device\" is 'tpu'"},
            {with("schema", "cprecon.run-config/9"), "this version reads cprecon.run-config/1"},
            {with("subset", json{{"plate", json::array({"P1"})}}), "\"subset.plate\" is not a subset key"},
            {with("null_size", 1.5), "\"null_size\" must be a whole number"},
        };
        for (const auto &c : cases) {
            const QString e = errorOf(c.j);
            QVERIFY2(e.contains(QLatin1String(c.mentions)), qPrintable(QStringLiteral("expected '%1', got '%2'").arg(QLatin1String(c.mentions), e)));
        }
        QVERIFY2(errorOf(with("repeats", 0)).contains(QStringLiteral("test.json")), "the error names the file");
    }

    void differencesNameTheChangedKeys()
    {
        RunConfig a, b;
        QVERIFY(a.differences(b).empty());
        b.repeats = 2;
        b.models << QStringLiteral("bicubic8");
        const auto d = a.differences(b);
        QCOMPARE(d, (std::vector<std::string>{"models", "repeats"}));
    }

    void cliTemplateIsAValidConfig()
    {
        QString out, err;
        QCOMPARE(test::runCli({QStringLiteral("config"), QStringLiteral("--template")}, &out, &err), 0);
        QCOMPARE(RunConfig::fromJson(json::parse(out.toStdString()), "template").toJson(), RunConfig().toJson());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(with("repeats", -1).dump()));
        f.close();
        QVERIFY(test::runCli({QStringLiteral("config"), QStringLiteral("--check"), path}, &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("repeats")) && err.contains(path), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestRunConfig)
#include "tst_runconfig.moc"
