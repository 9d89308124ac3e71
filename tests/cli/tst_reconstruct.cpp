// cprecon-cli reconstruct on the bundled real sample: the inspector's files, written headless.
#include "TestSupport.h"

#include <QImage>
#include <QTemporaryDir>

class TestReconstructCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesImagesFigureAndMetrics()
    {
        QTemporaryDir dir;
        const QString sample = cprecon::test::sourceDir() + QStringLiteral("/resources/sample");
        QString out, err;
        const int code = cprecon::test::runCli({QStringLiteral("reconstruct"), sample, QStringLiteral("--plate"),
                                                QStringLiteral("BR00117010"), QStringLiteral("--well"), QStringLiteral("a1"),
                                                QStringLiteral("--site"), QStringLiteral("1"), QStringLiteral("--model"),
                                                QStringLiteral("bicubic8"), QStringLiteral("--dpi"), QStringLiteral("72"),
                                                QStringLiteral("--out"), dir.path()},
                                               &out, &err);
        QVERIFY2(code == 0, qPrintable(out + err));
        for (const QString &stain : {QStringLiteral("DNA"), QStringLiteral("ER"), QStringLiteral("RNA"), QStringLiteral("AGP"), QStringLiteral("Mito")}) {
            for (const QString &suffix : {QStringLiteral("_original.png"), QStringLiteral("_reconstruction.png"), QStringLiteral("_difference.png")}) {
                const QImage img(dir.filePath(stain + suffix));
                QCOMPARE(img.size(), QSize(1024, 1024));
            }
            QVERIFY(QFileInfo(dir.filePath(stain + QStringLiteral("_difference.tif"))).size() > 1024 * 1024 * 4); // float32
        }
        for (const char *f : {"figure.png", "figure.pdf", "figure.svg"}) QVERIFY(QFileInfo(dir.filePath(QLatin1String(f))).size() > 1000);
        QFile csv(dir.filePath(QStringLiteral("metrics.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 5 * 16 + 5);
        QVERIFY(out.contains(QStringLiteral("model bicubic8")));
        QVERIFY(out.contains(QStringLiteral("protocol corrected")));
    }

    void unknownWellIsANamedError()
    {
        QTemporaryDir dir;
        const QString sample = cprecon::test::sourceDir() + QStringLiteral("/resources/sample");
        QString out, err;
        const int code = cprecon::test::runCli({QStringLiteral("reconstruct"), sample, QStringLiteral("--plate"),
                                                QStringLiteral("BR00117010"), QStringLiteral("--well"), QStringLiteral("B07"),
                                                QStringLiteral("--model"), QStringLiteral("bicubic8"), QStringLiteral("--out"), dir.path()},
                                               &out, &err);
        QVERIFY(code != 0);
        QVERIFY2(err.contains(QStringLiteral("B07")) && err.contains(QStringLiteral("A01")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestReconstructCli)
#include "tst_reconstruct.moc"
