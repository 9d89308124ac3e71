// A run config checked against its screens before any work: the datasets, their tiles and controls, and named
// errors for an unknown plate, an unknown dataset column and missing weights.
#include "TestSupport.h"

#include "run/RunPlan.h"
#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QStandardPaths>
#include <QTemporaryDir>

using namespace cprecon;
using namespace cprecon::run;

namespace {
QString errorOf(const RunConfig &c, const Screen &s)
{
    try {
        planRun(c, {&s});
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
} // namespace

class TestRunPlan : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    Screen m_phantom;

private Q_SLOTS:
    void initTestCase()
    {
        // Weight discovery looks only here: the result does not depend on what this machine has downloaded.
        QStandardPaths::setTestModeEnabled(true);
        for (const char *v : {"HF_HOME", "HF_HUB_CACHE", "TORCH_HOME", "CPRECON_MODELS", "XDG_CACHE_HOME"})
            qputenv(v, m_dir.filePath(QStringLiteral("empty")).toUtf8());
        const QString phantom = m_dir.filePath(QStringLiteral("phantom"));
        QString out, err;
        QCOMPARE(test::runCli({QStringLiteral("phantom"), QStringLiteral("--out"), phantom, QStringLiteral("--plates"), QStringLiteral("2"),
                               QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--size"), QStringLiteral("256"),
                               QStringLiteral("--seed"), QStringLiteral("2"), QStringLiteral("--quiet")},
                              &out, &err),
                 0);
        m_phantom = openScreen(phantom);
    }

    void datasetsTilesAndControls()
    {
        RunConfig c;
        c.models = {QStringLiteral("bicubic8"), QStringLiteral("jpeg:10")};
        c.extractors = {{"handcrafted", ""}};
        c.crop = 256;
        const RunPlan plan = planRun(c, {&m_phantom});
        QCOMPARE(plan.sites, 2 * 96);
        QCOMPARE(plan.tilesPerSite, 1);
        QCOMPARE(int(plan.datasets.size()), 1); // one cell line, one time point
        const Dataset &d = plan.datasets.front();
        QVERIFY2(d.label.contains(QStringLiteral("Metadata_CellLine=")), qPrintable(d.label));
        QCOMPARE(d.tiles, 192);
        QVERIFY(d.negativeControlWells > 0);
        bool fidWarning = false, frWarning = false;
        for (const auto &w : plan.warnings) {
            fidWarning |= w.find("< 2048") != std::string::npos;
            frWarning |= w.find("no negative-control") != std::string::npos;
        }
        QVERIFY(fidWarning);
        QVERIFY(!frWarning);
        // The subset narrows the sites.
        c.plates = {m_phantom.plates.first().barcode};
        c.wells = {QStringLiteral("A01"), QStringLiteral("B02")};
        QCOMPARE(planRun(c, {&m_phantom}).sites, 2);
    }

    void aDatasetWithoutControlsGetsNoFrWithAWarning()
    {
        const Screen sample = openScreen(test::sourceDir() + QStringLiteral("/resources/sample/bbbc022_20585_A01_s2_png"));
        RunConfig c;
        c.models = {QStringLiteral("bicubic8")};
        c.extractors = {{"handcrafted", ""}};
        c.crop = 512;
        const RunPlan plan = planRun(c, {&sample});
        bool frWarning = false;
        for (const auto &w : plan.warnings) frWarning |= w.find("no negative-control wells") != std::string::npos;
        QVERIFY(frWarning);
    }

    void namedErrorsBeforeAnyWork()
    {
        RunConfig c;
        c.models = {QStringLiteral("bicubic8")};
        c.extractors = {{"handcrafted", ""}};
        c.crop = 256;
        RunConfig bad = c;
        bad.plates = {QStringLiteral("NO-SUCH-PLATE")};
        QVERIFY2(errorOf(bad, m_phantom).contains(QStringLiteral("NO-SUCH-PLATE")) &&
                     errorOf(bad, m_phantom).contains(m_phantom.plates.first().barcode),
                 qPrintable(errorOf(bad, m_phantom)));
        bad = c;
        bad.groupBy = {QStringLiteral("Metadata_Batchx")};
        QVERIFY2(errorOf(bad, m_phantom).contains(QStringLiteral("Metadata_Batchx")), qPrintable(errorOf(bad, m_phantom)));
        bad = c;
        bad.models = {QStringLiteral("sd-vae:/nonexistent/vae")};
        QVERIFY2(errorOf(bad, m_phantom).contains(QStringLiteral("/nonexistent/vae")), qPrintable(errorOf(bad, m_phantom)));
        bad = c;
        bad.extractors = {{"inception", ""}}; // no weights anywhere discovery looks
        QVERIFY2(errorOf(bad, m_phantom).contains(QStringLiteral("inception-torchvision")) &&
                     errorOf(bad, m_phantom).contains(QStringLiteral("models download")),
                 qPrintable(errorOf(bad, m_phantom)));
        bad.extractors = {{"inception", "/nonexistent/inception.pth"}};
        QVERIFY2(errorOf(bad, m_phantom).contains(QStringLiteral("/nonexistent/inception.pth")), qPrintable(errorOf(bad, m_phantom)));
        QVERIFY(errorOf(c, m_phantom).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunPlan)
#include "tst_runplan.moc"
