// reconstructSite: the pipeline → reconstructor → merge → metrics path of one site.
#include "recon/SiteReconstruction.h"

#include "metrics/Kld.h"
#include "models/Reconstructor.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QScopeGuard>

#include <mutex>

namespace cprecon {

namespace {

// Tiles of a 3-channel uint8 image (RGB planes in triplet order) -> N x 3 x t x t float [0, 1].
HostTensor tripletBatch(const std::vector<cv::Mat> &tiles, int t)
{
    HostTensor h;
    h.shape = {int64_t(tiles.size()), 3, t, t};
    h.values.resize(size_t(tiles.size()) * 3 * size_t(t) * size_t(t));
    float *dst = h.values.data();
    for (const cv::Mat &tile : tiles) {
        cv::Mat planes[3];
        cv::split(tile, planes);
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < t; ++y) {
                const uint8_t *row = planes[c].ptr<uint8_t>(y);
                for (int x = 0; x < t; ++x) *dst++ = float(row[x]) / 255.0f;
            }
    }
    return h;
}

// Writes tile i (3 x t x t, float [0,1]) of a reconstruction into a CV_32FC3 mosaic at its grid position, as it is.
void placeFloatTile(cv::Mat &mosaic, const HostTensor &images, size_t tileIndex, int t, int row, int col)
{
    const size_t plane = size_t(t) * size_t(t);
    const float *src = images.values.data() + tileIndex * 3 * plane;
    for (int y = 0; y < t; ++y) {
        auto *dst = mosaic.ptr<cv::Vec3f>(row * t + y) + col * t;
        for (int x = 0; x < t; ++x)
            dst[x] = cv::Vec3f(src[size_t(y) * t + x], src[plane + size_t(y) * t + x], src[2 * plane + size_t(y) * t + x]);
    }
}

// Writes tile i (3 x t x t, float [0,1]) of a reconstruction into a CV_8UC3 mosaic at its grid position.
void placeTile(cv::Mat &mosaic, const std::vector<uint8_t> &u8, size_t tileIndex, int t, int row, int col)
{
    const size_t plane = size_t(t) * size_t(t);
    const uint8_t *src = u8.data() + tileIndex * 3 * plane;
    for (int y = 0; y < t; ++y) {
        auto *dst = mosaic.ptr<cv::Vec3b>(row * t + y) + col * t;
        for (int x = 0; x < t; ++x)
            dst[x] = cv::Vec3b(src[size_t(y) * t + x], src[plane + size_t(y) * t + x], src[2 * plane + size_t(y) * t + x]);
    }
}

} // namespace

RuntimeOptions reconstructionRuntime(const ReconstructionRequest &request)
{
    RuntimeOptions rt;
    rt.device = parseComputeDevice(request.device.toStdString());
    // Paper protocol: fp16 autocast where the authors had it (GPU); CPU stays fp32 (fp16 is not a CPU autocast type).
    if (request.protocol == Protocol::Paper && rt.device != ComputeDevice::Cpu && torchrt::cudaAvailable())
        rt.precision = Precision::Fp16;
    return rt;
}

SiteReconstruction reconstructSite(ModelPool &models, const Site &site, const ReconstructionRequest &request, const QString &siteLabel,
                                   const std::atomic<bool> *cancel, const ProgressFn &progress)
{
    QElapsedTimer timer;
    timer.start();
    auto cancelled = [cancel] { return cancel && cancel->load(); };

    PipelineOptions popt = request.pipeline;
    popt.keepIntermediates = false;
    if (cancelled()) throw Canceled("reconstruction canceled");
    const SiteStack stack = loadSiteStack(site, popt, siteLabel);
    if (cancelled()) throw Canceled("reconstruction canceled"); // reading the site took a while: check before the model
    const std::string siteKey = (site.plate + QLatin1Char('/') + site.well + QLatin1Char('/') + QString::number(site.number)).toStdString();
    SiteReconstruction out = reconstructStack(models, stack, request, siteKey, cancel, progress);
    out.seconds = timer.elapsed() / 1000.0;
    return out;
}

SiteReconstruction reconstructStack(ModelPool &models, const SiteStack &stack, const ReconstructionRequest &request,
                                    const std::string &siteKey, const std::atomic<bool> *cancel, const ProgressFn &progress)
{
    QElapsedTimer timer;
    timer.start();
    auto cancelled = [cancel] { return cancel && cancel->load(); };
    const QString &siteLabel = stack.label;
    const PipelineOptions &popt = stack.options;
    const TileGrid &grid = stack.grid;
    const int t = grid.tileSize;
    if (grid.count() == 0) throw Error("no tile fits in the image", siteLabel.toStdString(), "use a smaller tile size");

    const std::shared_ptr<PooledModel> model = models.acquire(request.model.toStdString(), reconstructionRuntime(request), cancel);

    ReconstructOptions ro;
    ro.protocol = request.protocol;
    ro.seed = request.seed;
    ro.wantLatents = true;

    // Triplet tiles, row-major over the grid.
    std::vector<cv::Mat> tilesA, tilesB;
    std::vector<std::pair<int, int>> positions;
    for (int r = 0; r < grid.rows; ++r)
        for (int c = 0; c < grid.cols; ++c) {
            auto [a, b] = stack.tripletTiles(r, c);
            tilesA.push_back(a);
            tilesB.push_back(b);
            positions.emplace_back(r, c);
        }

    SiteReconstruction out;
    out.siteLabel = siteLabel;
    out.model = request.model;
    out.protocol = request.protocol;
    out.seed = request.seed;
    out.grid = grid;
    out.notes = stack.notes;

    const int batch = std::max(1, request.batchSize);
    const int n = grid.count();
    const int batchesPerTriplet = (n + batch - 1) / batch;
    const int totalBatches = 2 * batchesPerTriplet;
    int done = 0;
    const cv::Size mosaicSize(grid.cols * t, grid.rows * t);
    cv::Mat mosaic[2] = {cv::Mat(mosaicSize, CV_8UC3), cv::Mat(mosaicSize, CV_8UC3)};        // display
    cv::Mat floatMosaic[2] = {cv::Mat(mosaicSize, CV_32FC3), cv::Mat(mosaicSize, CV_32FC3)}; // what is measured
    const auto &g = popt.triplets;

    for (int which = 0; which < 2; ++which) {
        const std::vector<cv::Mat> &tiles = which == 0 ? tilesA : tilesB;
        TripletReconstruction trip;
        trip.name = which == 0 ? QStringLiteral("A") : QStringLiteral("B");
        for (const QString &s : which == 0 ? g.a : g.b) trip.stains << s;
        std::vector<HostTensor> latents;
        for (int start = 0; start < n; start += batch) {
            if (cancelled()) throw Canceled("reconstruction canceled");
            const int count = std::min(batch, n - start);
            const std::vector<cv::Mat> chunk(tiles.begin() + start, tiles.begin() + start + count);
            Reconstruction rec;
            {
                std::lock_guard<std::mutex> lock(model->busy);
                QElapsedTimer busy;
                busy.start();
                const auto addBusy = qScopeGuard([&] { out.modelSeconds += double(busy.nsecsElapsed()) * 1e-9; });
                ReconstructOptions o = ro;
                // Every tile draws its own noise from (seed, site, triplet, tile): the same numbers whatever the
                // batch size, thread count or shard that computes it.
                for (int i = 0; i < count; ++i) o.noiseSeeds.push_back(tileNoiseSeed(ro.seed, siteKey, which, start + i));
                rec = model->model->reconstruct(tripletBatch(chunk, t), o);
            }
            const std::vector<uint8_t> u8 = toU8(rec.images);
            if (rec.images.shape.size() != 4 || rec.images.shape[0] != count || rec.images.shape[2] != t || rec.images.shape[3] != t)
                throw Error("the model returned images of an unexpected shape", request.model.toStdString(),
                            "the reconstructor must keep the tile size");
            for (int i = 0; i < count; ++i) {
                const auto [row, col] = positions[size_t(start + i)];
                placeTile(mosaic[which], u8, size_t(i), t, row, col);
                placeFloatTile(floatMosaic[which], rec.images, size_t(i), t, row, col);
            }
            if (rec.latentMean && rec.latentLogvar) {
                const auto &m = *rec.latentMean;
                const size_t per = size_t(m.numel() / std::max<int64_t>(1, m.shape[0]));
                const auto kl = metrics::klDivergence(m.values.data(), rec.latentLogvar->values.data(), size_t(count), per);
                trip.kld.insert(trip.kld.end(), kl.klSum.begin(), kl.klSum.end());
            }
            if (rec.latent) latents.push_back(*rec.latent);
            else if (rec.latentMean) latents.push_back(*rec.latentMean);
            if (progress) progress(++done, totalBatches);
        }
        if (!trip.kld.empty()) {
            double sum = 0;
            for (double v : trip.kld) sum += v;
            trip.kldMean = sum / double(trip.kld.size());
        }
        // Latent mosaics: tile latents placed like their tiles.
        if (!latents.empty() && latents.front().shape.size() == 4) {
            const int C = int(latents.front().shape[1]), h = int(latents.front().shape[2]), w = int(latents.front().shape[3]);
            for (int c = 0; c < C; ++c) trip.latentChannels.emplace_back(grid.rows * h, grid.cols * w, CV_32F, cv::Scalar(0));
            int tileIndex = 0;
            for (const auto &lat : latents)
                for (int64_t i = 0; i < lat.shape[0]; ++i, ++tileIndex) {
                    const auto [r, col] = positions[size_t(tileIndex)];
                    for (int c = 0; c < C; ++c)
                        for (int y = 0; y < h; ++y)
                            for (int x = 0; x < w; ++x)
                                trip.latentChannels[size_t(c)].at<float>(r * h + y, col * w + x) =
                                    lat.values[size_t(((i * C + c) * h + y) * w + x)];
                }
        }
        trip.imageFloat = floatMosaic[which];
        out.triplets.push_back(std::move(trip));
    }

    // Back to five stains, and the originals over exactly the tiled region.
    const QMap<QString, cv::Mat> recon = mergeTriplets(mosaic[0], mosaic[1], g);
    const QMap<QString, cv::Mat> reconFloat = mergeTriplets(floatMosaic[0], floatMosaic[1], g);
    for (const StainImage &si : stack.stains) {
        StainReconstruction s;
        s.stain = si.stain;
        s.original = cv::Mat(mosaicSize, CV_8UC1);
        for (int r = 0; r < grid.rows; ++r)
            for (int c = 0; c < grid.cols; ++c) extractTile(si.cropped, grid, r, c).copyTo(s.original(cv::Rect(c * t, r * t, t, t)));
        s.reconstruction = recon.value(si.stain).clone();
        s.reconstructionFloat = reconFloat.value(si.stain).clone();
        if (s.reconstruction.empty())
            throw Error("stain " + si.stain.toStdString() + " is in no triplet", siteLabel.toStdString(),
                        "check the triplet grouping");
        const TileGrid mosaicGrid = makeTileGrid(mosaicSize, t, PartialTilePolicy::Error);
        s.tiles = tileMetrics(s.original, s.reconstructionFloat, mosaicGrid); // the float output, never rounded
        for (const auto &m : s.tiles) {
            s.mae += m.mae / double(s.tiles.size());
            s.ssim += m.ssim / double(s.tiles.size());
            s.emd += m.emd / double(s.tiles.size());
        }
        out.stains.push_back(std::move(s));
    }
    out.seconds = timer.elapsed() / 1000.0;
    return out;
}

SiteReconstruction reconstructPhoto(ModelPool &models, const cv::Mat &rgb, const ReconstructionRequest &request,
                                    const std::string &siteKey, const std::atomic<bool> *cancel)
{
    QElapsedTimer timer;
    timer.start();
    if (rgb.type() != CV_8UC3 || rgb.rows != rgb.cols)
        throw Error("a photo must be a square 8-bit RGB image", siteKey, "resize it to 256x256 first");
    if (cancel && cancel->load()) throw Canceled("reconstruction canceled");
    const int t = rgb.rows;
    const std::shared_ptr<PooledModel> model = models.acquire(request.model.toStdString(), reconstructionRuntime(request), cancel);
    SiteReconstruction out;
    out.siteLabel = QString::fromStdString(siteKey);
    out.model = request.model;
    out.protocol = request.protocol;
    out.seed = request.seed;
    out.grid = makeTileGrid(rgb.size(), t, PartialTilePolicy::Error);
    ReconstructOptions o;
    o.protocol = request.protocol;
    o.seed = request.seed;
    o.wantLatents = true;
    o.noiseSeeds = {tileNoiseSeed(request.seed, siteKey, 0, 0)};
    Reconstruction rec;
    {
        std::lock_guard<std::mutex> lock(model->busy);
        QElapsedTimer busy;
        busy.start();
        rec = model->model->reconstruct(tripletBatch({rgb}, t), o);
        out.modelSeconds = double(busy.nsecsElapsed()) * 1e-9;
    }
    if (rec.images.shape != std::vector<int64_t>{1, 3, t, t})
        throw Error("the model returned images of an unexpected shape", request.model.toStdString(), "the reconstructor must keep the tile size");
    TripletReconstruction trip;
    trip.name = QStringLiteral("RGB");
    trip.stains = QStringList{QStringLiteral("R"), QStringLiteral("G"), QStringLiteral("B")};
    trip.imageFloat = cv::Mat(t, t, CV_32FC3);
    placeFloatTile(trip.imageFloat, rec.images, 0, t, 0, 0);
    cv::Mat u8(t, t, CV_8UC3);
    placeTile(u8, toU8(rec.images), 0, t, 0, 0);
    if (rec.latentMean && rec.latentLogvar) {
        const auto &m = *rec.latentMean;
        const auto kl = metrics::klDivergence(m.values.data(), rec.latentLogvar->values.data(), 1, size_t(m.numel()));
        trip.kld = kl.klSum;
        trip.kldMean = trip.kld.empty() ? 0 : trip.kld.front();
    }
    cv::Mat originals[3], floats[3], display[3];
    cv::split(rgb, originals);
    cv::split(trip.imageFloat, floats);
    cv::split(u8, display);
    for (int c = 0; c < 3; ++c) {
        StainReconstruction s;
        s.stain = trip.stains[c];
        s.original = originals[c];
        s.reconstruction = display[c];
        s.reconstructionFloat = floats[c];
        s.tiles = tileMetrics(s.original, s.reconstructionFloat, out.grid);
        s.mae = s.tiles.front().mae;
        s.ssim = s.tiles.front().ssim;
        s.emd = s.tiles.front().emd;
        out.stains.push_back(std::move(s));
    }
    out.triplets.push_back(std::move(trip));
    out.seconds = timer.elapsed() / 1000.0;
    return out;
}

} // namespace cprecon
