// The main window on the bundled sample (real Cell Painting sites): loads in the background, shows the plate map,
// a well's sites and every channel with real pixels; linked zoom; recent screens.
#include "ImagePanel.h"
#include "MainWindow.h"
#include "PlateMapView.h"
#include "SiteView.h"
#include "TestSupport.h"

#include <QDockWidget>
#include <QImage>

#include "screen/ScreenOpener.h"

#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>

using namespace cprecon;
using namespace cprecon::ui;

namespace {
// Number of distinct grey levels in a rendered panel: a blank or uniform panel has 1.
int distinctLevels(const QImage &img)
{
    QSet<QRgb> seen;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3) seen.insert(img.pixel(x, y));
    return seen.size();
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a throw-away location
        QCoreApplication::setOrganizationName(QStringLiteral("CellPaintReconTest"));
        QSettings().clear();
    }

    void opensSampleAndShowsRealPixels()
    {
        const QString sample = test::sourceDir() + QStringLiteral("/resources/sample");
        QVERIFY(QFileInfo::exists(sample));
        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        QSignalSpy shown(&w, &MainWindow::siteShown);
        w.openScreen(sample);
        QVERIFY(loaded.wait(60000));
        QVERIFY(w.screen());
        QVERIFY(w.screen()->plates.size() >= 3);
        QVERIFY(w.screen()->plate(QStringLiteral("BR00117010")));
        // It opens on a real 384-well plate (CPJUMP1), not on the one-well BBBC022 photo plate or the phantom.
        QVERIFY(w.plateMap()->plate());
        QCOMPARE(w.plateMap()->plate()->barcode, QStringLiteral("BR00117010"));

        // The CPJUMP1 plate: its real 384-well plate map (DMSO wells from the platemap join) with A01 imaged.
        w.selectPlate(QStringLiteral("BR00117010"));
        const Plate *plate = w.plateMap()->plate();
        QVERIFY(plate);
        QCOMPARE(plate->barcode, QStringLiteral("BR00117010"));
        QCOMPARE(plate->format, PlateFormat::Wells384);
        const Well *a02 = plate->well(QStringLiteral("A02"));
        QVERIFY2(a02, "platemap wells without images must still be on the plate map");
        QVERIFY(a02->meta.isNegativeControl());
        QVERIFY(a02->sites.isEmpty());
        // A well without images is drawn empty (white inside a dashed ring), never in a legend fill colour such as
        // the light blue of "unknown"; an imaged well is filled.
        {
            const QImage shot = w.plateMap()->grab().toImage();
            const QColor inside = shot.pixelColor(w.plateMap()->wellCenter(0, 1).toPoint());
            QVERIFY2(inside.red() > 245 && inside.green() > 245 && inside.blue() > 245, qPrintable(inside.name()));
            const QColor imaged = shot.pixelColor(w.plateMap()->wellCenter(0, 0).toPoint());
            QVERIFY2(imaged != inside && imaged.saturation() > 60, qPrintable(imaged.name()));
        }

        // Click A01 on the plate map like a user.
        QSignalSpy clicked(w.plateMap(), &PlateMapView::wellClicked);
        const QPointF c = w.plateMap()->wellCenter(0, 0);
        shown.clear();
        QTest::mouseClick(w.plateMap(), Qt::LeftButton, {}, c.toPoint());
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.first().first().toString(), QStringLiteral("A01"));
        QVERIFY(shown.wait(60000) || shown.size() > 0);
        QCOMPARE(w.siteList()->count(), 1);

        SiteView *sv = w.siteView();
        QCOMPARE(sv->stains(), (QStringList{QStringLiteral("DNA"), QStringLiteral("ER"), QStringLiteral("RNA"),
                                            QStringLiteral("AGP"), QStringLiteral("Mito")}));
        for (int i = 0; i < sv->channelCount(); ++i) {
            const cv::Mat &m = sv->channelImage(i);
            QCOMPARE(m.cols, 1080);
            QCOMPARE(m.rows, 1080);
            QCOMPARE(m.depth(), CV_16U);
            double lo = 0, hi = 0;
            cv::minMaxLoc(m, &lo, &hi);
            QVERIFY2(hi > lo + 100, "a real fluorescence image has a wide intensity range");
            QVERIFY(sv->limits(i).high > sv->limits(i).low);
            QVERIFY2(distinctLevels(sv->panel(i)->image()) > 20, qPrintable(sv->stains()[i] + QStringLiteral(" panel is blank")));
        }
        QVERIFY(distinctLevels(sv->panel(sv->channelCount())->image()) > 20); // composite

        // Linked zoom: zooming one panel moves all of them.
        sv->panel(0)->zoomBy(2.0, QPointF(20, 20));
        for (int i = 1; i <= sv->channelCount(); ++i) QCOMPARE(sv->panel(i)->viewState(), sv->panel(0)->viewState());

        // Linked contrast gives every channel the same limits.
        sv->setContrastLinked(true);
        for (int i = 1; i < sv->channelCount(); ++i) QCOMPARE(sv->limits(i), sv->limits(0));

        QVERIFY(w.recentScreens().contains(QFileInfo(sample).absoluteFilePath()));
    }

    void replacingTheScreenLeavesNothingPointingIntoTheOldOne()
    {
        // Bug 2: the plate map kept a raw pointer into the previous screen, which dangled once it was replaced.
        const QString sample = test::sourceDir() + QStringLiteral("/resources/sample");
        MainWindow w;
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        w.openScreen(sample);
        QVERIFY(loaded.wait(60000));
        std::weak_ptr<const Screen> first = w.screen();
        QVERIFY(w.plateMap()->plate());
        w.openScreen(sample + QStringLiteral("/cpjump1_BR00117010_A01_s1/load_data.csv"));
        QVERIFY(loaded.wait(60000));
        QVERIFY2(first.expired(), "the first screen must be gone, and nothing may still refer to it");
        const Plate *shown = w.plateMap()->plate();
        QVERIFY(shown);
        bool inNewScreen = false;
        for (const Plate &p : w.screen()->plates) inNewScreen |= &p == shown;
        QVERIFY2(inNewScreen, "the plate map shows a plate of the current screen");

        // The view shares ownership: a plate it shows stays valid even when every other owner lets go.
        PlateMapView view;
        auto screen = std::make_shared<Screen>(*w.screen());
        std::weak_ptr<const Screen> watch = screen;
        view.setPlate(std::shared_ptr<const Plate>(screen, &screen->plates.first()));
        screen.reset();
        QVERIFY(!watch.expired());
        QCOMPARE(view.plate()->barcode, w.screen()->plates.first().barcode);
        view.setPlate(nullptr);
        QVERIFY(watch.expired());
    }

    void closingTheWindowCancelsALoadPromptly()
    {
        // A 150k-row load_data CSV (10 plates x 384 wells x 40 sites) takes seconds to open; destroying the window
        // mid-load cancels the task (checked every 2048 rows) and joins it, instead of waiting for the whole load.
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("load_data.csv"));
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = "Metadata_Plate,Metadata_Well,Metadata_Site";
            const char *stains[] = {"DNA", "ER", "RNA", "AGP", "Mito"};
            for (const char *st : stains) text += QByteArray(",FileName_Orig") + st + ",PathName_Orig" + st;
            text += '\n';
            for (int p = 0; p < 10; ++p)
                for (int w = 0; w < 384; ++w)
                    for (int site = 1; site <= 40; ++site) {
                        const QByteArray well = QByteArray(1, char('A' + w / 24)) + QByteArray::number(w % 24 + 1).rightJustified(2, '0');
                        text += "P" + QByteArray::number(p) + "," + well + "," + QByteArray::number(site);
                        for (int c = 1; c <= 5; ++c)
                            text += ",r" + well + "f" + QByteArray::number(site) + "-ch" + QByteArray::number(c) + ".tiff,.";
                        text += '\n';
                    }
            f.write(text);
        }
        QElapsedTimer whole;
        whole.start();
        const Screen direct = openScreen(csv);
        const qint64 wholeMs = whole.elapsed();
        QCOMPARE(direct.plates.size(), 10);
        auto *w = new MainWindow;
        w->openScreen(csv);
        QTest::qWait(100);
        QVERIFY(w->isBusy());
        QElapsedTimer closing;
        closing.start();
        delete w;
        const qint64 closeMs = closing.elapsed();
        qInfo("whole load %lld ms; window destroyed %lld ms into it, in %lld ms", wholeMs, qint64(100), closeMs);
        QVERIFY2(closeMs < 500 && closeMs * 3 < wholeMs,
                 qPrintable(QStringLiteral("closing took %1 ms (the whole load %2 ms)").arg(closeMs).arg(wholeMs)));
    }

    void missingPathIsReportedNotFatal()
    {
        MainWindow w;
        QSignalSpy failed(&w, &MainWindow::loadFailed);
        w.openScreen(QStringLiteral("/nonexistent/screen/folder"));
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("/nonexistent/screen/folder")));
        QCOMPARE(w.problemsList()->topLevelItemCount(), 1);
        QVERIFY(w.problemsDock()->isVisibleTo(&w)); // a problem shows its dock
    }

    void problemsDockCollapsesWhenEmpty()
    {
        // The bundled sample loads without problems: the dock takes no room. A screen with a missing image shows it.
        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        w.openScreen(test::sourceDir() + QStringLiteral("/resources/sample"));
        QVERIFY(loaded.wait(60000));
        QCOMPARE(w.screen()->problems.size(), 0);
        QVERIFY(!w.problemsDock()->isVisibleTo(&w));
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("load_data.csv"));
        QVERIFY(QFile::copy(test::sourceDir() + QStringLiteral("/resources/sample/cpjump1_BR00117010_A01_s1/load_data.csv"), csv));
        loaded.clear();
        w.openScreen(csv); // its images are not beside this copy: missing files are problems, the rest loads
        QVERIFY(loaded.wait(60000));
        QVERIFY(!w.screen()->problems.isEmpty());
        QVERIFY(w.problemsDock()->isVisibleTo(&w));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
