// Bad input: each case is a named Problem (file, row, message, fix) and the rest of the screen still loads;
// only a missing path or a folder with nothing loadable throws cprecon::Error.
#include "ScreenTestUtil.h"
#include "TestSupport.h"

#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace cprecon;

namespace {

const Problem *findProblem(const Screen &s, const QString &needle)
{
    for (const auto &p : s.problems)
        if (p.message.contains(needle)) return &p;
    return nullptr;
}

QString dump(const Screen &s)
{
    QStringList l;
    for (const auto &p : s.problems) l << p.toString();
    return l.join(QLatin1Char('\n'));
}

const QByteArray kHeader = "Metadata_Plate,Metadata_Well,Metadata_Site,FileName_OrigDNA,PathName_OrigDNA,FileName_OrigER,PathName_OrigER\n";

// A good plate (P1, wells A01 and A02) whose images exist: the "rest" that must keep loading.
QString goodPlate(const QString &root)
{
    const QString d = root + "/good";
    QByteArray csv = kHeader;
    for (const char *w : {"A01", "A02"}) {
        test::writeFile(d + QStringLiteral("/%1_dna.tif").arg(w), "");
        test::writeFile(d + QStringLiteral("/%1_er.tif").arg(w), "");
        csv += QStringLiteral("P1,%1,1,%1_dna.tif,.,%1_er.tif,.\n").arg(w).toUtf8();
    }
    test::writeFile(d + "/load_data.csv", csv);
    return d;
}

void checkGoodPlateLoaded(const Screen &s)
{
    const Plate *p = s.plate("P1");
    QVERIFY2(p, qPrintable(dump(s)));
    QVERIFY(s.site("P1", "A01", 1));
    QVERIFY(s.site("P1", "A02", 1));
    QCOMPARE(s.site("P1", "A02", 1)->channels.size(), 2);
    QVERIFY(!s.site("P1", "A02", 1)->channel("ER")->missing);
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void missingImageFile()
    {
        QTemporaryDir tmp;
        const QString d = goodPlate(tmp.path());
        QByteArray csv = test::readAll(d + "/load_data.csv");
        csv += "P1,B01,1,nope_dna.tif,.,A01_er.tif,.\n";
        test::writeFile(d + "/load_data.csv", csv);
        const Screen s = openScreen(d);
        checkGoodPlateLoaded(s);
        const Site *site = s.site("P1", "B01", 1);
        QVERIFY(site); // the site exists, its missing channel is flagged
        QVERIFY(site->channel("DNA")->missing);
        QVERIFY(!site->channel("ER")->missing);
        const Problem *p = findProblem(s, "image file not found");
        QVERIFY2(p, qPrintable(dump(s)));
        QVERIFY(p->message.contains(d + "/nope_dna.tif"));
        QCOMPARE(p->file, d + "/load_data.csv");
        QCOMPARE(p->row, 3L);
        QVERIFY(!p->fix.isEmpty());
    }

    void missingRequiredColumns()
    {
        QTemporaryDir tmp;
        goodPlate(tmp.path());
        // no Metadata_Well and no PathName_OrigER: named, the good plate still loads
        test::writeFile(tmp.path() + "/bad/x.tif", "");
        test::writeFile(tmp.path() + "/bad/load_data.csv",
                        "Metadata_Plate,Metadata_Site,FileName_OrigDNA,PathName_OrigDNA,FileName_OrigER\nP2,1,x.tif,.,x.tif\n");
        const Screen s = openScreen(tmp.path());
        checkGoodPlateLoaded(s);
        const Problem *p = findProblem(s, "missing required columns");
        QVERIFY2(p, qPrintable(dump(s)));
        QVERIFY(p->message.contains("Metadata_Well"));
        QVERIFY(p->message.contains("PathName_OrigER"));
        QVERIFY(!p->message.contains("Metadata_Plate"));
        QCOMPARE(p->file, tmp.path() + "/bad/load_data.csv");
        QVERIFY(findProblem(s, "no well for this row")); // its row could not be placed
        QVERIFY(!s.plate("P2"));

        // a CSV without any image column, opened alone: nothing loadable -> Error naming file and columns
        test::writeFile(tmp.path() + "/only/load_data.csv", "Metadata_Plate,Metadata_Well\nP3,A01\n");
        try {
            openScreen(tmp.path() + "/only/load_data.csv");
            QFAIL("expected cprecon::Error");
        } catch (const Error &e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains(tmp.path() + "/only/load_data.csv"), qPrintable(what));
            QVERIFY2(what.contains("FileName_Orig"), qPrintable(what));
        }
    }

    void duplicateSiteRows()
    {
        QTemporaryDir tmp;
        const QString d = goodPlate(tmp.path());
        QByteArray csv = test::readAll(d + "/load_data.csv");
        csv += "P1,a1,1,A02_dna.tif,.,A02_er.tif,.\n"; // same (plate, well, site) as row 1, written differently
        test::writeFile(d + "/load_data.csv", csv);
        const Screen s = openScreen(d);
        checkGoodPlateLoaded(s);
        QCOMPARE(s.plate("P1")->well("A01")->sites.size(), 1);
        QVERIFY(s.site("P1", "A01", 1)->channel("DNA")->path.endsWith("A01_dna.tif")); // first row kept
        const Problem *p = findProblem(s, "duplicate site");
        QVERIFY2(p, qPrintable(dump(s)));
        QCOMPARE(p->row, 3L);
        QVERIFY(p->message.contains("row 1"));
        QVERIFY(p->message.contains("A01"));
    }

    void wellOutsidePlateFormat()
    {
        QTemporaryDir tmp;
        const QString d = goodPlate(tmp.path());
        QByteArray csv = test::readAll(d + "/load_data.csv");
        csv += "P1,A49,1,A01_dna.tif,.,A01_er.tif,.\n";   // column 49: beyond 1536 wells
        csv += "P1,AH01,1,A01_dna.tif,.,A01_er.tif,.\n";  // row 34
        csv += "P1,XYZ,1,A01_dna.tif,.,A01_er.tif,.\n";   // not a well at all
        test::writeFile(d + "/load_data.csv", csv);
        const Screen s = openScreen(d);
        checkGoodPlateLoaded(s);
        QCOMPARE(s.plate("P1")->wells.size(), 2);
        QCOMPARE(s.plate("P1")->format, PlateFormat::Wells96);
        const Problem *p = findProblem(s, "outside every plate format");
        QVERIFY2(p, qPrintable(dump(s)));
        QVERIFY(p->message.contains("A49"));
        QCOMPARE(p->row, 3L);
        QVERIFY(findProblem(s, "'AH01'"));
        QVERIFY(findProblem(s, "malformed well name 'XYZ'"));
    }

    void plateFormatFromWells()
    {
        QTemporaryDir tmp;
        const QString d = goodPlate(tmp.path());
        QByteArray csv = test::readAll(d + "/load_data.csv");
        csv += "P1,P24,1,A01_dna.tif,.,A01_er.tif,.\n";
        csv += "P9,C05,1,A01_dna.tif,.,A01_er.tif,.\n"; // a plate not starting at A01
        csv += "P8,AF48,1,A01_dna.tif,.,A01_er.tif,.\n";
        test::writeFile(d + "/load_data.csv", csv);
        const Screen s = openScreen(d);
        QCOMPARE(s.plate("P1")->format, PlateFormat::Wells384);
        QCOMPARE(s.plate("P9")->format, PlateFormat::Wells96);
        QCOMPARE(s.plate("P9")->wells[0].name, QStringLiteral("C05"));
        QCOMPARE(s.plate("P8")->format, PlateFormat::Wells1536);
        QVERIFY2(s.problems.isEmpty(), qPrintable(dump(s)));
    }

    void unknownChannelName()
    {
        QTemporaryDir tmp;
        const QString d = tmp.filePath("p");
        test::writeFile(d + "/a.tif", "");
        test::writeFile(d + "/load_data.csv",
                        "Metadata_Plate,Metadata_Well,Metadata_Site,FileName_OrigDNA,PathName_OrigDNA,FileName_OrigFoo,PathName_OrigFoo\n"
                        "P1,A01,1,a.tif,.,a.tif,.\n");
        const Screen s = openScreen(d);
        const Site *site = s.site("P1", "A01", 1);
        QVERIFY(site);
        QVERIFY(site->channel("DNA"));
        QVERIFY(site->channel("Foo")); // kept under its own name, never guessed
        const Problem *p = findProblem(s, "unknown channel name 'Foo'");
        QVERIFY2(p, qPrintable(dump(s)));
        QCOMPARE(p->severity, Problem::Severity::Warning);
        QVERIFY(p->fix.contains("--channel-map"));
        // an override names it: no warning
        OpenOptions o;
        o.stainOverride.insert("OrigFoo", "Mito");
        const Screen s2 = openScreen(d, o);
        QVERIFY(s2.site("P1", "A01", 1)->channel("Mito"));
        QVERIFY(!findProblem(s2, "unknown channel"));
    }

    void emptyFolderThrows()
    {
        QTemporaryDir tmp;
        QDir().mkpath(tmp.filePath("empty/sub"));
        try {
            openScreen(tmp.filePath("empty"));
            QFAIL("expected cprecon::Error");
        } catch (const Error &e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains(tmp.filePath("empty")), qPrintable(what));
            QVERIFY2(what.contains("no screen found"), qPrintable(what));
            QVERIFY(!e.fix().empty());
        }
        QVERIFY_THROWS_EXCEPTION(Error, openScreen(tmp.filePath("does/not/exist")));
        test::writeFile(tmp.filePath("one/r01c01f01p01-ch1sk1fk1fl1.tiff"), "II*");
        try {
            openScreen(tmp.filePath("one/r01c01f01p01-ch1sk1fk1fl1.tiff"));
            QFAIL("expected cprecon::Error");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("single image"), e.what());
        }
        const Screen one = openScreen(tmp.filePath("one") + "/"); // trailing slash: same screen, named after the folder
        QCOMPARE(one.name, QStringLiteral("one"));
        QCOMPARE(one.plates.size(), 1);
        QCOMPARE(one.plates[0].barcode, QStringLiteral("one"));
        QVERIFY_THROWS_EXCEPTION(Error, openScreen(QString()));
    }

    void unreadableCsv()
    {
        QTemporaryDir tmp;
        goodPlate(tmp.path());
        // binary garbage named like a load_data CSV
        QByteArray junk(512, '\0');
        for (int i = 0; i < junk.size(); ++i) junk[i] = char((i * 37) & 0xff);
        junk[0] = 'x';
        test::writeFile(tmp.path() + "/junk/load_data.csv", junk);
        const Screen s = openScreen(tmp.path());
        checkGoodPlateLoaded(s);
        const Problem *p = findProblem(s, "not a text CSV");
        QVERIFY2(p, qPrintable(dump(s)));
        QCOMPARE(p->file, tmp.path() + "/junk/load_data.csv");
    }

    void unreadableCsvIsAProblem()
    {
        // A load_data CSV that cannot be read — here a dangling symlink, as a git-annex / datalad mirror leaves for
        // content not fetched; it fails to open for root too — is a named problem while the rest of the screen loads.
        QTemporaryDir tmp;
        goodPlate(tmp.path());
        QVERIFY(QDir().mkpath(tmp.path() + "/annexed"));
        const QString dangling = tmp.path() + "/annexed/load_data.csv";
        QVERIFY(QFile::link(tmp.path() + "/.git/annex/objects/missing", dangling));
        const Screen s = openScreen(tmp.path());
        checkGoodPlateLoaded(s);
        const Problem *p = findProblem(s, "cannot read load_data CSV");
        QVERIFY2(p, qPrintable(dump(s)));
        QCOMPARE(p->file, dangling);
        QVERIFY2(!p->fix.isEmpty(), "the problem says how to fix it");
    }

    void corruptGz()
    {
        QTemporaryDir tmp;
        goodPlate(tmp.path());
        // gzip magic followed by garbage
        QByteArray bad("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
        bad += QByteArray(200, '\x5a');
        test::writeFile(tmp.path() + "/c1/load_data.csv.gz", bad);
        // a valid stream cut in half
        QByteArray csv = kHeader;
        for (int i = 0; i < 2000; ++i) csv += QStringLiteral("P7,A01,%1,a.tif,.,a.tif,.\n").arg(i + 1).toUtf8();
        QVERIFY(test::writeGz(tmp.path() + "/full.gz.tmp", csv));
        const QByteArray full = test::readAll(tmp.path() + "/full.gz.tmp");
        QFile::remove(tmp.path() + "/full.gz.tmp");
        test::writeFile(tmp.path() + "/c2/load_data.csv.gz", full.left(full.size() / 2));
        // .gz name, plain content
        test::writeFile(tmp.path() + "/c3/load_data.csv.gz", kHeader);
        const Screen s = openScreen(tmp.path());
        checkGoodPlateLoaded(s);
        int corrupt = 0;
        for (const auto &p : s.problems)
            if (p.message.contains("corrupt or truncated gzip")) ++corrupt;
        QVERIFY2(corrupt == 2, qPrintable(dump(s)));
        QVERIFY(findProblem(s, "not gzip-compressed"));
        QVERIFY(!s.plate("P7")); // nothing half-loaded from the truncated file
        // opened directly, a corrupt gz is an Error naming it
        try {
            openScreen(tmp.path() + "/c1/load_data.csv.gz");
            QFAIL("expected cprecon::Error");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("c1/load_data.csv.gz"), e.what());
        }
    }

    void manyMissingFilesAreSummarised()
    {
        QTemporaryDir tmp;
        const QString d = goodPlate(tmp.path());
        QByteArray csv = test::readAll(d + "/load_data.csv");
        for (int i = 0; i < 500; ++i) csv += QStringLiteral("P1,B02,%1,gone%1.tif,/elsewhere/x,gone%1.tif,/elsewhere/x\n").arg(i + 1).toUtf8();
        test::writeFile(d + "/load_data.csv", csv);
        const Screen s = openScreen(d);
        checkGoodPlateLoaded(s);
        QCOMPARE(s.plate("P1")->well("B02")->sites.size(), 500);
        QVERIFY(s.problems.size() < 40); // capped, with a summary line
        QVERIFY2(findProblem(s, "more 'missing image' problems"), qPrintable(dump(s)));
    }

    void symlinkLoopInTree()
    {
        QTemporaryDir tmp;
        goodPlate(tmp.path());
        QVERIFY(QFile::link(tmp.path(), tmp.path() + "/good/loop")); // good/loop -> root
        const Screen s = openScreen(tmp.path());
        checkGoodPlateLoaded(s);
        QCOMPARE(s.plates.size(), 1);
    }

    void unrecognisedImageNames()
    {
        QTemporaryDir tmp;
        goodPlate(tmp.path());
        test::writeFile(tmp.path() + "/odd/scan_0001.tif", "II*\0");
        const Screen s = openScreen(tmp.path());
        checkGoodPlateLoaded(s);
        QVERIFY2(findProblem(s, "match no instrument pattern"), qPrintable(dump(s)));
        // alone, such a folder has nothing loadable
        QVERIFY_THROWS_EXCEPTION(Error, openScreen(tmp.path() + "/odd"));
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
