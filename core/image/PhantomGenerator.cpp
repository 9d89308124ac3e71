#include "image/PhantomGenerator.h"

#include "jobs/ParallelFor.h"

#include "image/NpyWriter.h"
#include "image/PhantomRenderer.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <chrono>

namespace cprecon::phantom {

namespace {

const QString kBatch = QStringLiteral("phantom_batch");
const QString kPlatemap = QStringLiteral("phantom_platemap");
const QString kCellLine = QStringLiteral("PHANTOM-U2OS");
const int kTimepointHours = 48;

// The order of the load_data columns (the real files list DNA first too).
const QStringList &csvStains()
{
    static const QStringList s{QStringLiteral("DNA"), QStringLiteral("ER"), QStringLiteral("RNA"),
                               QStringLiteral("AGP"), QStringLiteral("Mito")};
    return s;
}

int channelOf(const QString &stain)
{
    return int(channelStains().indexOf(stain)) + 1;
}

void writeText(const QString &path, const QString &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text.toUtf8()) < 0 || !f.commit())
        throw Error("cannot write file: " + f.errorString().toStdString(), path.toStdString(),
                    "check free disk space and permissions of the output folder");
}

void mkdirs(const QString &path)
{
    if (!QDir().mkpath(path))
        throw Error("cannot create folder", path.toStdString(), "check permissions of the output folder");
}

QString readme(const Design &d)
{
    return QStringLiteral(
               "# PHANTOM — synthetic images, not biology\n\n"
               "This folder was written by `cprecon-cli phantom` (seed %1). Every image is **synthetic**: cell-like\n"
               "shapes rendered from a random seed, not microscopy of real cells. Use it for demos, scale tests and\n"
               "checks of the phenotypic-activity pipeline against a known ground truth — never as biological data.\n\n"
               "- %2 plate(s) of %3 wells (%4 DMSO wells per plate), %5 site(s) per well, %6x%6 px 16-bit LZW TIFFs\n"
               "- %7 compounds (PHANTOM-CPD-*), each %8x per plate; which are active and how is in\n"
               "  `phantom_ground_truth.csv`\n"
               "- Layout: cellpainting-gallery style (`images/`, `workspace/load_data_csv/`, `workspace/metadata/`);\n"
               "  channels ch1 Mito, ch2 AGP, ch3 RNA, ch4 ER, ch5 DNA (CPJUMP1 source_4 order).\n"
               "- Illumination functions (`images/phantom_batch/illum/`) are the vignetting the raw images were\n"
               "  multiplied by; dividing by them (CellProfiler \"Divide\") restores the rendered intensities.\n\n"
               "Regenerate with: `cprecon-cli phantom --out DIR --plates %2 --wells %3 --sites %5 --seed %1 --size %6 "
               "--compounds %7 --inactive-fraction %9`\n")
        .arg(d.spec.seed)
        .arg(d.spec.plates)
        .arg(d.spec.wells)
        .arg(d.dmsoWells)
        .arg(d.spec.sites)
        .arg(d.spec.size)
        .arg(d.spec.compounds)
        .arg(d.replicatesPerPlate)
        .arg(d.spec.inactiveFraction);
}

QString marker(const Design &d)
{
    nlohmann::ordered_json j;
    j["synthetic"] = true;
    j["generator"] = "cprecon-cli phantom";
    j["format_version"] = 1;
    j["warning"] = "PHANTOM - synthetic images, not biology";
    j["seed"] = d.spec.seed;
    j["plates"] = d.spec.plates;
    j["wells"] = d.spec.wells;
    j["sites"] = d.spec.sites;
    j["size"] = d.spec.size;
    j["compounds"] = d.spec.compounds;
    j["inactive_fraction"] = d.spec.inactiveFraction;
    j["dmso_wells_per_plate"] = d.dmsoWells;
    j["replicates_per_plate"] = d.replicatesPerPlate;
    j["batch"] = kBatch.toStdString();
    j["platemap"] = kPlatemap.toStdString();
    j["cell_line"] = kCellLine.toStdString();
    j["timepoint_hours"] = kTimepointHours;
    nlohmann::ordered_json barcodes = nlohmann::ordered_json::array();
    for (const QString &b : d.plateBarcodes) barcodes.push_back(b.toStdString());
    j["plate_barcodes"] = barcodes;
    nlohmann::ordered_json channels;
    for (int c = 0; c < 5; ++c) channels[channelStains()[c].toStdString()] = c + 1;
    j["channels"] = channels;
    j["ground_truth"] = "phantom_ground_truth.csv";
    return QString::fromStdString(j.dump(2)) + QLatin1Char('\n');
}

QString loadDataCsv(const Design &d, int plate, bool withIllum)
{
    const QString barcode = d.plateBarcodes[plate];
    const QString imgRel = QStringLiteral("../../../../") + imagesDir(barcode);
    const QString illRel = QStringLiteral("../../../../") + illumDir(barcode);
    QStringList header;
    for (const QString &s : csvStains()) header << QStringLiteral("FileName_Orig") + s << QStringLiteral("PathName_Orig") + s;
    header << QStringLiteral("Metadata_Plate") << QStringLiteral("Metadata_Well") << QStringLiteral("Metadata_Site")
           << QStringLiteral("Metadata_Row") << QStringLiteral("Metadata_Col") << QStringLiteral("Metadata_CellLine")
           << QStringLiteral("Metadata_TimepointHours");
    if (withIllum)
        for (const QString &s : csvStains()) header << QStringLiteral("FileName_Illum") + s << QStringLiteral("PathName_Illum") + s;
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int w = 0; w < d.spec.wells; ++w) {
        const int r = w / d.cols, c = w % d.cols;
        for (int site = 1; site <= d.spec.sites; ++site) {
            QStringList row;
            for (const QString &s : csvStains()) row << phenixFileName(r, c, site, channelOf(s)) << imgRel;
            row << barcode << d.wellName(w) << QString::number(site) << QString::number(r + 1) << QString::number(c + 1)
                << kCellLine << QString::number(kTimepointHours);
            if (withIllum)
                for (const QString &s : csvStains()) row << barcode + QStringLiteral("_Illum") + s + QStringLiteral(".npy") << illRel;
            out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    }
    return out;
}

void writeMetadata(const QString &root, const Design &d)
{
    const QString pm = root + QStringLiteral("/workspace/metadata/platemaps/") + kBatch;
    QString barcodes = QStringLiteral("Assay_Plate_Barcode,Plate_Map_Name\n");
    for (const QString &b : d.plateBarcodes) barcodes += b + QLatin1Char(',') + kPlatemap + QLatin1Char('\n');
    writeText(pm + QStringLiteral("/barcode_platemap.csv"), barcodes);

    QString platemap = QStringLiteral("well_position\tbroad_sample\tsolvent\n");
    for (int w = 0; w < d.spec.wells; ++w) {
        const int c = d.wellCompound[w];
        platemap += d.wellName(w) + QLatin1Char('\t') + (c < 0 ? QString() : d.compounds[c].id) + QStringLiteral("\tDMSO\n");
    }
    writeText(pm + QStringLiteral("/platemap/") + kPlatemap + QStringLiteral(".txt"), platemap);

    // Like JUMP-Target-1_compound_metadata.tsv: compounds with pert_type trt, and the DMSO row (broad_sample NA).
    QString compounds = QStringLiteral("broad_sample\tpert_iname\tpert_type\tcontrol_type\n");
    for (const Compound &c : d.compounds) compounds += c.id + QLatin1Char('\t') + c.name + QStringLiteral("\ttrt\t\n");
    compounds += QStringLiteral("NA\tDMSO\tcontrol\tnegcon\n");
    writeText(root + QStringLiteral("/workspace/metadata/external_metadata/phantom_compound_metadata.tsv"), compounds);

    QString truth = QStringLiteral("broad_sample,pert_iname,active,effect,strength,replicates_per_plate,description\n");
    for (const Compound &c : d.compounds)
        truth += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                     .arg(c.id, c.name, c.active() ? QStringLiteral("1") : QStringLiteral("0"), effectName(c.effect))
                     .arg(c.strength, 0, 'f', 4)
                     .arg(d.replicatesPerPlate)
                     .arg(effectDescription(c.effect));
    writeText(root + QStringLiteral("/phantom_ground_truth.csv"), truth);

    for (int p = 0; p < d.spec.plates; ++p) {
        const QString dir = root + QLatin1Char('/') + loadDataDir(d.plateBarcodes[p]);
        writeText(dir + QStringLiteral("/load_data.csv"), loadDataCsv(d, p, false));
        writeText(dir + QStringLiteral("/load_data_with_illum.csv"), loadDataCsv(d, p, true));
    }
}

void checkOutputFolder(const QString &outDir)
{
    const QDir dir(outDir);
    if (QFileInfo(outDir).exists() && !QFileInfo(outDir).isDir())
        throw Error("output path exists and is not a folder", outDir.toStdString(), "give a new or empty folder to --out");
    if (dir.exists() && !dir.isEmpty() && !QFileInfo::exists(dir.filePath(QStringLiteral("phantom.json"))))
        throw Error("output folder is not empty and is not a phantom screen; refusing to write into it",
                    outDir.toStdString(), "give a new or empty folder to --out");
}

} // namespace

QString phenixFileName(int row, int col, int site, int channel)
{
    return QStringLiteral("r%1c%2f%3p01-ch%4sk1fk1fl1.tiff")
        .arg(row + 1, 2, 10, QLatin1Char('0'))
        .arg(col + 1, 2, 10, QLatin1Char('0'))
        .arg(site, 2, 10, QLatin1Char('0'))
        .arg(channel);
}

QString imagesDir(const QString &plate)
{
    return QStringLiteral("images/") + kBatch + QStringLiteral("/images/") + plate + QStringLiteral("__phantom/Images");
}

QString illumDir(const QString &plate)
{
    return QStringLiteral("images/") + kBatch + QStringLiteral("/illum/") + plate;
}

QString loadDataDir(const QString &plate)
{
    return QStringLiteral("workspace/load_data_csv/") + kBatch + QLatin1Char('/') + plate;
}

GenerateReport generatePhantom(const QString &outDir, const Spec &spec, const std::function<void(int, int)> &progress)
{
    const auto t0 = std::chrono::steady_clock::now();
    checkOutputFolder(outDir);
    GenerateReport rep;
    rep.design = makeDesign(spec);
    const Design &d = rep.design;
    const QString root = QDir(outDir).absolutePath();
    mkdirs(root);
    writeText(root + QStringLiteral("/phantom.json"), marker(d));
    writeText(root + QStringLiteral("/README.md"), readme(d));
    writeMetadata(root, d);

    const int perPlate = d.spec.wells * d.spec.sites;
    const int total = perPlate * d.spec.plates;
    std::atomic<int> done{0};
    std::atomic<qint64> bytes{0};
    const std::vector<int> tiffParams{cv::IMWRITE_TIFF_COMPRESSION, 5}; // 5 = LZW

    for (int p = 0; p < d.spec.plates; ++p) {
        const QString barcode = d.plateBarcodes[p];
        const QString imgDir = root + QLatin1Char('/') + imagesDir(barcode);
        const QString illDir = root + QLatin1Char('/') + illumDir(barcode);
        mkdirs(imgDir);
        mkdirs(illDir);
        std::array<cv::Mat, 5> illum;
        for (int c = 0; c < 5; ++c) {
            const cv::Mat f = illuminationFunction(d, p, c);
            const QString path = illDir + QLatin1Char('/') + barcode + QStringLiteral("_Illum") + channelStains()[c] + QStringLiteral(".npy");
            writeNpy(path, f);
            bytes += QFileInfo(path).size();
            f.convertTo(illum[c], CV_32F);
        }

        // Sites in parallel on the CPU pool (OpenCV's own loops inside share it); each site's bytes depend only on
        // (seed, plate, well, site), never on the thread count.
        try {
            parallelFor(size_t(perPlate), [&](size_t task) {
                const int well = int(task) / d.spec.sites, site = int(task) % d.spec.sites + 1;
                const auto images = renderSite(d, p, well, site, illum);
                for (int c = 0; c < 5; ++c) {
                    const QString path = imgDir + QLatin1Char('/') + phenixFileName(well / d.cols, well % d.cols, site, c + 1);
                    if (!cv::imwrite(QFile::encodeName(path).toStdString(), images[size_t(c)], tiffParams))
                        throw Error("cannot write TIFF", path.toStdString(), "check free disk space and permissions");
                    bytes += QFileInfo(path).size();
                }
                const int n = ++done;
                if (progress) progress(n, total);
            });
        } catch (const std::exception &e) {
            throw Error(std::string("phantom generation failed: ") + e.what(), outDir.toStdString(), "see the message above");
        }
    }
    rep.images = total * 5;
    rep.sites = total;
    rep.bytes = bytes;
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

} // namespace cprecon::phantom
