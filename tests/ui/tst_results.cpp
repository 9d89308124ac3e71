// The results views of a finished phantom run: every view shows its data; each box plot's CSV equals the quartiles
// recomputed here from tile_metrics.csv; the FR table bolds exactly the column maxima; a heatmap well and a gallery
// tile open the inspector on that site (and tile); exports are of the requested size and PDF/SVG are vector; Export
// all writes what `cprecon-cli report --format` writes; the inspector's panels keep the image's aspect.
#include "FrTableModel.h"
#include "InspectorView.h"
#include "MainWindow.h"
#include "PlotView.h"
#include "RunResultsView.h"
#include "TestSupport.h"
#include "TileGallery.h"

#include "util/CsvReader.h"

#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>

#include <algorithm>
#include <cmath>
#include <map>

using namespace cprecon;
using namespace cprecon::ui;

namespace {

std::vector<std::vector<std::string>> readCsv(const std::string &text)
{
    std::vector<std::vector<std::string>> rows;
    CsvReader r = CsvReader::fromBuffer(text);
    std::vector<std::string_view> f;
    while (r.next(f)) rows.emplace_back(f.begin(), f.end());
    return rows;
}

std::string fileText(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

int column(const std::vector<std::string> &header, const std::string &name)
{
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : int(it - header.begin());
}

// numpy.percentile(x, p), "linear" — written out again here, independent of the app's BoxStatistics.
double percentile(const std::vector<double> &sorted, double p)
{
    const double h = (double(sorted.size()) - 1) * p / 100.0;
    const size_t lo = size_t(std::floor(h));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

} // namespace

class TestResults : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_phantom, m_run;

    void openRun(MainWindow &w)
    {
        QSignalSpy loaded(w.resultsView(), &RunResultsView::loaded);
        w.openRun(m_run);
        QVERIFY(loaded.wait(60000));
        QVERIFY(w.resultsView()->results());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        for (const char *v : {"HF_HOME", "HF_HUB_CACHE", "TORCH_HOME", "CPRECON_MODELS", "XDG_CACHE_HOME"})
            qputenv(v, m_dir.filePath(QStringLiteral("empty")).toUtf8());
        m_phantom = test::writePhantom(m_dir.path());
        QVERIFY(!m_phantom.isEmpty());
        m_run = m_dir.filePath(QStringLiteral("run"));
        QString out, err;
        // Two baselines, handcrafted features, 2x2 tiles of 128 per site: every view has data in a few seconds.
        QVERIFY2(test::runCli({QStringLiteral("run"), QStringLiteral("--screen"), m_phantom, QStringLiteral("--out"), m_run,
                               QStringLiteral("--model"), QStringLiteral("bicubic8"), QStringLiteral("--model"), QStringLiteral("jpeg:10"),
                               QStringLiteral("--extractor"), QStringLiteral("handcrafted"), QStringLiteral("--repeats"), QStringLiteral("1"),
                               QStringLiteral("--null-size"), QStringLiteral("500"), QStringLiteral("--crop"), QStringLiteral("0"),
                               QStringLiteral("--tile-size"), QStringLiteral("128")},
                              &out, &err) == 0,
                 qPrintable(err));
    }

    void everyViewShowsItsData()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        openRun(w);
        RunResultsView *v = w.resultsView();
        const auto r = v->results();
        QCOMPARE(r->storedUnits, 96 * 3);
        // A view is drawn when it is shown, as a user goes through the tabs.
        for (int tab : {RunResultsView::PixelMetrics, RunResultsView::FidKld, RunResultsView::Activity, RunResultsView::Heatmap,
                        RunResultsView::Scatter, RunResultsView::FrTab, RunResultsView::WorstTiles})
            v->tabs()->setCurrentIndex(tab);
        // Box plots: one box per model x stain (one dataset), none empty.
        QVERIFY(!v->boxPlot()->figure().empty);
        QCOMPARE(v->boxPlot()->plottableCount() - 2, 2 * 5); // + one legend swatch per model
        QCOMPARE(int(v->boxPlot()->targets().size()), 2 * 5);
        // FID bars per model x triplet; KLD: the baselines have no posterior, and the view says so.
        QVERIFY(!v->fidPlot()->figure().empty);
        QCOMPARE(int(v->fidPlot()->targets().size()), 2 * 2);
        QVERIFY(v->kldPlot()->figure().empty);
        QVERIFY2(v->kldPlot()->figure().emptyReason.contains(QStringLiteral("posterior")), qPrintable(v->kldPlot()->figure().emptyReason));
        // FR table: extractor x data x aggregation rows (original + 2 models, mean + median), one dataset column.
        QCOMPARE(v->frModel()->rowCount(), 3 * 2);
        QCOMPARE(v->frModel()->columnCount(), FrTableModel::kKeyColumns + 1);
        // Activity and scatter: a point per perturbation (44 compounds of the phantom design).
        const int perturbations = int(r->tables.activity.front().result.perturbations.size());
        QVERIFY(perturbations > 30);
        QCOMPARE(int(v->activityPlot()->targets().size()), 2 * perturbations); // original | reconstruction
        QCOMPARE(int(v->scatterPlot()->targets().size()), perturbations);
        // Heatmap: every imaged well of the plate has a value.
        QCOMPARE(int(v->heatmapPlot()->targets().size()), 96);
        QVERIFY(v->heatmapPlot()->figure().csv.find("PHANTOM-P01,A01,") != std::string::npos);
        // Gallery: the worst tiles with their thumbnails.
        QTRY_VERIFY_WITH_TIMEOUT(!v->gallery()->isBusy() && !v->gallery()->tiles().empty(), 60000);
        QCOMPARE(int(v->gallery()->tiles().size()), 12);
        for (const GalleryTile &t : v->gallery()->tiles()) {
            QVERIFY2(t.error.isEmpty(), qPrintable(t.error));
            QCOMPARE(t.original.size(), QSize(128, 128));
            QVERIFY(!t.reconstruction.isNull() && !t.difference.isNull());
        }
        // Ranked worst first.
        for (size_t i = 1; i < v->gallery()->tiles().size(); ++i)
            QVERIFY(v->gallery()->tiles()[i - 1].tile.mae >= v->gallery()->tiles()[i].tile.mae);
    }

    void boxCsvEqualsQuartilesFromTileMetrics()
    {
        MainWindow w;
        w.show();
        openRun(w);
        RunResultsView *v = w.resultsView();
        v->tabs()->setCurrentIndex(RunResultsView::PixelMetrics);
        // The independent recomputation from the report's per-tile table.
        const auto tiles = readCsv(fileText(m_run + QStringLiteral("/report/tile_metrics.csv")));
        QVERIFY(tiles.size() > 1);
        const auto &th = tiles.front();
        const int cModel = column(th, "model"), cStain = column(th, "stain"), cRepeat = column(th, "repeat");
        for (const char *metric : {"mae", "emd", "ssim"}) {
            v->boxMetric()->setCurrentIndex(v->boxMetric()->findData(QString::fromLatin1(metric)));
            const auto box = readCsv(v->boxPlot()->figure().csv);
            QCOMPARE(int(box.size()), 1 + 2 * 5);
            const auto &bh = box.front();
            const int cValue = column(th, metric);
            for (size_t i = 1; i < box.size(); ++i) {
                const auto &row = box[i];
                std::vector<double> values;
                for (size_t t = 1; t < tiles.size(); ++t)
                    if (tiles[t][size_t(cModel)] == row[size_t(column(bh, "model"))] && tiles[t][size_t(cStain)] == row[size_t(column(bh, "stain"))] &&
                        tiles[t][size_t(cRepeat)] == "0") {
                        const double x = std::stod(tiles[t][size_t(cValue)]);
                        values.push_back(std::string(metric) == "ssim" ? 1.0 - x : x); // the paper protocol plots 1 - SSIM
                    }
                std::sort(values.begin(), values.end());
                QCOMPARE(std::stoll(row[size_t(column(bh, "n"))]), (long long)values.size());
                const double q1 = percentile(values, 25), med = percentile(values, 50), q3 = percentile(values, 75), iqr = q3 - q1;
                double lo = values.back(), hi = values.front(), sum = 0;
                int outliers = 0;
                for (double x : values) {
                    sum += x;
                    if (x >= q1 - 1.5 * iqr && x <= q3 + 1.5 * iqr) lo = std::min(lo, x), hi = std::max(hi, x);
                    else ++outliers;
                }
                auto near = [](const std::string &s, double want) { return std::abs(std::stod(s) - want) <= 1e-12 * std::max(1.0, std::abs(want)); };
                QVERIFY2(near(row[size_t(column(bh, "q1"))], q1), metric);
                QVERIFY2(near(row[size_t(column(bh, "median"))], med), metric);
                QVERIFY2(near(row[size_t(column(bh, "q3"))], q3), metric);
                QVERIFY2(near(row[size_t(column(bh, "whisker_low"))], lo), metric);
                QVERIFY2(near(row[size_t(column(bh, "whisker_high"))], hi), metric);
                QVERIFY2(near(row[size_t(column(bh, "mean"))], sum / double(values.size())), metric);
                QCOMPARE(std::stoi(row[size_t(column(bh, "n_outliers"))]), outliers);
            }
            if (std::string(metric) == "ssim") QVERIFY(v->boxPlot()->figure().csv.find("1 - SSIM (paper's 'SSIM')") != std::string::npos);
        }
    }

    void frTableBoldsTheColumnMaxima()
    {
        MainWindow w;
        w.show();
        openRun(w);
        FrTableModel *m = w.resultsView()->frModel();
        // The maxima from the report's fr_table.csv, read here.
        const auto fr = readCsv(fileText(m_run + QStringLiteral("/report/fr_table.csv")));
        QCOMPARE(int(fr.size()) - 1, m->rowCount());
        for (int c = FrTableModel::kKeyColumns; c < m->columnCount(); ++c) {
            const size_t meanCol = size_t(FrTableModel::kKeyColumns + 3 * (c - FrTableModel::kKeyColumns));
            double best = -1;
            for (size_t r = 1; r < fr.size(); ++r)
                if (!fr[r][meanCol].empty()) best = std::max(best, std::stod(fr[r][meanCol]));
            QVERIFY(best >= 0);
            int bold = 0;
            for (int r = 0; r < m->rowCount(); ++r) {
                const QVariant font = m->data(m->index(r, c), Qt::FontRole);
                const bool isBold = font.isValid() && font.value<QFont>().bold();
                const bool isMax = !fr[size_t(r) + 1][meanCol].empty() && std::abs(std::stod(fr[size_t(r) + 1][meanCol]) - best) < 1e-12;
                QCOMPARE(isBold, isMax);
                bold += isBold;
                QCOMPARE(m->data(m->index(r, c)).toString(), QString::fromStdString(fr[size_t(r) + 1][meanCol]).isEmpty()
                                                                 ? QStringLiteral("n/a")
                                                                 : QStringLiteral("%1 ± %2").arg(std::stod(fr[size_t(r) + 1][meanCol]), 0, 'f', 3)
                                                                       .arg(std::stod(fr[size_t(r) + 1][meanCol + 1]), 0, 'f', 3));
            }
            QVERIFY(bold >= 1);
        }
        // A cell -> the activity behind it: one row per non-control perturbation of that dataset.
        w.resultsView()->showFrCell(1, FrTableModel::kKeyColumns);
        const auto r = w.resultsView()->results();
        const run::FrTableRow &row = r->fr.rows[1];
        int expected = 0;
        for (const run::FrRow &f : r->tables.fr)
            if (f.extractor == row.extractor && f.data == row.data && f.aggregation == row.aggregation) expected += f.nPerturbations;
        QCOMPARE(w.resultsView()->activityTable()->rowCount(), expected);
    }

    void heatmapWellOpensTheInspector()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        openRun(w);
        QTRY_VERIFY_WITH_TIMEOUT(w.screen() != nullptr, 60000); // the run's screen opens with the run
        RunResultsView *v = w.resultsView();
        v->tabs()->setCurrentIndex(RunResultsView::Heatmap);
        PlotView *plot = v->heatmapPlot();
        QTRY_VERIFY(plot->isVisible() && plot->width() > 300);
        plot->replot();
        const plots::PlotTarget *target = nullptr;
        for (const plots::PlotTarget &t : plot->targets())
            if (t.payload.value(QStringLiteral("well")).toString() == QLatin1String("C07")) target = &t;
        QVERIFY(target);
        // Off-centre inside the cell: the whole cell is the target.
        const QPointF p = plot->targetPosition(*target) + QPointF(6, -4);
        QSignalSpy shown(w.inspector(), &InspectorView::reconstructionShown);
        QTest::mouseClick(plot, Qt::LeftButton, {}, p.toPoint());
        QTRY_COMPARE_WITH_TIMEOUT(w.inspector()->state()->siteLabel().contains(QStringLiteral("C07")), true, 30000);
        QVERIFY(shown.wait(60000) || w.inspector()->result());
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->result() && !w.inspector()->isRunning(), 60000);
        QCOMPARE(w.inspector()->model(), QStringLiteral("bicubic8"));
        QCOMPARE(w.inspector()->state()->caption().well, QStringLiteral("C07"));
        QCOMPARE(w.inspector()->focusedTile(), QPoint(-1, -1)); // a well: the whole site
    }

    void galleryTileOpensTheInspectorAtThatTile()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        openRun(w);
        QTRY_VERIFY_WITH_TIMEOUT(w.screen() != nullptr, 60000);
        RunResultsView *v = w.resultsView();
        v->tabs()->setCurrentIndex(RunResultsView::WorstTiles);
        QTRY_VERIFY_WITH_TIMEOUT(!v->gallery()->isBusy() && !v->gallery()->tiles().empty(), 60000);
        // The worst tile of jpeg:10 by EMD in RNA.
        QSignalSpy ready(v->gallery(), &TileGallery::ready);
        v->gallery()->setChoice(QStringLiteral("jpeg:10"), 0, QStringLiteral("emd"), QStringLiteral("RNA"), 4);
        QVERIFY(ready.wait(60000));
        QCOMPARE(int(v->gallery()->tiles().size()), 4);
        const run::RankedTile t = v->gallery()->tiles().front().tile;
        QCOMPARE(t.stain, std::string("RNA"));
        QCOMPARE(t.key.model, std::string("jpeg:10"));
        v->gallery()->tileButton(0)->click();
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->result() && !w.inspector()->isRunning() &&
                                     w.inspector()->state()->caption().well == QString::fromStdString(t.key.well),
                                 60000);
        QCOMPARE(w.inspector()->model(), QStringLiteral("jpeg:10"));
        QTRY_COMPARE_WITH_TIMEOUT(w.inspector()->focusedTile(), QPoint(t.tileCol, t.tileRow), 10000);
        // The panels are zoomed onto that tile: its centre is in the middle of the first panel.
        const ImagePanel *panel = w.inspector()->panel(0, InspectorView::Original);
        const QPointF c = panel->widgetToImage(QPointF(panel->width() / 2.0, panel->height() / 2.0));
        QVERIFY(std::abs(c.x() - (t.tileCol * 128 + 64)) < 2 && std::abs(c.y() - (t.tileRow * 128 + 64)) < 2);
        // The inspector measures that tile as the run did (same model, same pipeline): its RNA EMD.
        const StainReconstruction *rna = w.inspector()->result()->stain(QStringLiteral("RNA"));
        QVERIFY(rna);
        bool found = false;
        for (const TileMetrics &m : rna->tiles)
            if (m.row == t.tileRow && m.col == t.tileCol) {
                found = true;
                QVERIFY2(std::abs(m.emd - t.emd) < 1e-9, qPrintable(QStringLiteral("%1 vs %2").arg(m.emd).arg(t.emd)));
            }
        QVERIFY(found);
    }

    void scatterPerturbationListsItsWells()
    {
        MainWindow w;
        w.show();
        openRun(w);
        RunResultsView *v = w.resultsView();
        v->tabs()->setCurrentIndex(RunResultsView::Scatter);
        QVERIFY(!v->scatterPlot()->targets().empty());
        const plots::PlotTarget &t = v->scatterPlot()->targets().front();
        v->showPerturbationWells(t.payload);
        const QString pert = t.payload.value(QStringLiteral("perturbation")).toString();
        int expected = 0;
        for (const auto &[loc, info] : v->results()->infos)
            if (QString::fromStdString(info.metadata.at("Metadata_broad_sample")) == pert) ++expected;
        QVERIFY(expected >= 2);
        QCOMPARE(v->perturbationWells()->count(), expected);
    }

    void exportsAreSizedAndVector()
    {
        MainWindow w;
        w.show();
        openRun(w);
        RunResultsView *v = w.resultsView();
        v->tabs()->setCurrentIndex(RunResultsView::PixelMetrics);
        const QSizeF size = v->boxPlot()->figure().sizePt;
        const QString png = m_dir.filePath(QStringLiteral("box.png")), pdf = m_dir.filePath(QStringLiteral("box.pdf")),
                      svg = m_dir.filePath(QStringLiteral("box.svg")), csv = m_dir.filePath(QStringLiteral("box.csv"));
        v->exportView(v->boxPlot(), png, 150);
        v->exportView(v->boxPlot(), pdf, 150);
        v->exportView(v->boxPlot(), svg, 150);
        v->exportView(v->boxPlot(), csv, 150);
        const QImage img(png);
        QCOMPARE(img.size(), QSize(int(std::lround(size.width() * 150 / 72)), int(std::lround(size.height() * 150 / 72))));
        QCOMPARE(img.dotsPerMeterX(), int(std::lround(150 / 0.0254)));
        // Not blank: the boxes' colours are in it.
        int coloured = 0;
        for (int y = 0; y < img.height(); y += 4)
            for (int x = 0; x < img.width(); x += 4) coloured += QColor(img.pixel(x, y)).hsvSaturation() > 80;
        QVERIFY(coloured > 200);
        const std::string p = fileText(pdf);
        QVERIFY(p.rfind("%PDF", 0) == 0);
        QVERIFY2(p.find("/Subtype /Image") == std::string::npos && p.find("/Subtype/Image") == std::string::npos, "the PDF holds a bitmap");
        QVERIFY(p.find("/Font") != std::string::npos); // text is text
        const std::string s = fileText(svg);
        QVERIFY(s.find("<image") == std::string::npos);
        QVERIFY(s.find("<path") != std::string::npos || s.find("<polyline") != std::string::npos);
        QVERIFY(s.find("<text") != std::string::npos && s.find("DNA") != std::string::npos);
        QCOMPARE(fileText(csv), v->boxPlot()->figure().csv);
        // The FR table as CSV and Markdown, the report's own.
        v->exportFrTable(m_dir.filePath(QStringLiteral("fr.md")));
        QCOMPARE(fileText(m_dir.filePath(QStringLiteral("fr.md"))), fileText(m_run + QStringLiteral("/report/fr_table.md")));
    }

    void exportAllEqualsTheCli()
    {
        MainWindow w;
        w.show();
        openRun(w);
        RunResultsView *v = w.resultsView();
        const QString gui = m_dir.filePath(QStringLiteral("gui-figures"));
        QSignalSpy done(v, &RunResultsView::exportAllFinished);
        plots::ExportOptions o;
        o.dpi = 100;
        v->exportAll(gui, o);
        QVERIFY(v->isExporting());
        QVERIFY(done.wait(120000));
        QVERIFY2(done.first().first().toBool(), qPrintable(done.first().last().toString()));
        // manifest.json lists every file, and every listed file exists.
        QFile mf(gui + QStringLiteral("/manifest.json"));
        QVERIFY(mf.open(QIODevice::ReadOnly));
        const QJsonObject manifest = QJsonDocument::fromJson(mf.readAll()).object();
        QStringList listed;
        for (const QJsonValue &f : manifest.value(QStringLiteral("figures")).toArray())
            for (const QJsonValue &file : f.toObject().value(QStringLiteral("files")).toArray()) listed << file.toString();
        for (const QString &f : listed) QVERIFY2(QFileInfo::exists(gui + QLatin1Char('/') + f), qPrintable(f));
        for (const char *f : {"box_mae.svg", "fid_handcrafted.pdf", "kld.png", "fr_table.md", "heatmap_mae_bicubic8_PHANTOM-P01.csv"})
            QVERIFY2(listed.contains(QString::fromLatin1(f)), f);
        // The CLI writes the same files: the same names, the same CSVs and SVGs byte for byte, PNGs of the same size.
        const QString cliOut = m_dir.filePath(QStringLiteral("cli-report"));
        QString out, err;
        QVERIFY2(test::runCli({QStringLiteral("report"), m_run, QStringLiteral("--out"), cliOut, QStringLiteral("--format"),
                               QStringLiteral("png,pdf,svg,csv,md"), QStringLiteral("--dpi"), QStringLiteral("100")},
                              &out, &err) == 0,
                 qPrintable(err));
        const QString cli = cliOut + QStringLiteral("/figures");
        QStringList a = QDir(gui).entryList(QDir::Files), b = QDir(cli).entryList(QDir::Files);
        QCOMPARE(a, b);
        for (const QString &f : a) {
            if (f.endsWith(QLatin1String(".csv")) || f.endsWith(QLatin1String(".md")) || f.endsWith(QLatin1String(".svg")))
                QVERIFY2(fileText(gui + QLatin1Char('/') + f) == fileText(cli + QLatin1Char('/') + f), qPrintable(f));
            if (f.endsWith(QLatin1String(".png"))) QCOMPARE(QImage(gui + QLatin1Char('/') + f).size(), QImage(cli + QLatin1Char('/') + f).size());
        }
    }

    void inspectorPanelsKeepTheImageAspect()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QSignalSpy loaded(&w, &MainWindow::screenLoaded);
        w.openScreen(m_phantom);
        QVERIFY(loaded.wait(60000));
        w.inspector()->setModel(QStringLiteral("bicubic8"));
        w.showInspector(true);
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->result() && !w.inspector()->isRunning(), 60000);
        QTRY_VERIFY(w.inspector()->panel(0, InspectorView::Original) && w.inspector()->panel(0, InspectorView::Original)->width() > 50);
        for (bool rows : {true, false}) {
            w.inspector()->setStainsAsRows(rows);
            QTest::qWait(50);
            const ImagePanel *p = w.inspector()->panel(0, InspectorView::Original);
            // Square images in square panels: the image fills the panel (no margins of a third).
            const double ratio = double(p->width()) / p->height();
            QVERIFY2(ratio > 0.85 && ratio < 1.18, qPrintable(QStringLiteral("%1x%2").arg(p->width()).arg(p->height())));
        }
        // Focus mode: one stain's three panels, larger.
        const int before = w.inspector()->panel(1, InspectorView::Original)->width();
        w.inspector()->setFocusStain(1);
        QTest::qWait(50);
        const ImagePanel *focused = w.inspector()->panel(1, InspectorView::Original);
        QVERIFY(focused->isVisible());
        QVERIFY(!w.inspector()->panel(0, InspectorView::Original)->isVisible());
        QVERIFY2(focused->width() > 1.5 * before, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(focused->width())));
        w.inspector()->setFocusStain(-1);
        QTest::qWait(50);
        QVERIFY(w.inspector()->panel(0, InspectorView::Original)->isVisible());
    }
};

QTEST_MAIN(TestResults)
#include "tst_results.moc"
