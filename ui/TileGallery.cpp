#include "TileGallery.h"

#include "RunFigures.h"

#include "recon/SiteReconstruction.h"
#include "render/Colormaps.h"
#include "render/FigureExport.h"
#include "render/ImageRendering.h"
#include "run/BenchmarkRun.h"
#include "run/WeightResolution.h"
#include "screen/ScreenOpener.h"
#include "util/Csv.h"
#include "util/Error.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <map>

#include <opencv2/core.hpp>

namespace cprecon::ui {

namespace {
constexpr int kThumb = 128;

QImage thumbnail(const cv::Mat &tile, const ContrastLimits &limits, const QColor &color)
{
    return renderChannel(tile, limits, color).scaled(kThumb, kThumb, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

QImage strip(const GalleryTile &t)
{
    QImage img(3 * kThumb + 8, kThumb, QImage::Format_RGB32);
    img.fill(Qt::white);
    QPainter p(&img);
    int x = 0;
    for (const QImage *i : {&t.original, &t.reconstruction, &t.difference}) {
        if (!i->isNull()) p.drawImage(x, 0, *i);
        x += kThumb + 4;
    }
    return img;
}

QString caption(const run::RankedTile &t)
{
    return QStringLiteral("%1 %2 s%3 · tile (%4, %5) · %6\nMAE %7 · SSIM %8 · EMD %9")
        .arg(QString::fromStdString(t.key.plate), QString::fromStdString(t.key.well))
        .arg(t.key.site)
        .arg(t.tileRow)
        .arg(t.tileCol)
        .arg(QString::fromStdString(t.stain))
        .arg(t.mae, 0, 'f', 4)
        .arg(t.ssim, 0, 'f', 3)
        .arg(t.emd, 0, 'f', 4);
}
} // namespace

TileGallery::TileGallery(TaskManager *tasks, ModelPool *models, QWidget *parent) : QWidget(parent), m_tasks(tasks), m_models(models)
{
    qRegisterMetaType<cprecon::run::RankedTile>();
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Model")));
    m_model = new QComboBox;
    bar->addWidget(m_model);
    bar->addWidget(new QLabel(tr("ranked by")));
    m_metric = new QComboBox;
    m_metric->addItem(tr("MAE (largest first)"), QStringLiteral("mae"));
    m_metric->addItem(tr("EMD (largest first)"), QStringLiteral("emd"));
    m_metric->addItem(tr("SSIM (smallest first)"), QStringLiteral("ssim"));
    bar->addWidget(m_metric);
    bar->addWidget(new QLabel(tr("stain")));
    m_stain = new QComboBox;
    m_stain->addItem(tr("any"), QString());
    for (const char *s : {"DNA", "ER", "RNA", "AGP", "Mito"}) m_stain->addItem(QString::fromLatin1(s), QString::fromLatin1(s));
    bar->addWidget(m_stain);
    bar->addWidget(new QLabel(tr("tiles")));
    m_count = new QSpinBox;
    m_count->setRange(1, 60);
    m_count->setValue(12);
    bar->addWidget(m_count);
    bar->addStretch(1);
    layout->addLayout(bar);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    m_host = new QWidget;
    m_grid = new QGridLayout(m_host);
    m_grid->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    scroll->setWidget(m_host);
    layout->addWidget(scroll, 1);
    for (QComboBox *c : {m_model, m_metric, m_stain})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updating) refresh();
        });
    connect(m_count, &QSpinBox::valueChanged, this, [this] {
        if (!m_updating) refresh();
    });
}

void TileGallery::setResults(std::shared_ptr<const run::RunResults> results, std::shared_ptr<const Screen> screen)
{
    const bool sameRun = m_results && results && m_results->folder == results->folder;
    m_results = std::move(results);
    m_screen = std::move(screen);
    rebuildChoices();
    // A reload while the run progresses keeps the gallery as it is unless it has nothing yet.
    if (!sameRun || m_tiles.empty()) refresh();
}

void TileGallery::rebuildChoices()
{
    m_updating = true;
    const QString current = m_model->currentData().toString();
    m_model->clear();
    if (m_results)
        for (const auto &[model, repeat] : plots::runModels(*m_results)) {
            const QString label = QString::fromStdString(model) + (repeat ? QStringLiteral(" · repeat %1").arg(repeat) : QString());
            m_model->addItem(label, QString::fromStdString(model) + QLatin1Char('|') + QString::number(repeat));
        }
    const int i = m_model->findData(current);
    if (i >= 0) m_model->setCurrentIndex(i);
    m_updating = false;
}

void TileGallery::setChoice(const QString &model, int repeat, const QString &metric, const QString &stain, int count)
{
    m_updating = true;
    m_model->setCurrentIndex(std::max(0, m_model->findData(model + QLatin1Char('|') + QString::number(repeat))));
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(metric)));
    m_stain->setCurrentIndex(std::max(0, m_stain->findData(stain)));
    m_count->setValue(count);
    m_updating = false;
    refresh();
}

void TileGallery::refresh()
{
    if (m_task) m_task->cancel();
    if (!m_results || m_model->count() == 0) {
        m_tiles.clear();
        showTiles();
        m_status->setText(tr("No reconstructed tiles in this run yet."));
        return;
    }
    const QStringList source = m_model->currentData().toString().split(QLatin1Char('|'));
    const std::string model = source.value(0).toStdString();
    const int repeat = source.value(1).toInt();
    const std::string metric = m_metric->currentData().toString().toStdString();
    const std::string stain = m_stain->currentData().toString().toStdString();
    const int count = m_count->value();
    const quint64 generation = ++m_generation;
    m_status->setText(tr("Ranking the tiles and reconstructing the worst %1…").arg(count));
    auto results = m_results;
    auto screen = m_screen;
    ModelPool *models = m_models;
    auto *task = new FunctionTask<std::vector<GalleryTile>>(
        tr("Worst tiles"),
        [results, screen, models, model, repeat, metric, stain, count](Task &t) {
            const run::ResultsStore store = run::ResultsStore::open(results->folder);
            // Photos (natural-image controls) have no stains to compare here: rank Cell Painting tiles only.
            std::vector<run::RankedTile> ranked;
            for (int want = count; ranked.size() < size_t(count); want *= 4) {
                ranked.clear();
                const auto all = run::worstTiles(store, model, repeat, metric, stain, want);
                for (const run::RankedTile &r : all) {
                    const auto info = results->infos.find({r.key.plate, r.key.well, r.key.site});
                    if (info != results->infos.end() && info->second.natural) continue;
                    if (ranked.size() < size_t(count)) ranked.push_back(r);
                }
                if (int(all.size()) < want) break; // every tile seen
            }
            std::shared_ptr<const Screen> s = screen;
            QString screenError;
            if (!s && !results->config.screens.isEmpty()) {
                try {
                    s = std::make_shared<const Screen>(openScreen(results->config.screens.front()));
                } catch (const std::exception &e) {
                    screenError = QString::fromUtf8(e.what());
                }
            }
            const std::string spec = run::resolveModelSpec(model);
            const ReconstructionRequest request = run::runReconstructionRequest(results->config, spec, repeat);
            std::map<std::string, std::shared_ptr<SiteReconstruction>> bySite;
            std::vector<GalleryTile> out;
            for (const run::RankedTile &r : ranked) {
                if (t.isCanceled()) throw Canceled("gallery canceled");
                GalleryTile g{r, {}, {}, {}, {}};
                const std::string key = r.key.plate + "/" + r.key.well + "/" + std::to_string(r.key.site);
                try {
                    if (!s) throw Error("the run's screen cannot be opened: " + screenError.toStdString(), results->config.screens.value(0).toStdString(),
                                        "open the screen (File ▸ Open screen) where it is on this machine");
                    auto it = bySite.find(key);
                    if (it == bySite.end()) {
                        const Site *site = s->site(QString::fromStdString(r.key.plate), QString::fromStdString(r.key.well), r.key.site);
                        if (!site) throw Error("site " + key + " is not in the screen", s->source.toStdString(), "open the screen the run was computed on");
                        it = bySite.emplace(key, std::make_shared<SiteReconstruction>(reconstructSite(*models, *site, request, QString::fromStdString(key), t.cancelFlag()))).first;
                    }
                    const StainReconstruction *st = it->second->stain(QString::fromStdString(r.stain));
                    if (!st) throw Error("stain " + r.stain + " missing in the reconstruction", key, "");
                    const cv::Rect rect = it->second->grid.sourceRect(r.tileRow, r.tileCol);
                    const cv::Mat o = st->original(rect), rec = st->reconstruction(rect);
                    const ContrastLimits limits = autoContrast(o, 0.35);
                    const QColor color = stainColor(QString::fromStdString(r.stain));
                    g.original = thumbnail(o, limits, color);
                    g.reconstruction = thumbnail(rec, limits, color);
                    cv::Mat diff;
                    cv::subtract(st->reconstructionFloat(rect), [&] { cv::Mat f; o.convertTo(f, CV_32F, 1.0 / 255); return f; }(), diff);
                    g.difference = renderDifference(diff, 0.25, true).scaled(kThumb, kThumb, Qt::KeepAspectRatio, Qt::SmoothTransformation);
                } catch (const Canceled &) {
                    throw;
                } catch (const std::exception &e) {
                    g.error = QString::fromUtf8(e.what());
                }
                out.push_back(std::move(g));
            }
            return out;
        },
        [self = QPointer<TileGallery>(this), generation](std::vector<GalleryTile> &tiles) {
            if (!self || generation != self->m_generation) return;
            self->m_tiles = std::move(tiles);
            self->showTiles();
            Q_EMIT self->ready();
        });
    connect(task, &Task::finished, this, [this, task, generation](bool ok) {
        if (generation != m_generation) return;
        if (!ok && task->status() == Task::Status::Failed) m_status->setText(tr("Worst tiles failed: %1").arg(task->errorMessage()));
        if (!ok) Q_EMIT ready();
    });
    m_task = task;
    m_tasks->addTask(task);
}

void TileGallery::showTiles()
{
    for (QToolButton *b : m_buttons) b->deleteLater();
    m_buttons.clear();
    const int perRow = 2;
    int errors = 0;
    for (size_t i = 0; i < m_tiles.size(); ++i) {
        const GalleryTile &g = m_tiles[i];
        auto *b = new QToolButton;
        b->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
        b->setAutoRaise(true);
        if (g.error.isEmpty()) {
            const QImage s = strip(g);
            b->setIcon(QIcon(QPixmap::fromImage(s)));
            b->setIconSize(s.size());
        } else {
            ++errors;
        }
        b->setText(QStringLiteral("#%1  ").arg(i + 1) + caption(g.tile) + (g.error.isEmpty() ? QString() : QStringLiteral("\n") + g.error));
        b->setToolTip(tr("original | reconstruction | |difference| — click: open in the inspector at this tile"));
        connect(b, &QToolButton::clicked, this, [this, i] {
            const QStringList source = m_model->currentData().toString().split(QLatin1Char('|'));
            if (i < m_tiles.size()) Q_EMIT tileActivated(m_tiles[i].tile, source.value(0), source.value(1).toInt());
        });
        m_grid->addWidget(b, int(i) / perRow, int(i) % perRow);
        m_buttons << b;
    }
    if (!m_tiles.empty())
        m_status->setText(tr("%1 worst tiles of %2 by %3%4 · original | reconstruction | |difference| (viridis, 0–0.25)")
                              .arg(m_tiles.size())
                              .arg(m_model->currentText(), m_metric->currentText())
                              .arg(errors ? tr(" · %1 without thumbnails").arg(errors) : QString()));
}

std::string TileGallery::csv() const
{
    std::string out = "rank,model,repeat,Metadata_Plate,Metadata_Well,Metadata_Site,tile_row,tile_col,stain,mae,ssim,emd\n";
    for (size_t i = 0; i < m_tiles.size(); ++i) {
        const run::RankedTile &t = m_tiles[i].tile;
        out += std::to_string(i + 1) + "," + csvField(t.key.model) + "," + std::to_string(t.key.repeat) + "," + csvField(t.key.plate) + "," +
               csvField(t.key.well) + "," + std::to_string(t.key.site) + "," + std::to_string(t.tileRow) + "," + std::to_string(t.tileCol) + "," +
               csvField(t.stain) + "," + run::reportNumber(t.mae) + "," + run::reportNumber(t.ssim) + "," + run::reportNumber(t.emd) + "\n";
    }
    return out;
}

void TileGallery::exportFigure(const QString &path, int dpi) const
{
    const double rowH = 86, thumb = 72;
    const QSizeF size(540, 40 + rowH * double(std::max<size_t>(1, m_tiles.size())));
    cprecon::exportFigure(path, size, dpi, [this, thumb, rowH](QPainter &p, const QSizeF &s) {
        p.fillRect(QRectF(QPointF(0, 0), s), Qt::white);
        QFont f(QStringLiteral("DejaVu Sans"));
        f.setPixelSize(11);
        f.setBold(true);
        p.setFont(f);
        p.drawText(QRectF(10, 6, s.width() - 20, 20), Qt::AlignLeft, tr("Worst tiles: original | reconstruction | |difference|"));
        f.setBold(false);
        f.setPixelSize(8);
        p.setFont(f);
        for (size_t i = 0; i < m_tiles.size(); ++i) {
            const GalleryTile &g = m_tiles[i];
            const double y = 32 + rowH * double(i);
            double x = 10;
            for (const QImage *img : {&g.original, &g.reconstruction, &g.difference}) {
                if (!img->isNull()) p.drawImage(QRectF(x, y, thumb, thumb), *img);
                x += thumb + 4;
            }
            p.drawText(QRectF(x + 6, y, s.width() - x - 16, thumb), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
                       QStringLiteral("#%1  ").arg(i + 1) + caption(g.tile));
        }
    });
}

} // namespace cprecon::ui
