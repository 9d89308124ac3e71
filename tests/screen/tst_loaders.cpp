// openScreen on every real layout in the shared data folder (CPJUMP1 / JUMP / pediatric atlas / nf-core /
// BBBC022 / natural photos), plus CV8000 names, gz CSVs and phantom-style trees built in temp folders.
#include "ScreenTestUtil.h"
#include "TestSupport.h"

#include "screen/ScreenOpener.h"
#include "screen/CsvTable.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cprecon;

namespace {

const Problem *findProblem(const Screen &s, const QString &needle)
{
    for (const auto &p : s.problems)
        if (p.message.contains(needle) || p.fix.contains(needle)) return &p;
    return nullptr;
}

QString dump(const Screen &s)
{
    QStringList l;
    for (const auto &p : s.problems) l << p.toString();
    return l.join(QLatin1Char('\n'));
}

int countMissing(const Screen &s)
{
    int n = 0;
    for (const auto &p : s.plates)
        for (const auto &w : p.wells)
            for (const auto &site : w.sites)
                for (const auto &c : site.channels) n += c.missing ? 1 : 0;
    return n;
}

// Expected source_4 channel numbers (CPJUMP1 / cpg0016 Phenix): Mito 1, AGP 2, RNA 3, ER 4, DNA 5, BF_H 6, BF_L 7, BF 8.
void checkSource4Site(const Site *site)
{
    QVERIFY(site);
    QCOMPARE(site->channels.size(), 8);
    const QMap<QString, int> expected{{"Mito", 1}, {"AGP", 2}, {"RNA", 3}, {"ER", 4}, {"DNA", 5},
                                      {"Brightfield_H", 6}, {"Brightfield_L", 7}, {"Brightfield", 8}};
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const ChannelImage *c = site->channel(it.key());
        QVERIFY2(c, qPrintable(it.key()));
        QCOMPARE(c->channelNumber, it.value());
        QVERIFY2(c->path.endsWith(QStringLiteral("r01c01f01p01-ch%1sk1fk1fl1.tiff").arg(it.value())), qPrintable(c->path));
        QVERIFY2(QFileInfo::exists(c->path), qPrintable(c->path));
        QVERIFY(!c->missing);
    }
}

} // namespace

class TestLoaders : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void wellNamesAreOneOrTwoAsciiLetters()
    {
        int r = -1, c = -1;
        QVERIFY(parseWellName(QStringLiteral("B07"), r, c) && r == 1 && c == 6);
        QVERIFY(parseWellName(QStringLiteral("af48"), r, c) && r == 31 && c == 47); // 1536 wells
        // Found by fuzzing platemaps: a long letter prefix overflowed the row number (undefined behaviour).
        QVERIFY(!parseWellName(QStringLiteral("AAAAAAAAAAAA01"), r, c));
        QVERIFY(!parseWellName(QStringLiteral("ABC01"), r, c));
        QVERIFY(!parseWellName(QStringLiteral("\u00c901"), r, c)); // a non-ASCII letter
    }
    void cpjump1LoadData()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/cpjump1_BR00117010_A01_s1"));
        // a copy outside the data tree: nothing but the folder's own load_data.csv describes it
        QTemporaryDir tmp;
        const QString d = tmp.filePath("cpjump1");
        QVERIFY(test::linkFiles(dir, d, {"*.tiff", "load_data.csv"}) == 9);
        const Screen s = openScreen(d);
        QCOMPARE(s.kind, ScreenKind::LoadDataCsv);
        QVERIFY(!s.synthetic);
        QCOMPARE(s.plates.size(), 1);
        const Plate &p = s.plates[0];
        QCOMPARE(p.barcode, QStringLiteral("BR00117010"));
        QCOMPARE(p.wells.size(), 1);
        QCOMPARE(p.format, PlateFormat::Wells96); // only A01 seen, no plate map here
        QCOMPARE(p.metadata.value("Batch"), QStringLiteral("2020_11_04_CPJUMP1"));
        checkSource4Site(s.site("BR00117010", "A01", 1));
        const Well *w = p.well("A01");
        QCOMPARE(w->meta.perturbationId, QStringLiteral("BRD-A86665761-001-01-1"));
        QCOMPARE(w->meta.perturbationName, QStringLiteral("gabapentin-enacarbil"));
        QCOMPARE(w->meta.cellLine, QStringLiteral("U2OS"));
        QCOMPARE(w->meta.timePoint, QStringLiteral("48"));
        QCOMPARE(w->meta.control, ControlType::Treatment);
        QVERIFY2(s.problems.isEmpty(), qPrintable(dump(s)));
    }

    void cpjump1PlatemapJoin()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/cpjump1_BR00117010_A01_s1"));
        CPRECON_REQUIRE_PATH(meta, test::data("cpjump1_metadata"));
        QTemporaryDir tmp;
        const QString d = tmp.filePath("cpjump1");
        test::linkFiles(dir, d, {"*.tiff", "load_data.csv"});
        OpenOptions o;
        o.metadataDirs << meta;
        const Screen s = openScreen(d, o);
        const Plate *p = s.plate("BR00117010");
        QVERIFY(p);
        QCOMPARE(p->platemapName, QStringLiteral("JUMP-Target-1_compound_platemap"));
        QCOMPARE(p->format, PlateFormat::Wells384);
        QCOMPARE(p->wells.size(), 384); // plate-map wells without images still exist
        QCOMPARE(p->metadata.value("Cell_type"), QStringLiteral("U2OS"));
        QCOMPARE(p->metadata.value("Time"), QStringLiteral("48"));
        const Well *a01 = p->well("A01");
        QCOMPARE(a01->meta.perturbationId, QStringLiteral("BRD-A86665761-001-01-1"));
        QCOMPARE(a01->meta.perturbationName, QStringLiteral("gabapentin-enacarbil")); // from JUMP-Target-1_compound_metadata.tsv
        QCOMPARE(a01->meta.control, ControlType::Treatment);
        QCOMPARE(a01->sites.size(), 1);
        const Well *a02 = p->well("A02");
        QVERIFY(a02);
        QCOMPARE(a02->meta.control, ControlType::NegativeControl);
        QCOMPARE(a02->meta.perturbationName, QStringLiteral("DMSO"));
        QVERIFY(a02->sites.isEmpty());
        QCOMPARE(a02->meta.cellLine, QStringLiteral("U2OS"));
        int neg = 0, pos = 0;
        for (const auto &w : p->wells) {
            neg += w.meta.control == ControlType::NegativeControl;
            pos += w.meta.control == ControlType::PositiveControl;
        }
        QCOMPARE(neg, 64); // 64 empty broad_sample wells in JUMP-Target-1_compound_platemap
        QVERIFY(pos > 0);
        // a positive control straight from the compound metadata (control_type poscon_*)
        bool sawPoscon = false;
        for (const auto &w : p->wells)
            if (w.meta.control == ControlType::PositiveControl) {
                QVERIFY(w.meta.controlTypeRaw.startsWith("poscon"));
                sawPoscon = true;
            }
        QVERIFY(sawPoscon);
    }

    void cpjump1NearbyMetadataFound()
    {
        // opened in place, the shared data's cpjump1_metadata folder (a sibling of cellpainting/) is found on its own
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/cpjump1_BR00117010_A01_s1"));
        const Screen s = openScreen(dir);
        QCOMPARE(s.plates.size(), 1);
        QCOMPARE(s.plates[0].platemapName, QStringLiteral("JUMP-Target-1_compound_platemap"));
        QCOMPARE(s.plates[0].well("A02")->meta.control, ControlType::NegativeControl);
    }

    void jumpCpg0016Folder()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1"));
        const Screen s = openScreen(dir);
        QCOMPARE(s.plates.size(), 1);
        checkSource4Site(s.site("BR00117035", "A01", 1));
        const Well *w = s.plates[0].well("A01");
        QCOMPARE(w->meta.perturbationId, QStringLiteral("ccsbBroad304_05979"));
        QCOMPARE(w->meta.perturbationType, QStringLiteral("orf"));
        QCOMPARE(w->meta.control, ControlType::Treatment);
        // the URL-flavour copies in original_load_data_csv/ describe the same site: the local copy wins, said once
        QVERIFY2(findProblem(s, "also described by"), qPrintable(dump(s)));
        QCOMPARE(countMissing(s), 0);
    }

    void urlFlavourWithMirror()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1"));
        QTemporaryDir tmp;
        const QString mirror = tmp.filePath("mirror");
        const QString images = mirror + "/cpg0016-jump/source_4/images/2021_04_26_Batch1/images/"
                                        "BR00117035__2021-05-02T16_02_51-Measurement1/Images";
        QCOMPARE(test::linkFiles(dir, images, {"*.tiff"}), 8);
        OpenOptions o;
        o.dataRoot = mirror;
        const Screen s = openScreen(dir + "/original_load_data_csv/load_data.csv", o);
        QCOMPARE(s.kind, ScreenKind::LoadDataCsv);
        const Site *site = s.site("BR00117035", "A01", 1);
        checkSource4Site(site);
        QVERIFY(site->channel("DNA")->path.startsWith(images));
        QCOMPARE(s.plates[0].metadata.value("Source"), QStringLiteral("source_4"));
        QVERIFY2(s.problems.isEmpty(), qPrintable(dump(s)));

        // with_illum flavour: the images resolve, the absent .npy files are warnings, never errors
        const Screen si = openScreen(dir + "/original_load_data_csv/load_data_with_illum.csv", o);
        checkSource4Site(si.site("BR00117035", "A01", 1));
        const Problem *illum = findProblem(si, "illumination function not found");
        QVERIFY(illum);
        QCOMPARE(illum->severity, Problem::Severity::Warning);
        // once the mirror holds the illumination functions, they are attached
        const QString illumDir = mirror + "/cpg0016-jump/source_4/images/2021_04_26_Batch1/illum/BR00117035";
        for (const char *st : {"DNA", "ER", "RNA", "AGP", "Mito", "Brightfield", "Brightfield_L", "Brightfield_H"})
            QVERIFY(test::writeFile(illumDir + QStringLiteral("/BR00117035_Illum%1.npy").arg(st), "x"));
        const Screen s2 = openScreen(dir + "/original_load_data_csv/load_data_with_illum.csv", o);
        QCOMPARE(s2.site("BR00117035", "A01", 1)->channel("DNA")->illumPath, illumDir + "/BR00117035_IllumDNA.npy");
        QVERIFY2(s2.problems.isEmpty(), qPrintable(dump(s2)));
    }

    void urlFlavourWithoutMirror()
    {
        CPRECON_REQUIRE_PATH(csv, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1/original_load_data_csv/load_data.csv"));
        const Screen s = openScreen(csv); // loads, but every image is a named problem
        QCOMPARE(s.plates.size(), 1);
        QCOMPARE(countMissing(s), 8);
        const Problem *p = findProblem(s, "not in the local mirror");
        QVERIFY2(p, qPrintable(dump(s)));
        QVERIFY(p->message.contains("s3://cellpainting-gallery/cpg0016-jump/source_4/images/"));
        QVERIFY(p->message.contains("expected at cpg0016-jump/source_4/images/"));
        QVERIFY(p->fix.contains("mirror root"));
        QCOMPARE(p->row, 1L);
        QCOMPARE(p->severity, Problem::Severity::Error);
        // a mirror root that lacks the file: the expected local path is under it
        QTemporaryDir tmp;
        OpenOptions o;
        o.dataRoot = tmp.path();
        const Screen s2 = openScreen(csv, o);
        const Problem *p2 = findProblem(s2, "not in the local mirror");
        QVERIFY(p2);
        QVERIFY(p2->message.contains(tmp.path() + "/cpg0016-jump/source_4/"));
    }

    void pediatricAtlasReRooted()
    {
        CPRECON_REQUIRE_PATH(csv, test::data("load_data_examples/pediatric_atlas_BR00143977_loaddata_with_illum_head.csv"));
        QTemporaryDir tmp;
        const QString root = tmp.filePath("mydisk");
        const QString images = root + "/BR00143977__2024-07-17T20_25_12-Measurement 2/Images";
        for (int f : {2, 3, 4})
            for (int ch = 1; ch <= 6; ++ch)
                QVERIFY(test::writeFile(images + QStringLiteral("/r03c03f%1p01-ch%2sk1fk1fl1.tiff").arg(f, 2, 10, QLatin1Char('0')).arg(ch), ""));
        for (const char *st : {"DNA", "ER", "RNA", "AGP", "Mito", "Brightfield"})
            QVERIFY(test::writeFile(root + QStringLiteral("/illum_directory/BR00143977/BR00143977_Illum%1.npy").arg(st), ""));
        QVERIFY(test::linkFile(csv, tmp.filePath("csvs/BR00143977_with_illum.csv")));
        OpenOptions o;
        o.dataRoot = root;
        const Screen s = openScreen(tmp.filePath("csvs/BR00143977_with_illum.csv"), o);
        QVERIFY2(s.problems.isEmpty(), qPrintable(dump(s)));
        const Plate *p = s.plate("BR00143977");
        QVERIFY(p);
        QCOMPARE(p->wells.size(), 1);
        QCOMPARE(p->well("C03")->sites.size(), 3);
        const Site *site = s.site("BR00143977", "C03", 2);
        QVERIFY(site);
        // this re-imaged plate's order differs from the project default: ER 2, Mito 3, AGP 4, RNA 5, DNA 6, BF 1
        const QMap<QString, int> expected{{"ER", 2}, {"Mito", 3}, {"AGP", 4}, {"RNA", 5}, {"DNA", 6}, {"Brightfield", 1}};
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const ChannelImage *c = site->channel(it.key());
            QVERIFY2(c, qPrintable(it.key()));
            QCOMPARE(c->channelNumber, it.value());
            QCOMPARE(c->path, images + QStringLiteral("/r03c03f02p01-ch%1sk1fk1fl1.tiff").arg(it.value()));
            QCOMPARE(c->illumPath, root + QStringLiteral("/illum_directory/BR00143977/BR00143977_Illum%1.npy").arg(it.key()));
        }
        QCOMPARE(p->metadata.value("Reimaged"), QStringLiteral("True"));

        // without a data root the absolute paths cannot be re-rooted: named problems, the plate still loads
        const Screen s2 = openScreen(tmp.filePath("csvs/BR00143977_with_illum.csv"));
        QCOMPARE(countMissing(s2), 18);
        const Problem *m = findProblem(s2, "image file not found: /media/18tbdrive/");
        QVERIFY2(m, qPrintable(dump(s2)));
        QVERIFY(m->fix.contains("--data-root"));

        // a CSV stored inside the data tree re-roots against its own folder, no option needed
        QVERIFY(test::linkFile(csv, root + "/load_data_with_illum.csv"));
        const Screen s3 = openScreen(root + "/load_data_with_illum.csv");
        QCOMPARE(countMissing(s3), 0);
        QCOMPARE(s3.site("BR00143977", "C03", 4)->channel("DNA")->channelNumber, 6);
    }

    void reRootByUniqueFileName()
    {
        // images copied into an unrelated folder layout: found by file name when each name is in one folder only
        CPRECON_REQUIRE_PATH(csv, test::data("load_data_examples/pediatric_atlas_BR00143977_loaddata_head.csv"));
        QTemporaryDir tmp;
        const QString flat = tmp.filePath("data/my_copy/plate_977");
        for (int f : {2, 3, 4})
            for (int ch = 1; ch <= 6; ++ch)
                QVERIFY(test::writeFile(flat + QStringLiteral("/r03c03f%1p01-ch%2sk1fk1fl1.tiff").arg(f, 2, 10, QLatin1Char('0')).arg(ch), ""));
        OpenOptions o;
        o.dataRoot = tmp.filePath("data");
        const Screen s = openScreen(csv, o);
        QCOMPARE(countMissing(s), 0);
        QCOMPARE(s.site("BR00143977", "C03", 3)->channel("RNA")->path, flat + "/r03c03f03p01-ch5sk1fk1fl1.tiff");
        // the same names in a second folder: ambiguous, so not guessed
        const QString other = tmp.filePath("data/other_plate");
        for (int f : {2, 3, 4})
            for (int ch = 1; ch <= 6; ++ch)
                QVERIFY(test::writeFile(other + QStringLiteral("/r03c03f%1p01-ch%2sk1fk1fl1.tiff").arg(f, 2, 10, QLatin1Char('0')).arg(ch), ""));
        const Screen s2 = openScreen(csv, o);
        QCOMPARE(countMissing(s2), 18);
    }

    void pediatricPlainHead()
    {
        CPRECON_REQUIRE_PATH(csv, test::data("load_data_examples/pediatric_atlas_BR00143977_loaddata_head.csv"));
        const Screen s = openScreen(csv);
        const Site *site = s.site("BR00143977", "C03", 3);
        QVERIFY(site);
        QCOMPARE(site->channel("DNA")->channelNumber, 6);
        QCOMPARE(site->channel("Mito")->channelNumber, 3);
        QCOMPARE(site->channel("AGP")->channelNumber, 4);
        QCOMPARE(countMissing(s), 18);
    }

    void nfcoreSheet()
    {
        CPRECON_REQUIRE_PATH(sheet, test::data("load_data_examples/nfcore_cellpainting_samplesheet_BR00117035.csv"));
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1"));
        QTemporaryDir tmp;
        const QString images = tmp.path() + "/cpg0016-jump/source_4/images/2021_04_26_Batch1/images/"
                                            "BR00117035__2021-05-02T16_02_51-Measurement1/Images";
        test::linkFiles(dir, images, {"*.tiff"});
        OpenOptions o;
        o.dataRoot = tmp.path();
        const Screen s = openScreen(sheet, o);
        QCOMPARE(s.kind, ScreenKind::NfCoreSheet);
        QCOMPARE(s.plates.size(), 1);
        const Plate &p = s.plates[0];
        QCOMPARE(p.barcode, QStringLiteral("BR00117035"));
        QCOMPARE(p.wells.size(), 3);
        for (const char *w : {"A01", "A02", "B01"}) QCOMPARE(p.well(w)->sites.size(), 2);
        checkSource4Site(s.site("BR00117035", "A01", 1));
        QCOMPARE(countMissing(s), 40); // only A01 site 1 exists locally
        QCOMPARE(s.site("BR00117035", "B01", 2)->channels.size(), 8);
        QVERIFY(findProblem(s, "not in the local mirror"));
        QCOMPARE(p.metadata.value("Batch"), QStringLiteral("2021_04_26_Batch1"));
    }

    void phenixFolderScan()
    {
        for (const char *sub : {"cellpainting/cpjump1_BR00117010_A01_s1", "cellpainting/jump_cpg0016_BR00117035_A01_s1"}) {
            CPRECON_REQUIRE_PATH(dir, test::data(sub));
            QTemporaryDir tmp;
            const QString barcode = QString(sub).contains("117010") ? "BR00117010" : "BR00117035";
            const QString d = tmp.filePath(barcode + "__2021-05-02T16_02_51-Measurement1/Images");
            QCOMPARE(test::linkFiles(dir, d, {"*.tiff"}), 8);
            const Screen s = openScreen(tmp.path());
            QCOMPARE(s.kind, ScreenKind::FolderScan);
            QCOMPARE(s.plates.size(), 1);
            QCOMPARE(s.plates[0].barcode, barcode);
            checkSource4Site(s.site(barcode, "A01", 1));
            // defaults are never applied silently
            const Problem *w = findProblem(s, "CPJUMP1 / JUMP source_4");
            QVERIFY2(w, qPrintable(dump(s)));
            QCOMPARE(w->severity, Problem::Severity::Warning);
            QVERIFY(w->message.contains("ch1 Mito"));
        }
    }

    void phenixOverrideAndMappingFile()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/cpjump1_BR00117010_A01_s1"));
        QTemporaryDir tmp;
        const QString d = tmp.filePath("plate1");
        test::linkFiles(dir, d, {"*.tiff"});
        OpenOptions o;
        o.stainOverride.insert("1", "AGP");
        o.stainOverride.insert("2", "Mito");
        const Screen s = openScreen(d, o);
        const Site *site = s.site("plate1", "A01", 1);
        QCOMPARE(site->channel("AGP")->channelNumber, 1);
        QCOMPARE(site->channel("Mito")->channelNumber, 2);
        QCOMPARE(site->channel("DNA")->channelNumber, 5);
        // a channel_mapping.csv next to the images replaces the defaults (and no defaults warning)
        QVERIFY(test::writeFile(d + "/channel_mapping.csv", "channel,stain\n1,DNA\n2,ER\n3,RNA\n4,AGP\n5,Mito\n"));
        const Screen s2 = openScreen(d);
        QCOMPARE(s2.site("plate1", "A01", 1)->channel("DNA")->channelNumber, 1);
        QCOMPARE(s2.site("plate1", "A01", 1)->channel("Mito")->channelNumber, 5);
        QVERIFY(!findProblem(s2, "defaults"));
        // ... also when it sits one level above the opened image folder
        const QString d2 = tmp.filePath("plate2/Images");
        test::linkFiles(dir, d2, {"*.tiff"});
        QVERIFY(test::writeFile(tmp.filePath("plate2/channel_mapping.csv"), "channel,stain\n1,DNA\n2,ER\n3,RNA\n4,AGP\n5,Mito\n"));
        const Screen s2b = openScreen(d2);
        QCOMPARE(s2b.site("plate2", "A01", 1)->channel("DNA")->channelNumber, 1);
        // the JUMP channel_mapping.csv, picked per source from the path
        CPRECON_REQUIRE_PATH(jump, test::data("cpjump1_metadata/jump_datasets_metadata/channel_mapping.csv"));
        const QString d3 = tmp.filePath("source_2/images/plateX");
        test::linkFiles(dir, d3, {"*.tiff"});
        OpenOptions o3;
        o3.metadataDirs << QFileInfo(jump).absolutePath();
        const Screen s3 = openScreen(tmp.filePath("source_2"), o3);
        const Site *site3 = s3.site("plateX", "A01", 1);
        QVERIFY(site3);
        QCOMPARE(site3->channel("DNA")->channelNumber, 1); // source 2: DNA=1 ... Mito=5
        QCOMPARE(site3->channel("Mito")->channelNumber, 5);
    }

    void imageXpressDnaOnly()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/bbbc022_20585_dna_only"));
        const Screen s = openScreen(dir);
        QCOMPARE(s.kind, ScreenKind::FolderScan);
        QCOMPARE(s.plates.size(), 1);
        const Plate &p = s.plates[0];
        QCOMPARE(p.wells.size(), 4);
        QCOMPARE(p.well("A01")->sites.size(), 3);
        QCOMPARE(p.well("E07")->sites.size(), 2);
        QCOMPARE(p.well("E05")->sites[0].number, 6);
        QCOMPARE(p.well("E08")->sites[0].number, 7);
        const Site *site = s.site(p.barcode, "A01", 1);
        QCOMPARE(site->channels.size(), 1);
        QCOMPARE(site->channels[0].stain, QStringLiteral("DNA"));
        QCOMPARE(site->channels[0].channelNumber, 1);
        QVERIFY(site->channels[0].path.endsWith("IXMtest_A01_s1_w164FBEEF7-F77C-4892-86F5-72D0160D4FB2.tif"));
        QVERIFY(findProblem(s, "BBBC022 ImageXpress defaults"));
    }

    void bbbc022Png()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/bbbc022_20585_A01_s2_png"));
        const Screen s = openScreen(dir);
        QCOMPARE(s.plates.size(), 1);
        const Site *site = s.site(s.plates[0].barcode, "A01", 2);
        QVERIFY(site);
        QCOMPARE(site->channels.size(), 5);
        const QStringList order{"DNA", "ER", "RNA", "AGP", "Mito"}; // w1..w5
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(site->channels[i].channelNumber, i + 1);
            QCOMPARE(site->channels[i].stain, order[i]);
            QVERIFY(site->channels[i].path.endsWith(".png"));
        }
    }

    void cv8000Names()
    {
        QTemporaryDir tmp;
        const QString d = tmp.filePath("cv8000");
        for (const char *well : {"A01", "B03"})
            for (int site = 1; site <= 2; ++site)
                for (int ch = 1; ch <= 5; ++ch)
                    QVERIFY(test::writeFile(d + QStringLiteral("/BR00115126_%1_T0001F%2L01A%3Z01C%4.tif")
                                                    .arg(well).arg(site, 3, 10, QLatin1Char('0')).arg(ch, 2, 10, QLatin1Char('0'))
                                                    .arg(ch, 2, 10, QLatin1Char('0')),
                                            ""));
        const Screen s = openScreen(d);
        QCOMPARE(s.kind, ScreenKind::FolderScan);
        QCOMPARE(s.plates.size(), 1);
        QCOMPARE(s.plates[0].barcode, QStringLiteral("BR00115126"));
        QCOMPARE(s.plates[0].wells.size(), 2);
        const Site *site = s.site("BR00115126", "B03", 2);
        QVERIFY(site);
        QCOMPARE(site->channels.size(), 5);
        QCOMPARE(site->channel("DNA")->channelNumber, 1);
        QCOMPARE(site->channel("Mito")->channelNumber, 5);
        QVERIFY(site->channel("DNA")->path.endsWith("BR00115126_B03_T0001F002L01A01Z01C01.tif"));
        QVERIFY(findProblem(s, "CV8000 defaults"));
    }

    void naturalPhotos()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("natural"));
        const Screen s = openScreen(dir);
        QCOMPARE(s.kind, ScreenKind::NaturalImages);
        QVERIFY(!s.synthetic);
        QCOMPARE(s.plates.size(), 1);
        const Plate &p = s.plates[0];
        QCOMPARE(p.barcode, QStringLiteral("natural"));
        QCOMPARE(p.wells.size(), 29);
        QCOMPARE(p.format, PlateFormat::Wells96);
        const Well *w = p.well("skimage_astronaut");
        QVERIFY(w);
        QCOMPARE(w->sites.size(), 1);
        QCOMPARE(w->sites[0].channels.size(), 3);
        for (int k = 0; k < 3; ++k) {
            QCOMPARE(w->sites[0].channels[k].stain, QStringList({"R", "G", "B"})[k]);
            QCOMPARE(w->sites[0].channels[k].plane, k);
            QVERIFY(w->sites[0].channels[k].path.endsWith("skimage_astronaut.png"));
        }
        // row-major by file name on a 12-column grid
        QCOMPARE(p.wells[0].name, QStringLiteral("lomiri_Bridge_by_Sander_Klootwijk"));
        QCOMPARE(p.wells[0].row, 0);
        QCOMPARE(p.wells[13].row, 1);
        QCOMPARE(p.wells[13].column, 1);
    }

    void gzCsvWithCrlfBomQuotes()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1"));
        QTemporaryDir tmp;
        const QString d = tmp.filePath("p");
        test::linkFiles(dir, d, {"*.tiff"});
        QByteArray csv = test::readAll(dir + "/load_data.csv");
        csv.replace("\n", "\r\n");
        csv.prepend("\xEF\xBB\xBF");
        QVERIFY(test::writeGz(d + "/load_data.csv.gz", csv));
        const Screen s = openScreen(d + "/load_data.csv.gz");
        checkSource4Site(s.site("BR00117035", "A01", 1));
        // the quoted field with embedded commas survived
        QCOMPARE(s.plates[0].well("A01")->meta.perturbationName, QStringLiteral("CDK9 (ORF overexpression, JCP2022_905588)"));
        QVERIFY2(s.problems.isEmpty(), qPrintable(dump(s)));
        // as part of a folder, the gz twin of a plain CSV is not read twice
        QVERIFY(test::writeFile(d + "/load_data.csv", test::readAll(dir + "/load_data.csv")));
        const Screen s2 = openScreen(d);
        QVERIFY2(s2.problems.isEmpty(), qPrintable(dump(s2)));
        QCOMPARE(s2.plates.size(), 1);
    }

    void csvParserEdgeCases()
    {
        CsvTable t(QByteArray("a,b,c\r\n1,\"x,\"\"y\"\"\nz\",3\r\n\r\n4,,\n5"));
        QCOMPARE(t.header(), QStringList({"a", "b", "c"}));
        QVERIFY(t.next());
        QCOMPARE(t.field(1), QStringLiteral("x,\"y\"\nz"));
        QCOMPARE(t.field(2), QStringLiteral("3"));
        QVERIFY(t.next());
        QCOMPARE(t.field(0), QStringLiteral("4"));
        QCOMPARE(t.field(1), QString());
        QVERIFY(t.next());
        QCOMPARE(t.field(0), QStringLiteral("5"));
        QCOMPARE(t.field(2), QString());
        QVERIFY(!t.next());
        CsvTable tsv(QByteArray("well_position\tbroad_sample\nA01\tBRD-1\n"));
        QCOMPARE(tsv.delimiter(), '\t');
        QVERIFY(tsv.next());
        QCOMPARE(tsv.field(tsv.column("broad_sample")), QStringLiteral("BRD-1"));
    }

    void wholeSharedFolderAndPhantomSubtree()
    {
        CPRECON_REQUIRE_PATH(cp, test::data("cellpainting"));
        // the bundled-sample shape: several sub-screens side by side plus a phantom subtree
        QTemporaryDir tmp;
        const QString root = tmp.filePath("sample");
        for (const char *sub : {"cpjump1_BR00117010_A01_s1", "bbbc022_20585_A01_s2_png"})
            test::linkFiles(cp + "/" + sub, root + "/" + sub, {"*.tiff", "*.png", "load_data.csv"});
        // phantom tree (what `cprecon-cli phantom` writes), relative PathName, illum present but not in the CSV
        const QString ph = root + "/phantom";
        QVERIFY(test::writeFile(ph + "/phantom.json", "{}"));
        const QString img = ph + "/images/B1/images/PH0001__phantom/Images";
        QByteArray csv = "Metadata_Plate,Metadata_Well,Metadata_Site,FileName_OrigDNA,PathName_OrigDNA,FileName_OrigMito,PathName_OrigMito\n";
        for (const char *w : {"A01", "A02", "B01"}) {
            int r = 0, c = 0;
            parseWellName(w, r, c);
            const QString base = QStringLiteral("r%1c%2f01p01-ch").arg(r + 1, 2, 10, QLatin1Char('0')).arg(c + 1, 2, 10, QLatin1Char('0'));
            QVERIFY(test::writeFile(img + "/" + base + "5sk1fk1fl1.tiff", ""));
            QVERIFY(test::writeFile(img + "/" + base + "1sk1fk1fl1.tiff", ""));
            csv += QStringLiteral("PH0001,%1,1,%2,../../../../../images/B1/images/PH0001__phantom/Images,%3,../../../../../images/B1/images/PH0001__phantom/Images\n")
                       .arg(w, base + "5sk1fk1fl1.tiff", base + "1sk1fk1fl1.tiff").toUtf8();
        }
        QVERIFY(test::writeFile(ph + "/workspace/load_data_csv/B1/PH0001/load_data.csv", csv));
        QVERIFY(test::writeFile(ph + "/images/B1/illum/PH0001/PH0001_IllumDNA.npy", ""));
        QVERIFY(test::writeFile(ph + "/workspace/metadata/platemaps/B1/barcode_platemap.csv",
                                "Assay_Plate_Barcode,Plate_Map_Name\nPH0001,phantom_map\n"));
        QVERIFY(test::writeFile(ph + "/workspace/metadata/platemaps/B1/platemap/phantom_map.txt",
                                "plate_map_name\twell_position\tbroad_sample\nphantom_map\tA01\t\nphantom_map\tA02\tPH-CPD-1\nphantom_map\tB01\tPH-CPD-2\nphantom_map\tH12\tPH-CPD-1\n"));
        QVERIFY(test::writeFile(ph + "/workspace/metadata/external_metadata/phantom_compound_metadata.tsv",
                                "broad_sample\tpert_iname\tpert_type\tcontrol_type\nPH-CPD-1\tphantom-active\ttrt\t\nPH-CPD-2\tphantom-poscon\tcontrol\tposcon_cp\n"));
        const Screen s = openScreen(root);
        QVERIFY2(s.plates.size() == 3, qPrintable(dump(s)));
        QVERIFY(!s.synthetic); // real plates are in there too
        const Plate *p = s.plate("PH0001");
        QVERIFY(p);
        QVERIFY(p->synthetic);
        QVERIFY(!s.plate("BR00117010")->synthetic);
        QCOMPARE(p->wells.size(), 4); // H12 from the plate map, no images
        QCOMPARE(p->well("A01")->meta.control, ControlType::NegativeControl);
        QCOMPARE(p->well("A02")->meta.perturbationName, QStringLiteral("phantom-active"));
        QCOMPARE(p->well("B01")->meta.control, ControlType::PositiveControl);
        QVERIFY(p->well("H12")->sites.isEmpty());
        const Site *site = s.site("PH0001", "A02", 1);
        QCOMPARE(site->channel("DNA")->illumPath, ph + "/images/B1/illum/PH0001/PH0001_IllumDNA.npy");
        QVERIFY(site->channel("Mito")->illumPath.isEmpty());
        QCOMPARE(countMissing(s), 0);
        // the phantom root alone is a Phantom screen
        const Screen sp = openScreen(ph);
        QCOMPARE(sp.kind, ScreenKind::Phantom);
        QVERIFY(sp.synthetic);
    }

    void channelOrderCheckedAgainstJumpTable()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1"));
        CPRECON_REQUIRE_PATH(jump, test::data("cpjump1_metadata/jump_datasets_metadata"));
        QTemporaryDir tmp;
        const QString d = tmp.filePath("p");
        test::linkFiles(dir, d, {"*.tiff"});
        // source 4 says DNA = ch5, Mito = ch1; this CSV swaps them
        QVERIFY(test::writeFile(d + "/load_data.csv",
                                "Metadata_Source,Metadata_Plate,Metadata_Well,Metadata_Site,FileName_OrigDNA,PathName_OrigDNA,FileName_OrigMito,PathName_OrigMito\n"
                                "source_4,P1,A01,1,r01c01f01p01-ch1sk1fk1fl1.tiff,.,r01c01f01p01-ch5sk1fk1fl1.tiff,.\n"));
        OpenOptions o;
        o.metadataDirs << jump;
        const Screen s = openScreen(d, o);
        QCOMPARE(s.site("P1", "A01", 1)->channel("DNA")->channelNumber, 1); // the CSV's names are used...
        const Problem *p = findProblem(s, "channel order differs");
        QVERIFY2(p, qPrintable(dump(s)));                                    // ...and the clash is reported
        QVERIFY(p->message.contains("DNA is ch1 here, Mito in the table"));
        QCOMPARE(p->severity, Problem::Severity::Warning);
        // the real CSV agrees with the table: no warning
        const Screen ok = openScreen(dir, o);
        QVERIFY(!findProblem(ok, "channel order differs"));
    }

    void jcp2022Controls()
    {
        CPRECON_REQUIRE_PATH(dir, test::data("cellpainting/jump_cpg0016_BR00117035_A01_s1"));
        CPRECON_REQUIRE_PATH(jump, test::data("cpjump1_metadata/jump_datasets_metadata"));
        QTemporaryDir tmp;
        const QString d = tmp.filePath("p");
        test::linkFiles(dir, d, {"*.tiff"});
        QVERIFY(test::writeFile(d + "/load_data.csv",
                                "Metadata_Plate,Metadata_Well,Metadata_Site,Metadata_JCP2022,FileName_OrigDNA,PathName_OrigDNA\n"
                                "P1,A01,1,JCP2022_033924,r01c01f01p01-ch5sk1fk1fl1.tiff,.\n"
                                "P1,A02,1,JCP2022_037716,r01c01f01p01-ch5sk1fk1fl1.tiff,.\n"
                                "P1,A03,1,JCP2022_123456,r01c01f01p01-ch5sk1fk1fl1.tiff,.\n"));
        OpenOptions o;
        o.metadataDirs << jump;
        const Screen s = openScreen(d, o);
        const Plate *p = s.plate("P1");
        QCOMPARE(p->well("A01")->meta.control, ControlType::NegativeControl);
        QCOMPARE(p->well("A01")->meta.perturbationName, QStringLiteral("DMSO"));
        QCOMPARE(p->well("A02")->meta.control, ControlType::PositiveControl);
        QCOMPARE(p->well("A02")->meta.perturbationName, QStringLiteral("AMG900"));
        QCOMPARE(p->well("A03")->meta.control, ControlType::Treatment);
    }
};

QTEST_GUILESS_MAIN(TestLoaders)
#include "tst_loaders.moc"
