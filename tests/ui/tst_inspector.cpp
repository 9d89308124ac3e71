// The reconstruction inspector on a real site: panels, linked zoom, pixel readout, restart-on-switch without stale
// images, the result cache, and figure exports of the requested size.
#include "ImagePanel.h"
#include "InspectorView.h"
#include "TestSupport.h"

#include "catalog/ModelRegistry.h"
#include "render/FigureExport.h"
#include "screen/ScreenOpener.h"

#include <QComboBox>
#include <QLineEdit>
#include <QMouseEvent>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace cprecon;
using namespace cprecon::ui;

namespace {
Site sampleSite()
{
    const QString csv = test::sourceDir() + QStringLiteral("/resources/sample/cpjump1_BR00117010_A01_s1/load_data.csv");
    return openScreen(csv).plates.value(0).wells.value(0).sites.value(0);
}
FigureCaption caption() { return {QStringLiteral("sample"), QStringLiteral("BR00117010"), QStringLiteral("A01"), 1}; }
} // namespace

class TestInspector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void showsOriginalReconstructionDifference()
    {
        InspectorView v;
        v.resize(1400, 900);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy shown(&v, &InspectorView::reconstructionShown);
        v.setModel(QStringLiteral("bicubic8"));
        v.setActive(true);
        v.setSite(sampleSite(), caption());
        QVERIFY(shown.wait(60000));
        const SiteReconstruction *r = v.result();
        QVERIFY(r);
        QCOMPARE(r->model, QStringLiteral("bicubic8"));
        QCOMPARE(v.metricsTable()->rowCount(), 5);
        // The table shows the engine's numbers.
        QCOMPARE(v.metricsTable()->item(0, 1)->text(), QString::number(r->stains[0].mae, 'f', 4));
        for (int s = 0; s <= 5; ++s)
            for (auto c : {InspectorView::Original, InspectorView::Reconstruction, InspectorView::Difference}) {
                QVERIFY(v.panel(s, c));
                QVERIFY(!v.panel(s, c)->image().isNull());
                QCOMPARE(v.panel(s, c)->image().size(), QSize(1024, 1024));
            }

        // Linked zoom/pan: every panel follows the one the user zoomed.
        v.panel(2, InspectorView::Difference)->zoomBy(3.0, QPointF(40, 30));
        const ViewState state = v.panel(2, InspectorView::Difference)->viewState();
        QVERIFY(state.zoom > 0);
        for (int s = 0; s <= 5; ++s)
            for (auto c : {InspectorView::Original, InspectorView::Reconstruction, InspectorView::Difference})
                QCOMPARE(v.panel(s, c)->viewState(), state);

        // Pixel readout: hovering a panel reports original / reconstruction / difference of every stain there.
        ImagePanel *p = v.panel(0, InspectorView::Original);
        p->zoomFit(); // the whole image in view again (linked)
        QCOMPARE(v.panel(3, InspectorView::Difference)->viewState(), p->viewState());
        const QPoint widgetPos = p->imageToWidget(QPointF(600.5, 420.5)).toPoint();
        QVERIFY(p->rect().contains(widgetPos));
        // A real mouse-move event to the panel (QTest::mouseMove also sends enter/leave to whatever the offscreen
        // cursor crossed, which clears the readout in an order the test cannot rely on).
        QMouseEvent move(QEvent::MouseMove, QPointF(widgetPos), p->mapToGlobal(QPointF(widgetPos)), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(p, &move);
        const QPointF imagePos = p->widgetToImage(QPointF(widgetPos));
        const int x = int(std::floor(imagePos.x())), y = int(std::floor(imagePos.y()));
        const auto &dna = r->stains[0];
        const int o = dna.original.at<uint8_t>(y, x), rec = dna.reconstruction.at<uint8_t>(y, x);
        const QString readout = v.pixelReadout();
        QVERIFY2(readout.contains(QStringLiteral("x %1, y %2").arg(x).arg(y)), qPrintable(readout));
        QVERIFY2(readout.contains(QStringLiteral("DNA</span>: %1 / %2 / %3").arg(o).arg(rec).arg(rec - o)), qPrintable(readout));
        // ... and the metrics of the tile under the cursor.
        const auto &tile = dna.tiles[size_t((y / 256) * 4 + x / 256)];
        QVERIFY2(v.tileReadout().contains(QStringLiteral("DNA: %1").arg(tile.mae, 0, 'f', 4)), qPrintable(v.tileReadout()));
    }

    void switchingModelsMidRunShowsOnlyTheLatest()
    {
        InspectorView v;
        QStringList shownModels;
        connect(&v, &InspectorView::reconstructionShown, &v, [&] { shownModels << v.result()->model; });
        v.setActive(true);
        v.setModel(QStringLiteral("jpeg:50"));
        v.setSite(sampleSite(), caption()); // starts jpeg:50 ...
        QVERIFY(v.isRunning());
        v.setModel(QStringLiteral("bicubic8")); // ... and is superseded before it can finish
        QTRY_VERIFY_WITH_TIMEOUT(!shownModels.isEmpty() && !v.isRunning(), 60000);
        QTest::qWait(300); // give a stale result every chance to (wrongly) arrive
        QCOMPARE(shownModels, QStringList{QStringLiteral("bicubic8")});
        QCOMPARE(v.result()->model, QStringLiteral("bicubic8"));
        QCOMPARE(v.runner()->started(), 2);
    }

    void modelBoxesOfferTheRegistryBaselines()
    {
        InspectorView v;
        auto *box = v.findChild<QComboBox *>(QStringLiteral("modelBox"));
        QVERIFY(box);
        QStringList offered;
        for (int i = 0; i < box->count(); ++i) offered << box->itemText(i);
        QCOMPARE(offered.mid(0, 5), models::ModelRegistry::builtin().baselineSpecs());
    }

    void explicitModelChoicesWinOverSavedSettings()
    {
        // `cprecon --inspect bicubic8 --compare jpeg:50 SCREEN`: the screen's saved settings must not undo them.
        const QString group = QStringLiteral("view/test-explicit/inspector");
        {
            QSettings s;
            s.beginGroup(group);
            s.setValue(QStringLiteral("model"), QStringLiteral("pca8"));
            s.setValue(QStringLiteral("compare"), QStringLiteral("jpeg:90"));
        }
        InspectorView v;
        v.setModel(QStringLiteral("bicubic8"));
        v.setCompareModel(QStringLiteral("jpeg:50"));
        v.setSettingsGroup(group);
        QCOMPARE(v.model(), QStringLiteral("bicubic8"));
        QCOMPARE(v.state()->compareModel(), QStringLiteral("jpeg:50"));
        // Opening the next screen restores what was saved for it.
        v.setSettingsGroup(group);
        QCOMPARE(v.model(), QStringLiteral("pca8"));
        QCOMPARE(v.state()->compareModel(), QStringLiteral("jpeg:90"));
    }

    void compareColumnFollowsTheSite()
    {
        // Bug 1: after a site change the compare column showed the previous site's result.
        InspectorView v;
        v.setActive(true);
        v.setModel(QStringLiteral("bicubic8"));
        v.setCompareModel(QStringLiteral("jpeg:75"));
        v.setSite(sampleSite(), caption());
        QTRY_VERIFY_WITH_TIMEOUT(v.result() && v.compareResult() && !v.isRunning(), 60000);
        const FigureCaption next{QStringLiteral("sample"), QStringLiteral("BR00117010"), QStringLiteral("A01"), 2};
        v.setSite(sampleSite(), next);
        const QString label = QStringLiteral("sample/BR00117010/A01/2");
        QVERIFY2(!v.compareResult() || v.compareResult()->siteLabel == label, "no result of the previous site may stay");
        QTRY_VERIFY_WITH_TIMEOUT(v.result() && v.result()->siteLabel == label && v.compareResult() && !v.isRunning(), 60000);
        QCOMPARE(v.compareResult()->siteLabel, label);
        QCOMPARE(v.compareResult()->model, QStringLiteral("jpeg:75"));
    }

    void typingAModelStartsOneReconstruction()
    {
        // Bug 3: the editable model box started a reconstruction per keystroke.
        InspectorView v;
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.setActive(true);
        v.setModel(QStringLiteral("bicubic8"));
        v.setSite(sampleSite(), caption());
        QTRY_VERIFY_WITH_TIMEOUT(v.result() && !v.isRunning(), 60000);
        const int before = v.runner()->started();
        auto *box = v.findChild<QComboBox *>(QStringLiteral("modelBox"));
        QVERIFY(box && box->lineEdit());
        box->lineEdit()->setFocus();
        box->lineEdit()->selectAll();
        QTest::keyClicks(box->lineEdit(), QStringLiteral("jpeg:33"));
        QCOMPARE(v.runner()->started(), before); // nothing started while typing
        QTest::keyClick(box->lineEdit(), Qt::Key_Return);
        QCOMPARE(v.runner()->started(), before + 1);
        QTRY_VERIFY_WITH_TIMEOUT(v.result() && v.result()->model == QStringLiteral("jpeg:33") && !v.isRunning(), 60000);
    }

    void secondViewComesFromTheCache()
    {
        InspectorView v;
        QSignalSpy shown(&v, &InspectorView::reconstructionShown);
        v.setActive(true);
        v.setModel(QStringLiteral("bicubic8"));
        v.setSite(sampleSite(), caption());
        QVERIFY(shown.wait(60000));
        v.setModel(QStringLiteral("jpeg:90"));
        QVERIFY(shown.wait(60000));
        QCOMPARE(v.runner()->started(), 2);
        QCOMPARE(v.runner()->cacheHits(), 0);
        v.setModel(QStringLiteral("bicubic8")); // seen before: served at once, nothing recomputed
        QCOMPARE(v.runner()->cacheHits(), 1);
        QCOMPARE(v.runner()->started(), 2);
        QCOMPARE(v.result()->model, QStringLiteral("bicubic8"));
        // Display changes never recompute.
        v.setAbsoluteDifference(true);
        v.setStainsAsRows(false);
        QCOMPARE(v.runner()->started(), 2);
    }

    void comparisonAndExports()
    {
        InspectorView v;
        v.setActive(true);
        v.setModel(QStringLiteral("bicubic8"));
        v.setCompareModel(QStringLiteral("jpeg:75"));
        v.setSite(sampleSite(), caption());
        QTRY_VERIFY_WITH_TIMEOUT(v.result() && v.compareResult() && !v.isRunning(), 60000);
        QVERIFY(v.panel(0, InspectorView::CompareDifference));
        QCOMPARE(v.compareResult()->model, QStringLiteral("jpeg:75"));

        QTemporaryDir dir;
        const QSizeF sizePt = inspectorFigureSize(*v.result(), v.compareResult(), v.figureOptions());
        const QString png = dir.filePath(QStringLiteral("f.png")), pdf = dir.filePath(QStringLiteral("f.pdf")),
                      svg = dir.filePath(QStringLiteral("f.svg")), csv = dir.filePath(QStringLiteral("m.csv"));
        v.exportFigure(png, 150);
        v.exportFigure(pdf, 150);
        v.exportFigure(svg, 150);
        v.exportMetricsCsv(csv);
        const QImage img(png);
        QCOMPARE(img.size(), figurePixelSize(sizePt, 150));
        QCOMPARE(img.dotsPerMeterX(), int(std::lround(150 / 0.0254)));
        QFile pf(pdf);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const QByteArray pdfBytes = pf.readAll();
        QVERIFY(pdfBytes.startsWith("%PDF"));
        // The page box is the figure's size in points (Qt may write it with decimals).
        const QRegularExpression box(QStringLiteral("/MediaBox \\[\\s*0\\s+0\\s+([0-9.]+)\\s+([0-9.]+)\\s*\\]"));
        const QRegularExpressionMatch m = box.match(QString::fromLatin1(pdfBytes));
        QVERIFY2(m.hasMatch(), "PDF has a /MediaBox [0 0 w h]");
        QVERIFY2(std::abs(m.captured(1).toDouble() - sizePt.width()) < 1.0 && std::abs(m.captured(2).toDouble() - sizePt.height()) < 1.0,
                 qPrintable(QStringLiteral("MediaBox %1 x %2 pt, figure %3 x %4 pt").arg(m.captured(1), m.captured(2)).arg(sizePt.width()).arg(sizePt.height())));
        QFile sf(svg);
        QVERIFY(sf.open(QIODevice::ReadOnly));
        const QByteArray svgBytes = sf.readAll();
        QVERIFY(svgBytes.contains("<svg"));
        QVERIFY(svgBytes.contains(QStringLiteral("viewBox=\"0 0 %1 %2\"").arg(sizePt.width()).arg(sizePt.height()).toLatin1()));
        QVERIFY(svgBytes.contains("jpeg:75")); // the caption names both models

        // The dialog's path: a high-DPI PNG and the CSV drawn by a Task on a worker, the same pixels as above.
        const QString png2 = dir.filePath(QStringLiteral("bg.png")), csv2 = dir.filePath(QStringLiteral("bg.csv"));
        QSignalSpy exported(&v, &InspectorView::exportFinished);
        v.exportInBackground(png2, 150, csv2);
        QVERIFY(exported.wait(60000));
        QVERIFY2(exported.first().first().toBool(), qPrintable(exported.first().last().toString()));
        QCOMPARE(QImage(png2), QImage(png));
        QVERIFY(QFileInfo(csv2).size() > 0);
        QFile cf(csv);
        QVERIFY(cf.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(cf.readAll());
        QCOMPARE(text.count(QStringLiteral("bicubic8,corrected")), 5 * 16 + 5);
        QCOMPARE(text.count(QStringLiteral("jpeg:75,corrected")), 5 * 16 + 5);
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
