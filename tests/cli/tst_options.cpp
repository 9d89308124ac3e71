// cprecon-cli's options: declared once per command, parsed by QCommandLineParser. Unknown options and numbers out
// of range are errors naming the option; every command's --help is generated from its declarations.
#include "TestSupport.h"

#include <QRegularExpression>

using cprecon::test::runCli;

class TestOptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unknownOptionIsAnErrorNamingIt()
    {
        const QString sample = cprecon::test::sourceDir() + QStringLiteral("/resources/sample");
        QString out, err;
        const int rc = runCli({QStringLiteral("screen"), QStringLiteral("info"), sample, QStringLiteral("--no-such-option")}, &out, &err);
        QVERIFY2(rc != 0 && rc > -2, qPrintable(QString::number(rc)));
        QVERIFY2(err.contains(QStringLiteral("no-such-option")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("screen info --help")), qPrintable(err));
    }

    void numbersAreRangeChecked()
    {
        QString out, err;
        const int rc = runCli({QStringLiteral("activity"), QStringLiteral("--profiles"), QStringLiteral("p.csv"),
                               QStringLiteral("--perturbation-col"), QStringLiteral("c"), QStringLiteral("--control-query"),
                               QStringLiteral("c==d"), QStringLiteral("--out"), QStringLiteral("o.csv"), QStringLiteral("--null-size"),
                               QStringLiteral("0")},
                              &out, &err);
        QVERIFY(rc != 0 && rc > -2);
        QVERIFY2(err.contains(QStringLiteral("--null-size")) && err.contains(QStringLiteral(">= 1")), qPrintable(err));
        QVERIFY(runCli({QStringLiteral("phantom"), QStringLiteral("--out"), QStringLiteral("/nonexistent/x"), QStringLiteral("--plates"),
                        QStringLiteral("two")},
                       &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("--plates expects an integer")), qPrintable(err));
        QVERIFY(runCli({QStringLiteral("phantom"), QStringLiteral("--threads"), QStringLiteral("0"), QStringLiteral("--out"), QStringLiteral("x")},
                       &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("--threads")), qPrintable(err));
    }

    void optionsGivenTwiceAndFlagsBeforePositionals()
    {
        QString out, err;
        QVERIFY(runCli({QStringLiteral("phantom"), QStringLiteral("--out"), QStringLiteral("a"), QStringLiteral("--out"), QStringLiteral("b")},
                       &out, &err) != 0);
        QVERIFY2(err.contains(QStringLiteral("given 2 times")), qPrintable(err));
        // A flag never swallows the positional after it.
        const QString sample = cprecon::test::sourceDir() + QStringLiteral("/resources/sample");
        QCOMPARE(runCli({QStringLiteral("screen"), QStringLiteral("info"), QStringLiteral("--json"), sample}, &out, &err), 0);
        QVERIFY2(out.trimmed().startsWith(QLatin1Char('{')), qPrintable(out.left(200) + err));
    }

    void everyCommandHasGeneratedHelp()
    {
        QString out, err;
        QCOMPARE(runCli({QStringLiteral("--help")}, &out, &err), 0);
        static const QRegularExpression line(QStringLiteral("^  ([a-z]+(?: [a-z]+)?)\\s{2,}"), QRegularExpression::MultilineOption);
        QStringList commands;
        for (auto it = line.globalMatch(out); it.hasNext();) commands << it.next().captured(1);
        QVERIFY2(commands.size() >= 12, qPrintable(out));
        for (const QString &c : commands) {
            QStringList args = c.split(QLatin1Char(' '));
            args << QStringLiteral("--help");
            QString help, herr;
            QCOMPARE(runCli(args, &help, &herr), 0);
            QVERIFY2(help.startsWith(QStringLiteral("Usage: cprecon-cli ") + c), qPrintable(c + QStringLiteral(": ") + help.left(200)));
            QVERIFY2(help.contains(QStringLiteral("--threads N")), qPrintable(c));
        }
    }
};

QTEST_GUILESS_MAIN(TestOptions)
#include "tst_options.moc"
