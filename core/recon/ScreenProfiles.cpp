#include "recon/ScreenProfiles.h"

#include "features/HandcraftedFeatures.h"
#include "jobs/ParallelFor.h"
#include "screen/CsvTable.h"
#include "util/Csv.h"
#include "util/Error.h"

#include <QFile>
#include <QSet>
#include <QTextStream>

#include <mutex>

namespace cprecon {

namespace {

struct SiteJob {
    const Plate *plate;
    const Well *well;
    const Site *site;
};

QString key(const QString &plate, const QString &well, int site)
{
    return plate + QLatin1Char('|') + well + QLatin1Char('|') + QString::number(site);
}

// Mean feature vector over all tiles of the five stains' uint8 crops.
std::vector<double> siteFeatures(const features::HandcraftedExtractor &fx, const std::vector<cv::Mat> &stains,
                                 const TileGrid &grid)
{
    std::vector<double> sum(size_t(fx.featureCount()), 0.0);
    for (int r = 0; r < grid.rows; ++r)
        for (int c = 0; c < grid.cols; ++c) {
            std::vector<cv::Mat> tiles;
            for (const cv::Mat &s : stains) tiles.push_back(extractTile(s, grid, r, c).clone());
            const std::vector<float> f = fx.extract(tiles);
            for (size_t i = 0; i < f.size(); ++i) sum[i] += f[i];
        }
    for (double &v : sum) v /= double(grid.count());
    return sum;
}

} // namespace

ProfileExtractionReport extractScreenProfiles(ModelPool &models, const Screen &screen, const ProfileExtractionOptions &options,
                                              const QString &outCsv, const std::atomic<bool> *cancel,
                                              const ProgressFn &progress)
{
    features::HandcraftedOptions fo;
    fo.channelNames.clear();
    for (const QString &s : options.pipeline.stains) fo.channelNames.push_back(s.toStdString());
    const features::HandcraftedExtractor fx(fo);
    const QString source = options.model.isEmpty()
                               ? QStringLiteral("original")
                               : QStringLiteral("%1 (%2%3)").arg(options.model, protocolName(options.protocol),
                                                                 options.protocol == Protocol::Paper ? QStringLiteral(", seed %1").arg(options.seed) : QString());
    QStringList header{QStringLiteral("Metadata_Plate"), QStringLiteral("Metadata_Well"), QStringLiteral("Metadata_Site"),
                       QStringLiteral("Metadata_broad_sample"), QStringLiteral("Metadata_pert_iname"),
                       QStringLiteral("Metadata_control_type"), QStringLiteral("Metadata_cell_line"),
                       QStringLiteral("Metadata_timepoint"), QStringLiteral("Metadata_source")};
    for (const auto &n : fx.featureNames()) header << QString::fromStdString(n);
    const QString headerLine = header.join(QLatin1Char(','));

    // Resume. Rows are appended one whole line at a time and flushed, so what an interrupted run leaves is a run of
    // complete lines (each ending in '\n') plus at most one torn line without its newline. The complete ones are
    // kept — checked against the header and the exact Metadata_source column — and the torn tail is cut off.
    QSet<QString> done;
    const std::string file = outCsv.toStdString();
    const int sourceColumn = int(header.indexOf(QStringLiteral("Metadata_source")));
    qint64 completeBytes = 0;
    bool haveHeader = false;
    if (QFile::exists(outCsv)) {
        QByteArray bytes;
        {
            QFile in(outCsv);
            if (!in.open(QIODevice::ReadOnly)) throw Error("cannot read the existing output", file, "check permissions");
            bytes = in.readAll();
        }
        completeBytes = bytes.lastIndexOf('\n') + 1; // 0 when not even the header is complete
        if (completeBytes > 0) {
            CsvTable rows(bytes.left(completeBytes), ',');
            if (rows.header().join(QLatin1Char(',')) != headerLine)
                throw Error("the output exists with other columns (another extractor or stain set)", file,
                            "choose another --out or delete the file");
            haveHeader = true;
            while (rows.next()) {
                if (rows.fieldCount() != header.size())
                    throw Error("row " + std::to_string(rows.rowNumber()) + " of the output has " +
                                    std::to_string(rows.fieldCount()) + " fields, the header " + std::to_string(header.size()),
                                file, "the file was edited or written by another program: choose another --out");
                if (rows.field(sourceColumn) != source)
                    throw Error("the output holds profiles of another source ('" + rows.field(sourceColumn).toStdString() +
                                    "', this run: '" + source.toStdString() + "')",
                                file, "choose another --out");
                done.insert(key(rows.field(0), rows.field(1), rows.field(2).toInt()));
            }
        }
    }
    QFile out(outCsv);
    if (!out.open(QIODevice::ReadWrite) || !out.resize(completeBytes) || !out.seek(completeBytes))
        throw Error("cannot write profiles: " + out.errorString().toStdString(), file, "check the folder exists and is writable");
    QTextStream os(&out);
    if (!haveHeader) os << headerLine << '\n';
    os.flush();

    std::vector<SiteJob> jobs;
    ProfileExtractionReport report;
    for (const Plate &p : screen.plates) {
        if (!options.plates.isEmpty() && !options.plates.contains(p.barcode)) continue;
        for (const Well &w : p.wells)
            for (const Site &s : w.sites) {
                ++report.sitesTotal;
                if (done.contains(key(p.barcode, w.name, s.number))) {
                    ++report.sitesResumed;
                    continue;
                }
                jobs.push_back({&p, &w, &s});
            }
    }

    // Sites in parallel on the CPU pool; each finished row is appended whole and flushed at once, so an
    // interruption loses at most the sites in flight.
    std::mutex mutex;
    int finished = report.sitesResumed;
    parallelFor(jobs.size(), [&](size_t index) {
        if (cancel && cancel->load()) return;
        const SiteJob job = jobs[index];
        const QString label = QStringLiteral("%1/%2/%3").arg(job.plate->barcode, job.well->name).arg(job.site->number);
        QString row;
        QString failure;
        try {
            std::vector<cv::Mat> stains;
            TileGrid grid;
            if (options.model.isEmpty()) {
                PipelineOptions po = options.pipeline;
                po.keepIntermediates = false;
                const SiteStack stack = loadSiteStack(*job.site, po, label);
                for (const StainImage &si : stack.stains) stains.push_back(si.cropped);
                grid = stack.grid;
            } else {
                ReconstructionRequest req;
                req.model = options.model;
                req.protocol = options.protocol;
                req.seed = options.seed;
                req.pipeline = options.pipeline;
                const SiteReconstruction r = reconstructSite(models, *job.site, req, label, cancel);
                for (const QString &s : options.pipeline.stains) stains.push_back(r.stain(s)->reconstruction);
                grid = makeTileGrid(stains.front().size(), r.grid.tileSize, PartialTilePolicy::Error);
            }
            const std::vector<double> f = siteFeatures(fx, stains, grid);
            const WellMetadata &m = job.well->meta;
            QStringList cells{csvField(job.plate->barcode), job.well->name, QString::number(job.site->number),
                              csvField(perturbationKey(m)), csvField(m.perturbationName), csvField(controlLabel(m)),
                              csvField(m.cellLine), csvField(m.timePoint), csvField(source)};
            for (double v : f) cells << QString::number(v, 'g', 9);
            row = cells.join(QLatin1Char(','));
        } catch (const Canceled &) {
            return;
        } catch (const std::exception &e) {
            failure = label + QStringLiteral(": ") + QString::fromStdString(e.what());
        }
        std::lock_guard<std::mutex> lock(mutex);
        if (!row.isEmpty()) {
            os << row << '\n';
            os.flush();
            ++report.sitesWritten;
        } else if (!(cancel && cancel->load())) {
            report.failures << failure;
        }
        ++finished;
        if (progress) progress(finished, report.sitesTotal);
    });
    report.cancelled = cancel && cancel->load();
    if (os.status() != QTextStream::Ok || !out.flush())
        throw Error("writing profiles failed (disk full?)", file, "free disk space and run again: finished sites are kept");
    return report;
}

} // namespace cprecon
