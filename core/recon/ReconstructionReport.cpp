#include "recon/ReconstructionReport.h"

#include "render/Colormaps.h"
#include "util/Csv.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QPainter>
#include <QTextStream>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>

namespace cprecon {

cv::Mat signedDifference(const StainReconstruction &s)
{
    cv::Mat d;
    cv::subtract(s.reconstruction, s.original, d, cv::noArray(), CV_16S);
    return d;
}

double autoDifferenceRange(const SiteReconstruction &r)
{
    std::vector<uint64_t> hist(256, 0);
    uint64_t n = 0;
    for (const auto &s : r.stains) {
        cv::Mat a;
        cv::absdiff(s.reconstruction, s.original, a);
        for (int y = 0; y < a.rows; ++y) {
            const uint8_t *row = a.ptr<uint8_t>(y);
            for (int x = 0; x < a.cols; ++x) ++hist[row[x]];
        }
        n += a.total();
    }
    if (n == 0) return 1.0;
    const double target = 0.999 * double(n);
    double cum = 0;
    for (int v = 0; v < 256; ++v) {
        cum += double(hist[size_t(v)]);
        if (cum >= target) return std::max(1.0, double(v));
    }
    return 255.0;
}

QVector<ContrastLimits> autoStainLimits(const SiteReconstruction &r, double saturation, bool linked)
{
    QVector<ContrastLimits> out;
    for (const auto &s : r.stains) out << autoContrast(s.original, saturation);
    if (linked) linkContrastLimits(out);
    return out;
}

static QString num(double v) { return QString::number(v, 'g', 10); }

void writeMetricsCsv(const QString &path, const QVector<const SiteReconstruction *> &results)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        throw Error("cannot write metrics CSV: " + f.errorString().toStdString(), path.toStdString(),
                    "check the folder exists and is writable");
    QTextStream out(&f);
    out << "model,protocol,seed,site,level,name,tile_row,tile_col,mae,ssim,one_minus_ssim,emd,kld\n";
    for (const SiteReconstruction *r : results) {
        if (!r) continue;
        const QString head = QStringList{csvField(r->model), protocolName(r->protocol),
                                         r->protocol == Protocol::Paper ? QString::number(r->seed) : QString(),
                                         csvField(r->siteLabel)}
                                 .join(QLatin1Char(','));
        for (const auto &s : r->stains) {
            for (const auto &t : s.tiles)
                out << head << ",tile," << s.stain << ',' << t.row << ',' << t.col << ',' << num(t.mae) << ','
                    << num(t.ssim) << ',' << num(1.0 - t.ssim) << ',' << num(t.emd) << ",\n";
            out << head << ",crop_mean," << s.stain << ",,," << num(s.mae) << ',' << num(s.ssim) << ','
                << num(1.0 - s.ssim) << ',' << num(s.emd) << ",\n";
        }
        for (const auto &t : r->triplets) {
            const QString name = QStringLiteral("%1:%2").arg(t.name, t.stains.join(QLatin1Char('/')));
            for (size_t i = 0; i < t.kld.size(); ++i)
                out << head << ",triplet_tile," << name << ',' << int(i) / std::max(1, r->grid.cols) << ','
                    << int(i) % std::max(1, r->grid.cols) << ",,,,," << num(t.kld[i]) << '\n';
            if (!t.kld.empty()) out << head << ",triplet_mean," << name << ",,,,,,," << num(t.kldMean) << '\n';
        }
    }
    out.flush();
    if (out.status() != QTextStream::Ok || !f.flush())
        throw Error("write failed (disk full?)", path.toStdString(), "free disk space and export again");
}

QStringList writeStainImages(const QString &dir, const SiteReconstruction &r, const InspectorFigureOptions &o)
{
    if (!QDir().mkpath(dir)) throw Error("cannot create folder", dir.toStdString(), "check permissions");
    const double range = o.differenceRange > 0 ? o.differenceRange : autoDifferenceRange(r);
    QStringList written;
    auto write = [&](const QString &name, const cv::Mat &m) {
        const QString p = QDir(dir).filePath(name);
        bool ok = false;
        try {
            ok = cv::imwrite(p.toStdString(), m);
        } catch (const cv::Exception &) {
            ok = false;
        }
        if (!ok) throw Error("cannot write image", p.toStdString(), "check free disk space and permissions");
        written << p;
    };
    for (const auto &s : r.stains) {
        write(s.stain + QStringLiteral("_original.png"), s.original);
        write(s.stain + QStringLiteral("_reconstruction.png"), s.reconstruction);
        cv::Mat d;
        signedDifference(s).convertTo(d, CV_32F);
        write(s.stain + QStringLiteral("_difference.tif"), d);
        const QImage rendered = renderDifference(d, range, o.absoluteDifference);
        const QString p = QDir(dir).filePath(s.stain + QStringLiteral("_difference.png"));
        if (!rendered.save(p)) throw Error("cannot write image", p.toStdString(), "check free disk space");
        written << p;
    }
    return written;
}

namespace {
constexpr double kPanel = 150;   // pt per image panel
constexpr double kGap = 4;
constexpr double kLabel = 46;    // stain label column / header row
constexpr double kCaption = 118; // caption block height
constexpr double kBar = 48;      // colour bar column

struct Column {
    QString title;
    const SiteReconstruction *result;
    enum Kind { Original, Reconstruction, Difference } kind;
};

QVector<Column> figureColumns(const SiteReconstruction &main, const SiteReconstruction *compare)
{
    QVector<Column> c{{QStringLiteral("Original"), &main, Column::Original},
                      {QStringLiteral("Reconstruction: %1").arg(main.model), &main, Column::Reconstruction},
                      {QStringLiteral("Difference (%1)").arg(main.model), &main, Column::Difference}};
    if (compare) {
        c << Column{QStringLiteral("Reconstruction: %1").arg(compare->model), compare, Column::Reconstruction};
        c << Column{QStringLiteral("Difference (%1)").arg(compare->model), compare, Column::Difference};
    }
    return c;
}
} // namespace

QSizeF inspectorFigureSize(const SiteReconstruction &main, const SiteReconstruction *compare,
                           const InspectorFigureOptions &o)
{
    const int cols = figureColumns(main, compare).size();
    const int rows = int(main.stains.size()) + (o.compositeRow ? 1 : 0);
    const int across = o.stainsAsRows ? cols : rows, down = o.stainsAsRows ? rows : cols;
    return {kLabel + across * (kPanel + kGap) + kBar, kLabel + down * (kPanel + kGap) + kCaption};
}

InspectorPanels renderInspectorPanels(const SiteReconstruction &main, const SiteReconstruction *compare,
                                      const InspectorFigureOptions &o)
{
    InspectorPanels out;
    const QVector<Column> columns = figureColumns(main, compare);
    out.limits = o.limits.size() == int(main.stains.size()) ? o.limits : autoStainLimits(main, o.saturation, false);
    out.differenceRange = o.differenceRange > 0 ? o.differenceRange : autoDifferenceRange(main);
    const int nStains = int(main.stains.size());
    for (const Column &c : columns) out.columnTitles << c.title;
    for (const auto &s : main.stains) out.rowNames << s.stain;
    if (o.compositeRow) out.rowNames << QStringLiteral("Composite");
    out.images.resize(out.rowNames.size());
    for (auto &row : out.images) row.resize(columns.size());
    for (int c = 0; c < columns.size(); ++c) {
        const Column &col = columns[c];
        QVector<cv::Mat> compositeImgs;
        QVector<QColor> compositeColors;
        cv::Mat meanAbs;
        for (int s = 0; s < nStains; ++s) {
            const StainReconstruction *sr = col.result->stain(main.stains[size_t(s)].stain);
            if (!sr) continue; // the compare model lacks this stain: an empty panel
            if (col.kind == Column::Difference) {
                out.images[s][c] = renderDifference(signedDifference(*sr), out.differenceRange, o.absoluteDifference);
                cv::Mat a;
                cv::absdiff(sr->reconstruction, sr->original, a);
                a.convertTo(a, CV_32F, 1.0 / nStains);
                meanAbs = meanAbs.empty() ? a : meanAbs + a;
            } else {
                const cv::Mat &m = col.kind == Column::Original ? sr->original : sr->reconstruction;
                out.images[s][c] = renderChannel(m, out.limits.value(s), stainColor(sr->stain));
                compositeImgs << m;
                compositeColors << stainColor(sr->stain);
            }
        }
        if (o.compositeRow)
            out.images[nStains][c] = col.kind == Column::Difference
                                         ? renderDifference(meanAbs, out.differenceRange, true)
                                         : renderComposite(compositeImgs, out.limits, compositeColors);
    }
    return out;
}

void paintInspectorFigure(QPainter &p, const QSizeF &sizePt, const SiteReconstruction &main,
                          const SiteReconstruction *compare, const InspectorFigureOptions &o)
{
    p.fillRect(QRectF(QPointF(0, 0), sizePt), Qt::white);
    const InspectorPanels panels = renderInspectorPanels(main, compare, o);
    const double range = panels.differenceRange;
    const int nRows = int(panels.rowNames.size());

    auto cellRect = [&](int stainRow, int col) {
        const int across = o.stainsAsRows ? col : stainRow, down = o.stainsAsRows ? stainRow : col;
        return QRectF(kLabel + across * (kPanel + kGap), kLabel + down * (kPanel + kGap), kPanel, kPanel);
    };
    QFont f = p.font();
    f.setPixelSize(8); // figure units are points: pixel size, so no device-DPI rescaling of the font
    p.setFont(f);
    p.setPen(Qt::black);

    // Column headers and stain labels.
    for (int c = 0; c < panels.columnTitles.size(); ++c) {
        const QRectF r = cellRect(0, c);
        const QRectF label = o.stainsAsRows ? QRectF(r.left(), 4, r.width(), kLabel - 8)
                                            : QRectF(4, r.top(), kLabel - 8, r.height());
        p.drawText(label, Qt::AlignCenter | Qt::TextWordWrap, panels.columnTitles[c]);
    }
    for (int s = 0; s < nRows; ++s) {
        const QRectF r = cellRect(s, 0);
        const QString name = panels.rowNames[s];
        const bool stain = s < int(main.stains.size());
        const QRectF label = o.stainsAsRows ? QRectF(0, r.top(), kLabel - 2, r.height())
                                            : QRectF(r.left(), 4, r.width(), kLabel - 8);
        p.setPen(stain ? stainColor(name).darker(140) : Qt::black);
        p.drawText(label, Qt::AlignCenter | Qt::TextWordWrap, name);
        p.setPen(Qt::black);
    }

    // Panels.
    for (int s = 0; s < nRows; ++s)
        for (int c = 0; c < panels.columnTitles.size(); ++c)
            if (!panels.images[s][c].isNull()) p.drawImage(cellRect(s, c), panels.images[s][c]);

    // Colour bar for the difference maps.
    const QSizeF gridSize = inspectorFigureSize(main, compare, o);
    const QRectF barRect(gridSize.width() - kBar + 4, kLabel, kBar - 6, std::min(220.0, gridSize.height() - kLabel - kCaption));
    const QImage bar = renderColorBar(o.absoluteDifference ? Colormap::SequentialViridis : Colormap::DivergingRdBu,
                                      o.absoluteDifference ? 0.0 : -range, range,
                                      o.absoluteDifference ? QStringLiteral("|diff|") : QStringLiteral("diff"),
                                      int(barRect.width() * 3), int(barRect.height() * 3));
    p.drawImage(barRect, bar);

    // Caption block.
    const double top = gridSize.height() - kCaption + 6;
    QStringList lines;
    lines << QStringLiteral("%1 · plate %2 · well %3 · site %4")
                 .arg(o.caption.screen, o.caption.plate, o.caption.well)
                 .arg(o.caption.site);
    auto describe = [](const SiteReconstruction &r) {
        QString s = QStringLiteral("model %1 · protocol %2").arg(r.model, protocolName(r.protocol));
        if (r.protocol == Protocol::Paper) s += QStringLiteral(" (sampled latent, seed %1)").arg(r.seed);
        else s += QStringLiteral(" (posterior mean)");
        return s;
    };
    lines << describe(main) + (compare ? QStringLiteral("   vs   ") + describe(*compare) : QString());
    lines << QStringLiteral("crop %1×%2 px, %3×%4 tiles of %5 px; difference = reconstruction − original (uint8 units), "
                            "symmetric range ±%6")
                 .arg(main.grid.image.width)
                 .arg(main.grid.image.height)
                 .arg(main.grid.rows)
                 .arg(main.grid.cols)
                 .arg(main.grid.tileSize)
                 .arg(range, 0, 'g', 3);
    for (const SiteReconstruction *r : {&main, compare}) {
        if (!r) continue;
        QStringList m;
        for (const auto &s : r->stains)
            m << QStringLiteral("%1 MAE %2 %3 %4 EMD %5")
                     .arg(s.stain)
                     .arg(s.mae, 0, 'f', 4)
                     .arg(QString::fromStdString(ssimLabel(r->protocol)))
                     .arg(ssimReported(r->protocol, s.ssim), 0, 'f', 4)
                     .arg(s.emd, 0, 'f', 4);
        QStringList k;
        for (const auto &t : r->triplets)
            if (!t.kld.empty()) k << QStringLiteral("KLD %1 %2").arg(t.name).arg(t.kldMean, 0, 'g', 5);
        lines << QStringLiteral("%1: %2%3").arg(r->model, m.join(QStringLiteral("; ")),
                                                k.isEmpty() ? QString() : QStringLiteral("; ") + k.join(QStringLiteral(", ")));
    }
    lines << QStringLiteral("Metrics on [0,1] images, mean over tiles. CellPaint Recon.");
    p.setPen(Qt::black);
    p.drawText(QRectF(6, top, sizePt.width() - 12, kCaption - 8), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               lines.join(QLatin1Char('\n')));
}

} // namespace cprecon
