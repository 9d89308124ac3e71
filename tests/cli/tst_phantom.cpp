// cprecon-cli phantom: writes a PHANTOM screen the screen loader opens as such (synthetic flag, plates, DMSO
// wells, illumination functions), deterministic from the seed, with clear errors for bad options.
#include "TestSupport.h"
#include "image/PhantomGenerator.h"
#include "screen/ScreenOpener.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

using namespace cprecon;

namespace {
QByteArray sha(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}
} // namespace

class TestCliPhantom : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAScreenTheLoaderOpens()
    {
        QTemporaryDir t;
        const QString out = t.filePath(QStringLiteral("phantom"));
        QString so, se;
        const QStringList args{"phantom", "--out", out, "--plates", "2", "--wells", "96", "--sites", "2",
                               "--seed", "3", "--size", "128", "--quiet"};
        QCOMPARE(test::runCli(args, &so, &se), 0);
        QVERIFY2(so.contains(QStringLiteral("synthetic images, not biology")), qPrintable(so));
        QVERIFY2(so.contains(QStringLiteral("1920 images")), qPrintable(so)); // 2 x 96 x 2 x 5

        QFile marker(QDir(out).filePath(QStringLiteral("phantom.json")));
        QVERIFY(marker.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(marker.readAll().toStdString());
        QCOMPARE(j.at("synthetic").get<bool>(), true);
        QCOMPARE(QString::fromStdString(j.at("generator").get<std::string>()), QStringLiteral("cprecon-cli phantom"));
        QCOMPARE(j.at("seed").get<int>(), 3);
        QCOMPARE(j.at("plates").get<int>(), 2);
        QCOMPARE(j.at("wells").get<int>(), 96);
        QCOMPARE(j.at("sites").get<int>(), 2);
        QCOMPARE(j.at("size").get<int>(), 128);

        const Screen s = openScreen(out);
        QVERIFY(s.synthetic);
        QCOMPARE(s.kind, ScreenKind::Phantom);
        QCOMPARE(s.plates.size(), 2);
        QVERIFY2(s.problems.isEmpty(), s.problems.isEmpty() ? "" : qPrintable(s.problems.front().toString()));
        const Plate *p = s.plate(QStringLiteral("PHANTOM-P02"));
        QVERIFY(p);
        QCOMPARE(p->format, PlateFormat::Wells96);
        QCOMPARE(p->wells.size(), 96);
        int dmso = 0;
        for (const auto &w : p->wells) dmso += w.meta.isNegativeControl() ? 1 : 0;
        QCOMPARE(dmso, j.at("dmso_wells_per_plate").get<int>());
        const Site *site = s.site(QStringLiteral("PHANTOM-P02"), QStringLiteral("H12"), 2);
        QVERIFY(site);
        const ChannelImage *mito = site->channel(QStringLiteral("Mito"));
        QVERIFY(mito);
        QCOMPARE(mito->channelNumber, 1);
        QVERIFY(mito->path.endsWith(QStringLiteral("PHANTOM-P02__phantom/Images/r08c12f02p01-ch1sk1fk1fl1.tiff")));
        QVERIFY(mito->illumPath.endsWith(QStringLiteral("PHANTOM-P02/PHANTOM-P02_IllumMito.npy")));
        QVERIFY(QFile::exists(mito->path) && QFile::exists(mito->illumPath));

        // same arguments -> same bytes
        const QString again = t.filePath(QStringLiteral("again"));
        QStringList args2 = args;
        args2[2] = again;
        QCOMPARE(test::runCli(args2, &so, &se), 0);
        for (const QString &rel : {QStringLiteral("images/phantom_batch/images/PHANTOM-P01__phantom/Images/r03c07f02p01-ch5sk1fk1fl1.tiff"),
                                   QStringLiteral("images/phantom_batch/illum/PHANTOM-P02/PHANTOM-P02_IllumER.npy"),
                                   QStringLiteral("phantom_ground_truth.csv"),
                                   QStringLiteral("workspace/load_data_csv/phantom_batch/PHANTOM-P01/load_data_with_illum.csv")})
            QCOMPARE(sha(QDir(again).filePath(rel)), sha(QDir(out).filePath(rel)));
    }

    void badOptions()
    {
        QTemporaryDir t;
        QString so, se;
        QCOMPARE(test::runCli({"phantom", "--out", t.filePath("x"), "--wells", "100"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("--wells must be 96 or 384")), qPrintable(se));
        QCOMPARE(test::runCli({"phantom", "--wells", "96"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("--out")), qPrintable(se));
        QCOMPARE(test::runCli({"phantom", "--out", t.filePath("x"), "--seed", "abc"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("--seed")), qPrintable(se));
        QCOMPARE(test::runCli({"phantom", "--out", t.filePath("x"), "--wells", "96", "--compounds", "500"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("--compounds")), qPrintable(se));
        // never writes into a folder that holds something else
        QFile(t.filePath("notes.txt")).open(QIODevice::WriteOnly);
        QCOMPARE(test::runCli({"phantom", "--out", t.path(), "--wells", "96", "--size", "64"}, &so, &se), 1);
        QVERIFY2(se.contains(QStringLiteral("not empty")), qPrintable(se));
        QVERIFY(!QFile::exists(t.filePath("phantom.json")));
    }
};

QTEST_GUILESS_MAIN(TestCliPhantom)
#include "tst_phantom.moc"
