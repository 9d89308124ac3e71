// Screen → handcrafted site profiles → phenotypic activity, end to end on a phantom screen whose ground truth is
// known: the profiles are complete, resumable after an interruption (torn last line included), and the compounds
// called active are truly active.
#include "TestSupport.h"

#include <QTemporaryDir>

namespace {
QStringList readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}
QMap<QString, int> groundTruth(const QString &path)
{
    QMap<QString, int> gt;
    const QStringList lines = readLines(path);
    const QStringList head = lines.value(0).split(QLatin1Char(','));
    const int id = head.indexOf(QStringLiteral("broad_sample")), active = head.indexOf(QStringLiteral("active"));
    for (const QString &l : lines.mid(1)) {
        const QStringList c = l.split(QLatin1Char(','));
        gt[c.value(id)] = c.value(active).toInt();
    }
    return gt;
}
} // namespace

class TestFeaturesCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void phantomProfilesRetrieveTrueActivesAndResume()
    {
        QTemporaryDir dir;
        const QString screen = dir.filePath(QStringLiteral("phantom")), prof = dir.filePath(QStringLiteral("profiles.csv")),
                      act = dir.filePath(QStringLiteral("activity.csv"));
        QString out, err;
        QCOMPARE(cprecon::test::runCli({QStringLiteral("phantom"), QStringLiteral("--out"), screen, QStringLiteral("--plates"),
                                        QStringLiteral("3"), QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--sites"),
                                        QStringLiteral("1"), QStringLiteral("--size"), QStringLiteral("256"), QStringLiteral("--seed"),
                                        QStringLiteral("3"), QStringLiteral("--quiet")},
                                       &out, &err),
                 0);
        // An "interrupted" first run: one plate only.
        QCOMPARE(cprecon::test::runCli({QStringLiteral("features"), screen, QStringLiteral("--out"), prof, QStringLiteral("--plate"),
                                        QStringLiteral("PHANTOM-P01")},
                                       &out, &err),
                 0);
        QVERIFY2(out.contains(QStringLiteral("96 written")), qPrintable(out + err));
        // A torn last line, as a kill in the middle of a write leaves it: a real row of a site not yet written
        // (P02 A01 s1), cut in the middle of one of its feature numbers. It must be dropped and recomputed.
        {
            const QStringList done = readLines(prof);
            QString torn = done.last();
            const QStringList cells = torn.split(QLatin1Char(','));
            QVERIFY(cells.size() > 20);
            QStringList head = cells.mid(0, 15);
            head[0] = QStringLiteral("PHANTOM-P02");
            head[1] = QStringLiteral("A01");
            head[2] = QStringLiteral("1");
            const QString number = cells[15];
            QVERIFY2(number.size() >= 4 && number.contains(QLatin1Char('.')), qPrintable(number));
            torn = head.join(QLatin1Char(',')) + QLatin1Char(',') + number.left(number.size() / 2);
            QFile f(prof);
            QVERIFY(f.open(QIODevice::Append));
            f.write(torn.toUtf8());
        }
        QCOMPARE(cprecon::test::runCli({QStringLiteral("features"), screen, QStringLiteral("--out"), prof}, &out, &err), 0);
        QVERIFY2(out.contains(QStringLiteral("sites: 288 (192 written, 96 already in the output)")), qPrintable(out + err));
        const QStringList lines = readLines(prof);
        QCOMPARE(lines.size(), 1 + 288);
        QSet<QString> keys;
        for (const QString &l : lines.mid(1)) {
            const QStringList c = l.split(QLatin1Char(','));
            QCOMPARE(c.size(), lines.first().split(QLatin1Char(',')).size());
            keys.insert(c[0] + c[1] + c[2]);
        }
        QCOMPARE(keys.size(), 288); // every site exactly once

        QCOMPARE(cprecon::test::runCli({QStringLiteral("activity"), QStringLiteral("--profiles"), prof, QStringLiteral("--perturbation-col"),
                                        QStringLiteral("Metadata_broad_sample"), QStringLiteral("--control-query"),
                                        QStringLiteral("Metadata_control_type==negcon"), QStringLiteral("--tvn"), QStringLiteral("--null-size"),
                                        QStringLiteral("10000"), QStringLiteral("--out"), act},
                                       &out, &err),
                 0);
        const QMap<QString, int> gt = groundTruth(screen + QStringLiteral("/phantom_ground_truth.csv"));
        QCOMPARE(gt.size(), 44);
        const QStringList rows = readLines(act);
        const QStringList head = rows.value(0).split(QLatin1Char(','));
        const int idCol = head.indexOf(QStringLiteral("Metadata_broad_sample")), callCol = head.indexOf(QStringLiteral("below_corrected_p"));
        QVERIFY(idCol >= 0 && callCol >= 0);
        int truePositives = 0, falsePositives = 0;
        for (const QString &r : rows.mid(1)) {
            const QStringList c = r.split(QLatin1Char(','));
            const bool called = c[callCol] == QLatin1String("True") || c[callCol] == QLatin1String("true") || c[callCol] == QLatin1String("1");
            QVERIFY2(gt.contains(c[idCol]), qPrintable(c[idCol]));
            if (called) (gt[c[idCol]] ? truePositives : falsePositives)++;
        }
        // Seeded phantom + seeded null: the calls are reproducible. Inactive compounds have no effect by design,
        // so a call on one would be a false positive of the whole chain.
        QVERIFY2(truePositives >= 10, qPrintable(out));
        QCOMPARE(falsePositives, 0);
        QVERIFY(out.contains(QStringLiteral("fraction_retrieved: ")));
    }

    void profilesDoNotDependOnTheThreadCount()
    {
        // Sites run in parallel and rows are appended as they finish: the order may differ, the rows may not.
        QTemporaryDir dir;
        const QString screen = dir.filePath(QStringLiteral("phantom"));
        QString out, err;
        QCOMPARE(cprecon::test::runCli({QStringLiteral("phantom"), QStringLiteral("--out"), screen, QStringLiteral("--plates"),
                                        QStringLiteral("1"), QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--size"),
                                        QStringLiteral("256"), QStringLiteral("--seed"), QStringLiteral("5"), QStringLiteral("--quiet")},
                                       &out, &err),
                 0);
        QStringList rows[2];
        for (int i = 0; i < 2; ++i) {
            const QString prof = dir.filePath(QStringLiteral("p%1.csv").arg(i));
            QCOMPARE(cprecon::test::runCli({QStringLiteral("features"), screen, QStringLiteral("--out"), prof, QStringLiteral("--model"),
                                            QStringLiteral("jpeg:50"), QStringLiteral("--threads"), i == 0 ? QStringLiteral("1") : QStringLiteral("3")},
                                           &out, &err),
                     0);
            rows[i] = readLines(prof);
            std::sort(rows[i].begin() + 1, rows[i].end());
        }
        QCOMPARE(rows[0].size(), 1 + 96);
        QCOMPARE(rows[0], rows[1]);
    }

    void resumeRecognisesItsSourceExactly()
    {
        // Bug 6: resume used to accept a row as its own when the source text appeared anywhere in it.
        QTemporaryDir dir;
        const QString screen = dir.filePath(QStringLiteral("phantom")), prof = dir.filePath(QStringLiteral("p.csv"));
        QString out, err;
        QCOMPARE(cprecon::test::runCli({QStringLiteral("phantom"), QStringLiteral("--out"), screen, QStringLiteral("--plates"),
                                        QStringLiteral("1"), QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--size"),
                                        QStringLiteral("256"), QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--quiet")},
                                       &out, &err),
                 0);
        QCOMPARE(cprecon::test::runCli({QStringLiteral("features"), screen, QStringLiteral("--out"), prof}, &out, &err), 0);
        // Make the rows another source's (a jpeg:75 reconstruction) whose cell-line text contains "original".
        QStringList lines = readLines(prof);
        const QStringList head = lines.first().split(QLatin1Char(','));
        const int src = int(head.indexOf(QStringLiteral("Metadata_source"))), line = int(head.indexOf(QStringLiteral("Metadata_cell_line")));
        QVERIFY(src > 0 && line > 0);
        for (int i = 1; i < lines.size(); ++i) {
            QStringList c = lines[i].split(QLatin1Char(','));
            c[src] = QStringLiteral("jpeg:75 (corrected)");
            c[line] = QStringLiteral("original-line");
            lines[i] = c.join(QLatin1Char(','));
        }
        {
            QFile f(prof);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write((lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
        }
        const int rc = cprecon::test::runCli({QStringLiteral("features"), screen, QStringLiteral("--out"), prof}, &out, &err);
        QVERIFY2(rc != 0, qPrintable(out));
        QVERIFY2(err.contains(QStringLiteral("another source")) && err.contains(QStringLiteral("jpeg:75 (corrected)")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestFeaturesCli)
#include "tst_features.moc"
