// InspectorModel without any widget: one request per real change, batched changes make one request, results of
// a site no longer inspected never arrive.
#include "TestSupport.h"

#include "recon/InspectorModel.h"
#include "screen/ScreenOpener.h"

#include <QSignalSpy>

using namespace cprecon;

namespace {
Site sampleSite()
{
    const QString csv = test::sourceDir() + QStringLiteral("/resources/sample/cpjump1_BR00117010_A01_s1/load_data.csv");
    return openScreen(csv).plates.value(0).wells.value(0).sites.value(0);
}
FigureCaption caption(int site = 1) { return {QStringLiteral("sample"), QStringLiteral("BR00117010"), QStringLiteral("A01"), site}; }
} // namespace

class TestInspectorModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void requestsOnlyOnRealChanges()
    {
        InspectorModel m;
        QSignalSpy requested(&m, &InspectorModel::requested);
        m.setModel(QStringLiteral("bicubic8"));
        m.setSite(sampleSite(), caption());
        QCOMPARE(requested.size(), 0); // not active: nothing computes
        m.setActive(true);
        QCOMPARE(requested.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(m.result() && !m.isRunning(), 60000);
        m.setModel(QStringLiteral("bicubic8")); // the same choice again
        m.setActive(true);
        QCOMPARE(requested.size(), 1);
        QCOMPARE(m.runner()->started(), 1);
        m.beginUpdate(); // three changes, one request
        m.setModel(QStringLiteral("jpeg:50"));
        m.setProtocol(Protocol::Paper);
        m.setSeed(3);
        QCOMPARE(requested.size(), 1);
        m.endUpdate();
        QCOMPARE(requested.size(), 2);
        QCOMPARE(m.runner()->started(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(m.result() && m.result()->model == QStringLiteral("jpeg:50") && !m.isRunning(), 60000);
    }

    void resultsOfAnotherSiteNeverArrive()
    {
        InspectorModel m;
        m.setActive(true);
        m.setModel(QStringLiteral("jpeg:75"));
        m.setCompareModel(QStringLiteral("bicubic8"));
        m.setSite(sampleSite(), caption(1));
        QTRY_VERIFY_WITH_TIMEOUT(m.result() && m.compareResult() && !m.isRunning(), 60000);
        m.setSite(sampleSite(), caption(2));
        QVERIFY(!m.compareResult());
        QTRY_VERIFY_WITH_TIMEOUT(m.compareResult() && !m.isRunning(), 60000);
        QCOMPARE(m.result()->siteLabel, m.siteLabel());
        QCOMPARE(m.compareResult()->siteLabel, m.siteLabel());
        m.setCompareModel({});
        QVERIFY(!m.compareResult());
    }
};

QTEST_GUILESS_MAIN(TestInspectorModel)
#include "tst_inspectormodel.moc"
