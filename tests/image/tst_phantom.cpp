// PHANTOM screens (synthetic, not biology): design rules, exact on-disk layout, determinism (same seed -> same
// bytes, independent of the thread count), illumination round trip, and ground truth consistency (every active
// effect is measurable in the images, inactive compounds look like DMSO).
#include "TestSupport.h"
#include "image/ImageReader.h"
#include "image/NpyReader.h"
#include "image/NpyWriter.h"
#include "image/PhantomGenerator.h"
#include "image/PhantomRenderer.h"
#include "util/Error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>

#include <opencv2/imgproc.hpp>

#include <map>

using namespace cprecon;
using namespace cprecon::phantom;

namespace {

QMap<QString, QByteArray> hashTree(const QString &root)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString p = it.next();
        QFile f(p);
        f.open(QIODevice::ReadOnly);
        out.insert(QDir(root).relativeFilePath(p), QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256));
    }
    return out;
}

QStringList readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Per-site features measured on illumination-corrected images, one per effect type.
struct Features {
    double count = 0, nucleusArea = 0, cellArea = 0, mito = 0, dna = 0, erTexture = 0, agpInterior = 0, rnaNuclear = 0;
    double of(Effect e) const
    {
        switch (e) {
        case Effect::NucleusSize: return nucleusArea;
        case Effect::CellCount: return count;
        case Effect::CellSize: return cellArea;
        case Effect::MitoIntensity: return mito;
        case Effect::DnaIntensity: return dna;
        case Effect::ErTexture: return erTexture;
        case Effect::AgpFibres: return agpInterior;
        case Effect::RnaNucleoli: return rnaNuclear;
        case Effect::None: break;
        }
        return 0;
    }
};

Features measure(const std::array<cv::Mat, 5> &raw, const std::array<cv::Mat, 5> &illum)
{
    std::array<cv::Mat, 5> c; // corrected, float
    for (int i = 0; i < 5; ++i) {
        raw[size_t(i)].convertTo(c[size_t(i)], CV_32F);
        c[size_t(i)] /= illum[size_t(i)];
    }
    const cv::Mat &mito = c[0], &agp = c[1], &rna = c[2], &er = c[3], &dna = c[4];
    Features f;
    cv::Mat nuc = dna > 2500, cell = er > 1400;
    cv::Mat labels;
    f.count = cv::connectedComponents(nuc, labels) - 1;
    const double nucArea = cv::countNonZero(nuc), cellArea = cv::countNonZero(cell);
    f.nucleusArea = f.count > 0 ? nucArea / f.count : 0;
    f.cellArea = f.count > 0 ? cellArea / f.count : 0;
    f.dna = cv::mean(dna, nuc)[0];
    f.mito = cv::mean(mito, cell)[0];
    std::vector<float> inNucleus; // nucleoli: the brightest 5 % of RNA inside nuclei
    for (int y = 0; y < rna.rows; ++y)
        for (int x = 0; x < rna.cols; ++x)
            if (nuc.at<uchar>(y, x)) inNucleus.push_back(rna.at<float>(y, x));
    if (!inNucleus.empty()) {
        auto k = inNucleus.begin() + long(inNucleus.size() * 95 / 100);
        std::nth_element(inNucleus.begin(), k, inNucleus.end());
        f.rnaNuclear = *k;
    }
    cv::Mat interior;
    cv::erode(cell, interior, cv::getStructuringElement(cv::MORPH_ELLIPSE, {13, 13}));
    f.agpInterior = cv::mean(agp, interior & ~nuc)[0];
    cv::Mat smooth;
    cv::GaussianBlur(er, smooth, {0, 0}, 3.0);
    cv::Mat diff = er - smooth;
    cv::Scalar mean, sd;
    cv::meanStdDev(diff, mean, sd, interior & ~nuc);
    f.erTexture = sd[0] / std::max(1.0, cv::mean(er, interior & ~nuc)[0]);
    return f;
}

} // namespace

class TestPhantom : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void designRules()
    {
        for (int wells : {96, 384}) {
            Spec s;
            s.wells = wells;
            s.plates = 3;
            s.seed = 11;
            const Design d = makeDesign(s);
            QCOMPARE(d.plateBarcodes, (QStringList{"PHANTOM-P01", "PHANTOM-P02", "PHANTOM-P03"}));
            const int base = wells == 384 ? 32 : 8;
            QVERIFY(d.dmsoWells >= base);
            QCOMPARE(d.spec.compounds, (wells - base) / 2);
            QCOMPARE(d.replicatesPerPlate, 2);
            // DMSO spread: every row and at least `rows` distinct columns hold DMSO
            QSet<int> rows, cols;
            QMap<int, int> perCompound;
            for (int w = 0; w < wells; ++w) {
                if (d.wellCompound[w] == -1) { rows << w / d.cols; cols << w % d.cols; }
                else ++perCompound[d.wellCompound[w]];
            }
            QCOMPARE(rows.size(), d.rows);
            QVERIFY(cols.size() >= std::min(d.rows, d.cols));
            QCOMPARE(perCompound.size(), d.spec.compounds);
            for (int n : perCompound) QCOMPARE(n, d.replicatesPerPlate);
            // documented inactive fraction, ids
            int inactive = 0;
            for (const auto &c : d.compounds) inactive += c.active() ? 0 : 1;
            QCOMPARE(inactive, int(std::lround(0.25 * d.spec.compounds)));
            QCOMPARE(d.compounds.front().id, QStringLiteral("PHANTOM-CPD-001"));
            for (const auto &c : d.compounds) QVERIFY(c.active() == (c.strength != 0));
        }
        Spec bad;
        bad.wells = 100;
        QVERIFY_THROWS_EXCEPTION(Error, makeDesign(bad));
        bad.wells = 96;
        bad.compounds = 89;
        QVERIFY_THROWS_EXCEPTION(Error, makeDesign(bad));
        Spec few;
        few.wells = 96;
        few.compounds = 10; // 8 replicates each, leftover wells become DMSO
        const Design d = makeDesign(few);
        QCOMPARE(d.replicatesPerPlate, 8);
        QCOMPARE(d.dmsoWells, 96 - 80);
    }

    void layoutAndDeterminism()
    {
        QTemporaryDir a, b, c;
        Spec s;
        s.plates = 2;
        s.wells = 96;
        s.sites = 1;
        s.seed = 5;
        s.size = 96;
        const GenerateReport ra = test::withThreads(3, [&] { return generatePhantom(a.filePath(QStringLiteral("ph")), s); });
        QCOMPARE(ra.images, 2 * 96 * 5);
        test::withThreads(1, [&] { return generatePhantom(b.filePath(QStringLiteral("ph")), s); });
        const auto ha = hashTree(a.filePath(QStringLiteral("ph"))), hb = hashTree(b.filePath(QStringLiteral("ph")));
        QCOMPARE(ha.size(), 2 * 96 * 5 + 2 * 5 + 2 * 2 + 6);
        QVERIFY(ha == hb); // same seed -> same bytes, whatever the thread count
        s.seed = 6;
        generatePhantom(c.filePath(QStringLiteral("ph")), s);
        const auto hc = hashTree(c.filePath(QStringLiteral("ph")));
        const QString img = QStringLiteral("images/phantom_batch/images/PHANTOM-P01__phantom/Images/r01c01f01p01-ch5sk1fk1fl1.tiff");
        QVERIFY(ha.contains(img));
        QVERIFY(ha[img] != hc[img]);

        // the exact layout the screen loader expects
        const QString root = a.filePath(QStringLiteral("ph"));
        for (const QString &rel : {QStringLiteral("phantom.json"), QStringLiteral("README.md"), QStringLiteral("phantom_ground_truth.csv"),
                                   QStringLiteral("images/phantom_batch/illum/PHANTOM-P02/PHANTOM-P02_IllumMito.npy"),
                                   QStringLiteral("images/phantom_batch/images/PHANTOM-P02__phantom/Images/r08c12f01p01-ch1sk1fk1fl1.tiff"),
                                   QStringLiteral("workspace/load_data_csv/phantom_batch/PHANTOM-P01/load_data.csv"),
                                   QStringLiteral("workspace/load_data_csv/phantom_batch/PHANTOM-P01/load_data_with_illum.csv"),
                                   QStringLiteral("workspace/metadata/platemaps/phantom_batch/barcode_platemap.csv"),
                                   QStringLiteral("workspace/metadata/platemaps/phantom_batch/platemap/phantom_platemap.txt"),
                                   QStringLiteral("workspace/metadata/external_metadata/phantom_compound_metadata.tsv")})
            QVERIFY2(QFile::exists(QDir(root).filePath(rel)), qPrintable(rel));
        QVERIFY(readLines(QDir(root).filePath(QStringLiteral("README.md"))).front().contains(QStringLiteral("PHANTOM — synthetic images, not biology")));

        // images: 16-bit, LZW (TIFF tag 259 = 5), realistic range
        const cv::Mat dna = readImageFile(QDir(root).filePath(img));
        QCOMPARE(dna.type(), CV_16UC1);
        QCOMPARE(dna.size(), cv::Size(96, 96));
        double mn, mx;
        cv::minMaxLoc(dna, &mn, &mx);
        QVERIFY(mn > 100 && mx < 40000);

        // load_data: every row's files exist when resolved relative to the CSV's folder
        const QString csvDir = QDir(root).filePath(QStringLiteral("workspace/load_data_csv/phantom_batch/PHANTOM-P01"));
        const QStringList lines = readLines(csvDir + QStringLiteral("/load_data_with_illum.csv"));
        QCOMPARE(lines.size(), 1 + 96);
        const QStringList header = lines[0].split(QLatin1Char(','));
        for (const char *col : {"Metadata_Plate", "Metadata_Well", "Metadata_Site", "Metadata_CellLine", "Metadata_TimepointHours",
                                "FileName_OrigMito", "PathName_OrigDNA", "FileName_IllumER", "PathName_IllumAGP"})
            QVERIFY2(header.contains(QLatin1String(col)), col);
        const QStringList row = lines[1].split(QLatin1Char(','));
        QCOMPARE(row[header.indexOf(QStringLiteral("Metadata_Well"))], QStringLiteral("A01"));
        QCOMPARE(row[header.indexOf(QStringLiteral("FileName_OrigMito"))], QStringLiteral("r01c01f01p01-ch1sk1fk1fl1.tiff"));
        QCOMPARE(row[header.indexOf(QStringLiteral("FileName_OrigDNA"))], QStringLiteral("r01c01f01p01-ch5sk1fk1fl1.tiff"));
        for (const QString &stain : {"DNA", "ER", "RNA", "AGP", "Mito"}) {
            const QString f = QDir(csvDir).filePath(row[header.indexOf("PathName_Orig" + stain)] + "/" + row[header.indexOf("FileName_Orig" + stain)]);
            QVERIFY2(QFile::exists(f), qPrintable(f));
            const QString il = QDir(csvDir).filePath(row[header.indexOf("PathName_Illum" + stain)] + "/" + row[header.indexOf("FileName_Illum" + stain)]);
            QVERIFY2(QFile::exists(il), qPrintable(il));
        }
        QCOMPARE(readLines(csvDir + QStringLiteral("/load_data.csv"))[0].contains(QStringLiteral("Illum")), false);

        // platemap: DMSO rows have an empty broad_sample
        const QStringList pm = readLines(QDir(root).filePath(QStringLiteral("workspace/metadata/platemaps/phantom_batch/platemap/phantom_platemap.txt")));
        QCOMPARE(pm[0], QStringLiteral("well_position\tbroad_sample\tsolvent"));
        QCOMPARE(pm.size(), 97);
        int empty = 0;
        for (int i = 1; i < pm.size(); ++i) empty += pm[i].split(QLatin1Char('\t'))[1].isEmpty() ? 1 : 0;
        QCOMPARE(empty, ra.design.dmsoWells);

        // refuses to write into a folder holding something else
        QTemporaryDir other;
        QFile(other.filePath(QStringLiteral("data.txt"))).open(QIODevice::WriteOnly);
        QVERIFY_THROWS_EXCEPTION(Error, generatePhantom(other.path(), s));
        // but regenerates over a previous phantom
        generatePhantom(c.filePath(QStringLiteral("ph")), s);
    }

    void groundTruthFileMatchesDesign()
    {
        QTemporaryDir t;
        Spec s;
        s.wells = 96;
        s.size = 64;
        s.seed = 9;
        const GenerateReport r = generatePhantom(t.filePath(QStringLiteral("ph")), s);
        const QStringList gt = readLines(t.filePath(QStringLiteral("ph/phantom_ground_truth.csv")));
        QCOMPARE(gt[0], QStringLiteral("broad_sample,pert_iname,active,effect,strength,replicates_per_plate,description"));
        QCOMPARE(gt.size() - 1, r.design.compounds.size());
        const QStringList meta = readLines(t.filePath(QStringLiteral("ph/workspace/metadata/external_metadata/phantom_compound_metadata.tsv")));
        const QStringList pm = readLines(t.filePath(QStringLiteral("ph/workspace/metadata/platemaps/phantom_batch/platemap/phantom_platemap.txt")));
        int active = 0;
        for (int i = 1; i < gt.size(); ++i) {
            const QStringList v = gt[i].split(QLatin1Char(','));
            const Compound &c = r.design.compounds[i - 1];
            QCOMPARE(v[0], c.id);
            QCOMPARE(v[2] == QLatin1String("1"), c.active());
            QCOMPARE(v[3], effectName(c.effect));
            QVERIFY(std::abs(v[4].toDouble() - c.strength) < 1e-4);
            active += c.active();
            // every compound is in the compound metadata and on the platemap replicatesPerPlate times
            QVERIFY(meta.contains(c.id + QStringLiteral("\t") + c.name + QStringLiteral("\ttrt\t")));
            int onPlate = 0;
            for (const QString &line : pm) onPlate += line.split(QLatin1Char('\t')).value(1) == c.id ? 1 : 0;
            QCOMPARE(onPlate, r.design.replicatesPerPlate);
        }
        QCOMPARE(active, r.design.compounds.size() - int(std::lround(0.25 * r.design.compounds.size())));
        QVERIFY(meta.contains(QStringLiteral("NA\tDMSO\tcontrol\tnegcon")));
        const QStringList json = readLines(t.filePath(QStringLiteral("ph/phantom.json")));
        QVERIFY(json.join(' ').contains(QStringLiteral("\"synthetic\": true")));
        QVERIFY(json.join(' ').contains(QStringLiteral("\"generator\": \"cprecon-cli phantom\"")));
        QVERIFY(json.join(' ').contains(QStringLiteral("\"seed\": 9")));
    }

    void illuminationRoundTrip()
    {
        // Raw = truth x function: the background at the corners of raw images is darker than at the centre by the
        // function's ratio; after division by the written .npy it is flat again.
        QTemporaryDir t;
        Spec s;
        s.wells = 96;
        s.size = 256;
        s.seed = 4;
        const Design d = makeDesign(s);
        std::array<cv::Mat, 5> illum;
        for (int c = 0; c < 5; ++c) illuminationFunction(d, 0, c).convertTo(illum[size_t(c)], CV_32F);
        const cv::Mat f64 = illuminationFunction(d, 0, 4);
        writeNpy(t.filePath(QStringLiteral("f.npy")), f64);
        QCOMPARE(cv::norm(readNpy(t.filePath(QStringLiteral("f.npy"))), f64, cv::NORM_INF), 0.0);
        double mn, mx;
        cv::minMaxLoc(f64, &mn, &mx);
        QVERIFY(mn > 0.6 && mx <= 1.0 && mx > 0.98);
        // background = 10th percentile of 32x32 patches, averaged over the DMSO wells
        double rawCorner = 0, rawCentre = 0, corCorner = 0, corCentre = 0;
        int n = 0;
        const cv::Rect corner(0, 0, 32, 32), centre(112, 112, 32, 32);
        auto p10 = [](const cv::Mat &m) {
            cv::Mat v = m.clone().reshape(1, 1);
            cv::sort(v, v, cv::SORT_ASCENDING);
            return double(v.at<float>(0, int(v.cols * 0.1)));
        };
        for (int w = 0; w < d.spec.wells; ++w) {
            if (d.wellCompound[w] != -1) continue;
            const auto imgs = renderSite(d, 0, w, 1, illum);
            cv::Mat raw, cor;
            imgs[4].convertTo(raw, CV_32F);
            cor = raw / illum[4];
            rawCorner += p10(raw(corner));
            rawCentre += p10(raw(centre));
            corCorner += p10(cor(corner));
            corCentre += p10(cor(centre));
            ++n;
        }
        const double fCorner = cv::mean(f64(corner))[0] / cv::mean(f64(centre))[0];
        QVERIFY(fCorner < 0.9);
        QVERIFY2(std::abs(rawCorner / rawCentre - fCorner) < 0.05, qPrintable(QString::number(rawCorner / rawCentre)));
        QVERIFY2(std::abs(corCorner / corCentre - 1.0) < 0.05, qPrintable(QString::number(corCorner / corCentre)));
    }

    void groundTruthEffectsAreMeasurable()
    {
        Spec s;
        s.wells = 384;
        s.size = 320;
        s.seed = 21;
        s.compounds = 80; // 4 replicates per plate, 20 inactive
        const Design d = makeDesign(s);
        std::array<cv::Mat, 5> illum;
        for (int c = 0; c < 5; ++c) illuminationFunction(d, 0, c).convertTo(illum[size_t(c)], CV_32F);
        std::vector<Features> f(size_t(d.spec.wells));
        for (int w = 0; w < d.spec.wells; ++w) f[size_t(w)] = measure(renderSite(d, 0, w, 1, illum), illum);

        const Effect kinds[] = {Effect::NucleusSize, Effect::CellCount, Effect::CellSize, Effect::MitoIntensity,
                                Effect::DnaIntensity, Effect::ErTexture, Effect::AgpFibres, Effect::RnaNucleoli};
        for (Effect e : kinds) {
            std::vector<double> dmso;
            for (int w = 0; w < d.spec.wells; ++w)
                if (d.wellCompound[w] == -1) dmso.push_back(f[size_t(w)].of(e));
            double mu = 0, sd = 0;
            for (double v : dmso) mu += v;
            mu /= double(dmso.size());
            for (double v : dmso) sd += (v - mu) * (v - mu);
            sd = std::sqrt(sd / double(dmso.size() - 1));
            // active compounds of this effect: signed shift in DMSO standard deviations, pooled over their wells
            double signedShift = 0, inactiveShift = 0;
            int nActive = 0, nInactive = 0;
            for (int w = 0; w < d.spec.wells; ++w) {
                const int c = d.wellCompound[w];
                if (c < 0) continue;
                const Compound &cp = d.compounds[c];
                const double z = (f[size_t(w)].of(e) - mu) / sd;
                if (cp.effect == e) { signedShift += (cp.strength > 0 ? z : -z); ++nActive; }
                if (!cp.active()) { inactiveShift += z; ++nInactive; }
            }
            QVERIFY(nActive >= 8);
            const double activeSe = signedShift / nActive * std::sqrt(double(nActive));
            const double inactiveSe = inactiveShift / nInactive / std::sqrt(1.0 / nInactive + 1.0 / double(dmso.size()));
            qInfo("%s: active shift %.2f SE (%d wells), inactive %.2f SE (%d wells)", qPrintable(effectName(e)),
                  activeSe, nActive, inactiveSe, nInactive);
            QVERIFY2(activeSe > 4.0, qPrintable(effectName(e)));
            QVERIFY2(std::abs(inactiveSe) < 3.5, qPrintable(effectName(e)));
        }
    }
};

QTEST_GUILESS_MAIN(TestPhantom)
#include "tst_phantom.moc"
