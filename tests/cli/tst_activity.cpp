// cprecon-cli activity end-to-end on the copairs fixture: the printed FR line, the output columns, bad input.
#include "TestSupport.h"
#include "profiles/Activity.h"
#include "profiles/Aggregate.h"
#include "weights/SafetensorsFile.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>

class TestCliActivity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixtureFractionRetrieved()
    {
        CPRECON_REQUIRE_PATH(profiles, cprecon::test::fixture(QStringLiteral("retrieval/profiles.csv")));
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("map.csv"));
        QString so, se;
        const int rc = cprecon::test::runCli({QStringLiteral("activity"), QStringLiteral("--profiles"), profiles,
                                              QStringLiteral("--perturbation-col"), QStringLiteral("Metadata_broad_sample"),
                                              QStringLiteral("--control-query"), QStringLiteral("Metadata_control_type==negcon"),
                                              QStringLiteral("--null-size"), QStringLiteral("10000"), QStringLiteral("--seed"),
                                              QStringLiteral("3"), QStringLiteral("--out"), out},
                                             &so, &se);
        QVERIFY2(rc == 0, qPrintable(se));
        const auto m = QRegularExpression(QStringLiteral("^fraction_retrieved: ([0-9.eE+-]+)$"),
                                          QRegularExpression::MultilineOption).match(so);
        QVERIFY2(m.hasMatch(), qPrintable(so));
        QVERIFY(std::abs(m.captured(1).toDouble() - 0.24722) <= 0.01);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 361);
        QCOMPARE(lines[0], QStringLiteral("Metadata_broad_sample,n_replicates,mean_average_precision,p_value,corrected_p_value,"
                                          "below_p,below_corrected_p"));
        int active = 0;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList c = lines[i].split(QLatin1Char(','));
            QCOMPARE(c.size(), 7);
            QCOMPARE(c[1], QStringLiteral("4"));
            for (int k = 2; k <= 4; ++k) QVERIFY(c[k].toDouble() >= 0 && c[k].toDouble() <= 1);
            active += c[6] == QStringLiteral("True");
        }
        QVERIFY(std::abs(active - 89) <= 4);
    }

    void aggregateAndTvnPathMatchesSklearnReference()
    {
        // CLI: sites -> median wells -> TVN (whiten) -> activity. Library on the fixture's sklearn TVN output
        // (whiten.median.tvn) must give the same mAP per perturbation.
        using namespace cprecon::profiles;
        CPRECON_REQUIRE_PATH(sites, cprecon::test::fixture(QStringLiteral("retrieval/tvn_sites.csv")));
        CPRECON_REQUIRE_PATH(refPath, cprecon::test::fixture(QStringLiteral("retrieval/tvn_reference.safetensors")));
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("tvn_map.csv"));
        QString so, se;
        const int rc = cprecon::test::runCli({QStringLiteral("activity"), QStringLiteral("--profiles"), sites,
                                              QStringLiteral("--perturbation-col"), QStringLiteral("Metadata_pert_iname"),
                                              QStringLiteral("--control-query"), QStringLiteral("Metadata_control_type==negcon"),
                                              QStringLiteral("--aggregate"), QStringLiteral("median"), QStringLiteral("--tvn"),
                                              QStringLiteral("--null-size"), QStringLiteral("2000"), QStringLiteral("--out"), out},
                                             &so, &se);
        QVERIFY2(rc == 0, qPrintable(se));
        QVERIFY(so.contains(QStringLiteral("dropped metadata varying within a well: Metadata_Site")));
        ProfileTable wells = aggregateWells(readProfileTable(sites.toStdString()), Aggregation::Median);
        const cprecon::SafetensorsFile ref(refPath.toStdString());
        const auto tvn = ref.toDouble("whiten.median.tvn");
        QCOMPARE(tvn.size(), std::size_t(160 * 16));
        wells.features = Eigen::Map<const RowMatrix>(tvn.data(), 160, 16);
        ActivityOptions o;
        o.perturbationCol = "Metadata_pert_iname";
        o.control = ControlQuery::parse("Metadata_control_type==negcon");
        o.nullSize = 2000;
        const auto lib = phenotypicActivity(wells, o);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), int(lib.perturbations.size()) + 1);
        for (std::size_t i = 0; i < lib.perturbations.size(); ++i) {
            const QStringList c = lines[int(i) + 1].split(QLatin1Char(','));
            QCOMPARE(c[0].toStdString(), lib.perturbations[i].perturbation);
            QVERIFY(std::abs(c[2].toDouble() - lib.perturbations[i].meanAveragePrecision) <= 1e-9);
        }
    }

    void groupsAndExclusionsAreNamed()
    {
        QTemporaryDir dir;
        const QString in = dir.filePath(QStringLiteral("p.csv"));
        QFile f(in);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // Line A: two compounds + a singleton, controls with an empty control type column; line B: no controls.
        f.write("Metadata_line,Metadata_pert,Metadata_ctrl,f1,f2,f3\n"
                "A,DMSO,,1,0.2,0.1\nA,DMSO,,0.8,-0.1,0.3\nA,DMSO,,0.9,0.1,-0.2\n"
                "A,c1,x,0,1,0.2\nA,c1,x,0.1,1,0.1\nA,c2,x,0.3,0.2,1\nA,c2,x,0.2,0.1,0.9\nA,c3,x,1,1,1\n"
                "B,c1,x,0,1,0\nB,c1,x,1,0,0\n");
        f.close();
        QString so, se;
        const int rc = cprecon::test::runCli({QStringLiteral("activity"), QStringLiteral("--profiles"), in,
                                              QStringLiteral("--perturbation-col"), QStringLiteral("Metadata_pert"),
                                              QStringLiteral("--control-query"), QStringLiteral("Metadata_ctrl=="),
                                              QStringLiteral("--group-by"), QStringLiteral("Metadata_line"),
                                              QStringLiteral("--null-size"), QStringLiteral("1000"),
                                              QStringLiteral("--out"), dir.filePath(QStringLiteral("o.csv"))},
                                             &so, &se);
        QVERIFY2(rc == 0, qPrintable(se));
        QVERIFY2(QRegularExpression(QStringLiteral("^fraction_retrieved\\[Metadata_line=A\\]: [0-9.]+$"),
                                    QRegularExpression::MultilineOption).match(so).hasMatch(), qPrintable(so));
        QVERIFY2(so.contains(QStringLiteral("fraction_retrieved[Metadata_line=B]: excluded (no negative controls")), qPrintable(so));
        QVERIFY2(so.contains(QStringLiteral("excluded: 1 perturbation(s) with < 2 replicates")) && so.contains(QStringLiteral("c3")), qPrintable(so));
        QFile o(dir.filePath(QStringLiteral("o.csv")));
        QVERIFY(o.open(QIODevice::ReadOnly));
        QVERIFY(o.readLine().startsWith("Metadata_line,Metadata_pert,n_replicates,mean_average_precision,p_value"));
        QVERIFY(!o.readAll().contains("nan"));

        // Missing metadata column: non-zero exit, the column named.
        const int rc2 = cprecon::test::runCli({QStringLiteral("activity"), QStringLiteral("--profiles"), in,
                                               QStringLiteral("--perturbation-col"), QStringLiteral("Metadata_compound"),
                                               QStringLiteral("--control-query"), QStringLiteral("Metadata_ctrl=="),
                                               QStringLiteral("--out"), dir.filePath(QStringLiteral("o2.csv"))},
                                              &so, &se);
        QVERIFY(rc2 != 0);
        QVERIFY2(se.contains(QStringLiteral("Metadata_compound")), qPrintable(se));
    }
};

QTEST_GUILESS_MAIN(TestCliActivity)
#include "tst_activity.moc"
