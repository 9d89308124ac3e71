// The bad-input matrix: each class of malformed input cprecon-cli meets — images (truncated, empty, garbage, wrong
// size, RGB), load_data CSVs (missing columns, binary content), illumination functions, checkpoints (truncated,
// malicious pickle), profiles (NaN, text, no controls), options (out of range, unknown) and output (read-only folder,
// full disk by a tiny tmpfs and by a file size limit) — gives the message docs/user/troubleshooting.md documents for
// it, with the file (or option) it is about and the fix, exits non-zero without a signal, and leaves every result a
// run had already stored in place; where the input is then repaired, the run resumes to the bytes of a clean run.
#include "TestSupport.h"
#include "../weights/TorchZipTestWriter.h"

#include "run/ResultsStore.h"
#include "weights/SafetensorsFile.h"

#include <QDirIterator>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <memory>

using cprecon::run::ResultsStore;
using cprecon::run::SiteKey;
using cprecon::run::TileMetricRow;

namespace {

struct Outcome {
    bool signalled = false;
    int exitCode = -1;
    QString out, err;
};

// cprecon-cli in `cwd`; fileSizeLimit > 0 caps every file it writes (RLIMIT_FSIZE, SIGXFSZ ignored: a write past the
// cap fails with EFBIG, as a write to a full disk fails with ENOSPC).
Outcome runCliIn(const QStringList &args, const QString &cwd, qint64 fileSizeLimit = 0)
{
    QProcess p;
    p.setWorkingDirectory(cwd);
    if (fileSizeLimit > 0)
        p.setChildProcessModifier([fileSizeLimit] {
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit r{rlim_t(fileSizeLimit), rlim_t(fileSizeLimit)};
            ::setrlimit(RLIMIT_FSIZE, &r);
        });
    p.start(cprecon::test::cliPath(), args);
    Outcome o;
    if (!p.waitForStarted(30000) || !p.waitForFinished(300000)) {
        p.kill();
        p.waitForFinished(5000);
        o.signalled = true;
        o.err = QStringLiteral("did not finish: cprecon-cli ") + args.join(QLatin1Char(' '));
        return o;
    }
    o.signalled = p.exitStatus() != QProcess::NormalExit;
    o.exitCode = p.exitCode();
    o.out = QString::fromUtf8(p.readAllStandardOutput());
    o.err = QString::fromUtf8(p.readAllStandardError());
    return o;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

bool copyFolder(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    QDirIterator it(from, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + QLatin1Char('/') + QDir(from).relativeFilePath(path);
        if (it.fileInfo().isDir() ? !QDir().mkpath(target) : !QFile::copy(path, target)) return false;
    }
    return true;
}

// Every stored (site, source) with its tile metrics and embedding, as text: what "no result lost" compares.
QMap<QString, QString> storedResults(const QString &run)
{
    QMap<QString, QString> all;
    const ResultsStore s = ResultsStore::open(run);
    auto name = [](const SiteKey &k) {
        return QStringLiteral("%1/%2/%3/%4/%5").arg(QString::fromStdString(k.model)).arg(k.repeat)
            .arg(QString::fromStdString(k.plate), QString::fromStdString(k.well)).arg(k.site);
    };
    for (const SiteKey &k : s.sites()) {
        QString &text = all[name(k)];
        for (float v : s.embedding(k, "handcrafted")) text += QString::number(v, 'g', 9) + QLatin1Char(' ');
    }
    s.forEachTileMetric([&](const SiteKey &k, const TileMetricRow &r) {
        all[name(k)] += QStringLiteral("|%1 %2 %3 %4 %5 %6").arg(r.tileRow).arg(r.tileCol).arg(QString::fromStdString(r.stain))
                            .arg(r.mae, 0, 'g', 17).arg(r.ssim, 0, 'g', 17).arg(r.emd, 0, 'g', 17);
    });
    return all;
}

// The troubleshooting table's row whose message cell contains `key`; every literal part of its message and of its
// fix (the text between the "…" placeholders) must be in `shown`. Returns what is wrong, empty when documented.
QString checkDocumented(const QString &doc, const QString &key, const QString &shown)
{
    for (QString line : doc.split(QLatin1Char('\n'))) {
        if (!line.startsWith(QLatin1String("| "))) continue;
        line.replace(QLatin1String("\\|"), QStringLiteral("\x01"));
        QStringList cells = line.split(QLatin1Char('|'));
        if (cells.size() < 4) continue;
        for (QString &c : cells) c = c.replace(QLatin1Char('\x01'), QLatin1Char('|')).trimmed();
        const QString message = cells[1], fix = cells[2];
        if (!message.contains(key)) continue;
        for (const QString &cell : {message, fix.startsWith(QStringLiteral("—")) ? QString() : fix}) {
            QString m = cell;
            m.remove(QStringLiteral(" (Problems panel)"));
            for (const QString &part : m.split(QStringLiteral("…"), Qt::SkipEmptyParts))
                if (!part.trimmed().isEmpty() && !shown.contains(part.trimmed()))
                    return QStringLiteral("documented part '%1' (row '%2') is not in the message").arg(part.trimmed(), message);
        }
        return {};
    }
    return QStringLiteral("no row of docs/user/troubleshooting.md has '%1'").arg(key);
}

// A tmpfs of `kib` KiB on `dir` (root only); unmounted on destruction.
struct Tmpfs {
    QString dir;
    bool mounted = false;
    Tmpfs(const QString &d, int kib, bool readOnly = false) : dir(d)
    {
        QDir().mkpath(dir);
        const QByteArray options = "size=" + QByteArray::number(kib) + "k";
        mounted = ::mount("tmpfs", dir.toLocal8Bit().constData(), "tmpfs", readOnly ? MS_RDONLY : 0, options.constData()) == 0;
    }
    bool grow(int kib)
    {
        const QByteArray options = "size=" + QByteArray::number(kib) + "k";
        return ::mount("tmpfs", dir.toLocal8Bit().constData(), "tmpfs", MS_REMOUNT, options.constData()) == 0;
    }
    ~Tmpfs()
    {
        if (mounted) ::umount2(dir.toLocal8Bit().constData(), MNT_DETACH);
    }
};

qint64 folderSize(const QString &dir)
{
    qint64 n = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        n += it.fileInfo().size();
    }
    return n;
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_screen, m_reference, m_base, m_doc, m_profiles;
    QString m_images, m_illum, m_loadData;

    // One class of bad input. `prepare` damages the input (undone after the case) and returns the command's
    // arguments; `key` finds the documented row; `names` must be in the error line (the file or the option).
    struct Invocation {
        QStringList args;
        QString store;               // a run folder whose stored results must all survive
        qint64 fileSizeLimit = 0;
        std::function<void()> afterFailure; // e.g. make room on the disk again
        bool resumeAfterRepair = false;     // once repaired, the run resumes to the reference's bytes
    };
    struct Case {
        QString name;
        std::function<Invocation(const QString &caseDir)> prepare;
        QString key, names;
    };
    std::vector<Case> m_cases;
    QMap<QString, QByteArray> m_backup; // files a case damaged, restored after it
    std::vector<std::unique_ptr<Tmpfs>> m_mounts; // unmounted before the temporary folder goes

    QStringList runArgs(const QString &out) const
    {
        return {QStringLiteral("run"), QStringLiteral("--screen"), m_screen, QStringLiteral("--model"), QStringLiteral("bicubic8"),
                QStringLiteral("--extractor"), QStringLiteral("handcrafted"), QStringLiteral("--crop"), QStringLiteral("256"),
                QStringLiteral("--repeats"), QStringLiteral("1"), QStringLiteral("--null-size"), QStringLiteral("1000"),
                QStringLiteral("--out"), out};
    }
    QString image(const QString &well, int channel) const // r05c01 = E01; ch5 = DNA, ch1 = Mito (Phenix numbering)
    {
        const int row = well[0].toLatin1() - 'A' + 1, col = well.mid(1).toInt();
        return m_images + QStringLiteral("/r%1c%2f01p01-ch%3sk1fk1fl1.tiff").arg(row, 2, 10, QLatin1Char('0')).arg(col, 2, 10, QLatin1Char('0')).arg(channel);
    }
    void damage(const QString &path, const QByteArray &bytes)
    {
        if (!m_backup.contains(path)) m_backup.insert(path, readAll(path));
        writeAll(path, bytes);
    }
    void damageImage(const QString &path, const cv::Mat &img)
    {
        if (!m_backup.contains(path)) m_backup.insert(path, readAll(path));
        QVERIFY(cv::imwrite(path.toStdString(), img));
    }
    void restore()
    {
        for (auto it = m_backup.begin(); it != m_backup.end(); ++it) writeAll(it.key(), it.value());
        m_backup.clear();
    }
    // A copy of the partial run (sites A01..B12 stored) to resume with the damaged input.
    Invocation resumeOfBase(const QString &caseDir)
    {
        const QString run = caseDir + QStringLiteral("/run");
        if (!copyFolder(m_base, run)) QTest::qFail("cannot copy the partial run", __FILE__, __LINE__);
        Invocation inv;
        inv.args = runArgs(run) << QStringLiteral("--resume");
        inv.store = run;
        return inv;
    }
    QByteArray csvWithoutColumn(const QString &path, const QString &column)
    {
        const QList<QByteArray> lines = readAll(path).split('\n');
        const int drop = QString::fromUtf8(lines.first()).split(QLatin1Char(',')).indexOf(column);
        if (drop < 0) QTest::qFail(qPrintable(column + QStringLiteral(" not in ") + path), __FILE__, __LINE__);
        QByteArray out;
        for (const QByteArray &l : lines) {
            if (l.isEmpty()) continue;
            QList<QByteArray> cells = l.split(',');
            cells.removeAt(drop);
            out += cells.join(',') + '\n';
        }
        return out;
    }
    QByteArray profilesWith(const QByteArray &value)
    {
        QList<QByteArray> lines = readAll(m_profiles).split('\n');
        const int col = QString::fromUtf8(lines.first()).split(QLatin1Char(',')).indexOf(QStringLiteral("DNA_Intensity_SD"));
        QList<QByteArray> cells = lines[4].split(','); // line 5 of the file
        // The dataset label is quoted and holds a comma: the feature sits one cell further right in a naive split.
        cells[col + 1] = value;
        lines[4] = cells.join(',');
        return lines.join('\n');
    }
    QStringList activityArgs(const QString &profiles, const QString &out, const QString &controls) const
    {
        return {QStringLiteral("activity"), QStringLiteral("--profiles"), profiles, QStringLiteral("--perturbation-col"),
                QStringLiteral("Metadata_broad_sample"), QStringLiteral("--control-query"), controls,
                QStringLiteral("--feature-prefix"), QStringLiteral("DNA_"), QStringLiteral("--null-size"), QStringLiteral("200"),
                QStringLiteral("--nonfinite"), QStringLiteral("error"), QStringLiteral("--out"), out};
    }

    void buildCases();

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_doc = QString::fromUtf8(readAll(cprecon::test::sourceDir() + QStringLiteral("/docs/user/troubleshooting.md")));
        QVERIFY(!m_doc.isEmpty());
        m_screen = m_dir.filePath(QStringLiteral("screen"));
        const Outcome ph = runCliIn({QStringLiteral("phantom"), QStringLiteral("--out"), m_screen, QStringLiteral("--plates"), QStringLiteral("1"),
                                     QStringLiteral("--wells"), QStringLiteral("96"), QStringLiteral("--size"), QStringLiteral("256"),
                                     QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--quiet")},
                                    m_dir.path());
        QVERIFY2(ph.exitCode == 0, qPrintable(ph.err));
        // Read as any cellpainting-gallery screen (its load_data CSVs), not through the phantom marker.
        QVERIFY(QFile::remove(m_screen + QStringLiteral("/phantom.json")));
        m_images = m_screen + QStringLiteral("/images/phantom_batch/images/PHANTOM-P01__phantom/Images");
        m_illum = m_screen + QStringLiteral("/images/phantom_batch/illum/PHANTOM-P01");
        m_loadData = m_screen + QStringLiteral("/workspace/load_data_csv/phantom_batch/PHANTOM-P01");
        QVERIFY(QFileInfo::exists(image(QStringLiteral("E01"), 5)));

        m_reference = m_dir.filePath(QStringLiteral("reference"));
        const Outcome ref = runCliIn(runArgs(m_reference), m_dir.path());
        QVERIFY2(ref.exitCode == 0, qPrintable(ref.err));
        m_profiles = m_reference + QStringLiteral("/report/well_profiles_handcrafted_mean_original.csv");
        QVERIFY(QFileInfo::exists(m_profiles));

        // The partial run every resume case starts from: stopped by a truncated image at C01.
        m_base = m_dir.filePath(QStringLiteral("base"));
        const QString c01 = image(QStringLiteral("C01"), 5);
        damage(c01, readAll(c01).left(5000));
        const Outcome base = runCliIn(runArgs(m_base), m_dir.path());
        restore();
        QVERIFY2(base.exitCode == 1 && base.err.contains(c01), qPrintable(base.err));
        const auto stored = storedResults(m_base);
        QCOMPARE(stored.size(), 2 * 24); // A01..B12, originals and bicubic8
        buildCases();
    }

    void cleanupTestCase() { m_mounts.clear(); }

    void everyClass_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(m_cases.size()); ++i) QTest::newRow(qPrintable(m_cases[size_t(i)].name)) << i;
    }

    void everyClass()
    {
        QFETCH(int, index);
        const Case &c = m_cases[size_t(index)];
        const QString caseDir = m_dir.filePath(QStringLiteral("case-") + c.name);
        QVERIFY(QDir().mkpath(caseDir));
        struct Restore {
            TestBadInput *t;
            ~Restore() { t->restore(); }
        } restoreAfter{this};
        const Invocation inv = c.prepare(caseDir);
        QVERIFY(!inv.args.isEmpty());
        const QMap<QString, QString> before = inv.store.isEmpty() ? QMap<QString, QString>() : storedResults(inv.store);

        const Outcome o = runCliIn(inv.args, caseDir, inv.fileSizeLimit);
        QVERIFY2(!o.signalled, qPrintable(QStringLiteral("ended by a signal: ") + o.err));
        QVERIFY2(o.exitCode != 0 && o.exitCode != 130, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
        // The error is the last thing printed; its message may span lines (a list of reasons).
        const QString err = QLatin1Char('\n') + o.err;
        const qsizetype at = err.lastIndexOf(QLatin1String("\nerror: "));
        const QString line = at >= 0 ? err.mid(at + 1).trimmed() : QString();
        QVERIFY2(!line.isEmpty(), qPrintable(QStringLiteral("no error line in: ") + o.err));
        QVERIFY2(line.contains(c.names), qPrintable(QStringLiteral("'%1' not named in: %2").arg(c.names, line)));
        QVERIFY2(line.contains(QLatin1String(" (fix: ")), qPrintable(QStringLiteral("no fix in: ") + line));
        const QString documented = checkDocumented(m_doc, c.key, line);
        QVERIFY2(documented.isEmpty(), qPrintable(documented + QStringLiteral("\n  ") + line));
        QVERIFY2(!QFileInfo::exists(caseDir + QStringLiteral("/pwned")), "a checkpoint ran code");

        if (inv.afterFailure) inv.afterFailure();
        if (!inv.store.isEmpty()) {
            const QMap<QString, QString> after = storedResults(inv.store);
            for (auto it = before.begin(); it != before.end(); ++it)
                QVERIFY2(after.value(it.key()) == it.value(), qPrintable(it.key() + QStringLiteral(" was lost or changed")));
            qInfo("%s: %lld results stored before, %lld after", qPrintable(c.name), qlonglong(before.size()), qlonglong(after.size()));
        }
        if (inv.resumeAfterRepair) {
            restore();
            const Outcome again = runCliIn(inv.args, caseDir);
            QVERIFY2(again.exitCode == 0, qPrintable(again.err));
            const auto ref = cprecon::test::folderBytes(m_reference + QStringLiteral("/report"));
            const auto got = cprecon::test::folderBytes(inv.store + QStringLiteral("/report"));
            QCOMPARE(got.keys(), ref.keys());
            for (auto it = ref.begin(); it != ref.end(); ++it)
                QVERIFY2(got.value(it.key()) == it.value(), qPrintable(it.key() + QStringLiteral(" differs from the clean run")));
        }
    }

    // A run stopped by a damaged checkpoint resumes once the file is repaired: the weights' identity is recorded only
    // after the networks loaded from them (before, the repaired file was refused as "changed since the run started").
    void repairedCheckpointResumes()
    {
        CPRECON_REQUIRE_PATH(tiny, cprecon::test::fixture(QStringLiteral("vae/tiny")));
        const QString dir = m_dir.filePath(QStringLiteral("repaired-checkpoint")), vae = dir + QStringLiteral("/vae");
        QVERIFY(QDir().mkpath(vae));
        QVERIFY(QFile::copy(tiny + QStringLiteral("/config.json"), vae + QStringLiteral("/config.json")));
        const QString weights = vae + QStringLiteral("/diffusion_pytorch_model.safetensors");
        const QByteArray good = readAll(tiny + QStringLiteral("/diffusion_pytorch_model.safetensors"));
        writeAll(weights, good.left(good.size() / 2));
        QStringList args = runArgs(dir + QStringLiteral("/run"));
        args[4] = QStringLiteral("sd-vae:") + vae;
        args << QStringLiteral("--well") << QStringLiteral("A01,A02");
        const Outcome cut = runCliIn(args, dir);
        QVERIFY2(!cut.signalled && cut.exitCode == 1, qPrintable(cut.err));
        QVERIFY2(cut.err.contains(weights) && cut.err.contains(QLatin1String("truncated")), qPrintable(cut.err));
        writeAll(weights, good);
        const Outcome resumed = runCliIn(args << QStringLiteral("--resume"), dir);
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.out.contains(QLatin1String("4 (site, source) results computed")), qPrintable(resumed.out));
    }
};

void TestBadInput::buildCases()
{
    const QString e01 = image(QStringLiteral("E01"), 5), e01Mito = image(QStringLiteral("E01"), 1);
    const QString illumDna = m_illum + QStringLiteral("/PHANTOM-P01_IllumDNA.npy");
    const QString withIllum = m_loadData + QStringLiteral("/load_data_with_illum.csv"), plain = m_loadData + QStringLiteral("/load_data.csv");
    auto resumeWith = [this](std::function<void()> damageIt, bool repairAndResume = false) {
        return [this, damageIt, repairAndResume](const QString &dir) {
            damageIt();
            Invocation inv = resumeOfBase(dir);
            inv.resumeAfterRepair = repairAndResume;
            return inv;
        };
    };
    QRandomGenerator rng(20261202);
    const QByteArray garbage = [&] {
        QByteArray b(int(QFileInfo(e01).size()), Qt::Uninitialized);
        for (char &ch : b) ch = char(rng.bounded(256));
        return b;
    }();

    // Images: the run stops at E01, keeps A01..D12, and a repaired file resumes to the clean run's bytes.
    m_cases.push_back({QStringLiteral("tiff-truncated"), resumeWith([=] { damage(e01, readAll(e01).left(5000)); }, true),
                       QStringLiteral("cannot decode image (corrupt, truncated"), e01});
    m_cases.push_back({QStringLiteral("tiff-zero-bytes"), resumeWith([=] { damage(e01, {}); }),
                       QStringLiteral("image file is empty (0 bytes)"), e01});
    m_cases.push_back({QStringLiteral("tiff-garbage"), resumeWith([=] { damage(e01, garbage); }),
                       QStringLiteral("cannot decode image (corrupt, truncated"), e01});
    m_cases.push_back({QStringLiteral("tiff-wrong-size"),
                       resumeWith([=] { damageImage(e01Mito, cv::Mat(300, 200, CV_16UC1, cv::Scalar(1000))); }),
                       QStringLiteral(": stain …is …x…but"), e01Mito});
    m_cases.push_back({QStringLiteral("rgb-for-one-channel"),
                       resumeWith([=] { damageImage(e01, cv::Mat(256, 256, CV_8UC3, cv::Scalar(10, 20, 30))); }),
                       QStringLiteral("expected a single-channel (grayscale) image"), e01});

    // Illumination functions (the plate's DNA one): the run stops at the first site it still has to compute.
    auto npy = [](int rows, int cols, double value) {
        QByteArray header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + QByteArray::number(rows) + ", " +
                            QByteArray::number(cols) + "), }";
        while ((10 + header.size() + 1) % 64) header += ' ';
        header += '\n';
        QByteArray b("\x93NUMPY\x01\x00", 8);
        b += char(header.size() & 0xff);
        b += char(header.size() >> 8);
        b += header;
        for (int i = 0; i < rows * cols; ++i) b.append(reinterpret_cast<const char *>(&value), sizeof value);
        return b;
    };
    m_cases.push_back({QStringLiteral("illum-garbage"), resumeWith([=] { damage(illumDna, garbage.left(3000)); }),
                       QStringLiteral("not a NumPy .npy file"), illumDna});
    m_cases.push_back({QStringLiteral("illum-truncated"), resumeWith([=] { damage(illumDna, readAll(illumDna).left(3000)); }),
                       QStringLiteral(".npy data truncated"), illumDna});
    m_cases.push_back({QStringLiteral("illum-wrong-size"), resumeWith([=] { damage(illumDna, npy(10, 12, 1.0)); }),
                       QStringLiteral("(WxH) but image"), illumDna});
    m_cases.push_back({QStringLiteral("illum-zeros"), resumeWith([=] { damage(illumDna, npy(256, 256, 0.0)); }),
                       QStringLiteral("illumination value(s) are zero, negative or not finite"), illumDna});

    // load_data CSVs: the screen is refused before any work, naming the CSV.
    m_cases.push_back({QStringLiteral("load-data-missing-column"), resumeWith([=] {
                           damage(withIllum, csvWithoutColumn(withIllum, QStringLiteral("FileName_OrigDNA")));
                           damage(plain, csvWithoutColumn(plain, QStringLiteral("FileName_OrigDNA")));
                       }),
                       QStringLiteral("loading error(s); the first:"), withIllum});
    m_cases.push_back({QStringLiteral("load-data-binary"), resumeWith([=] { damage(withIllum, garbage.left(20000)); }),
                       QStringLiteral("not a text CSV (binary or empty content)"), withIllum});

    // Checkpoints: named before the first site; the run folder resumes once the file is repaired.
    m_cases.push_back({QStringLiteral("checkpoint-truncated"), [this](const QString &dir) {
                           cprecon::SafetensorsWriter w;
                           w.addFloat("encoder.conv_in.weight", {128, 3, 3, 3}, std::vector<float>(128 * 27, 0.5f));
                           const QString file = dir + QStringLiteral("/vae.safetensors");
                           w.write(file.toStdString());
                           writeAll(file, readAll(file).left(4000));
                           Invocation inv;
                           inv.args = runArgs(dir + QStringLiteral("/run"));
                           inv.args[4] = QStringLiteral("sd-vae:") + file;
                           return inv;
                       },
                       QStringLiteral("lies outside the file"), QStringLiteral("vae.safetensors")});
    m_cases.push_back({QStringLiteral("checkpoint-malicious-pickle"), [this](const QString &dir) {
                           // torch.save of os.system('touch pwned'): GLOBAL posix system, args, REDUCE
                           const std::string pkl = std::string("\x80\x02", 2) + "cposix\nsystem\nq\x00X\x0b\x00\x00\x00touch pwnedq\x01\x85R.";
                           const QString file = dir + QStringLiteral("/evil.pth");
                           cprecon::testzip::writeZip(file.toStdString(), {{"archive/data.pkl", pkl}, {"archive/version", "3\n"}});
                           Invocation inv;
                           inv.args = runArgs(dir + QStringLiteral("/run"));
                           inv.args[4] = QStringLiteral("sd-vae:") + file;
                           return inv;
                       },
                       QStringLiteral("refusing the Python global"), QStringLiteral("evil.pth")});

    // Profiles given to `activity`.
    m_cases.push_back({QStringLiteral("profiles-nan"), [this](const QString &dir) {
                           writeAll(dir + QStringLiteral("/p.csv"), profilesWith("nan"));
                           return Invocation{activityArgs(dir + QStringLiteral("/p.csv"), dir + QStringLiteral("/a.csv"),
                                                          QStringLiteral("Metadata_control_type==negcon"))};
                       },
                       QStringLiteral("feature '…' is …in data row"), QStringLiteral("p.csv:5")});
    m_cases.push_back({QStringLiteral("profiles-text"), [this](const QString &dir) {
                           writeAll(dir + QStringLiteral("/p.csv"), profilesWith("n/a (failed)"));
                           return Invocation{activityArgs(dir + QStringLiteral("/p.csv"), dir + QStringLiteral("/a.csv"),
                                                          QStringLiteral("Metadata_control_type==negcon"))};
                       },
                       QStringLiteral("holds a non-number"), QStringLiteral("p.csv:5")});
    m_cases.push_back({QStringLiteral("profiles-no-controls"), [this](const QString &dir) {
                           return Invocation{activityArgs(m_profiles, dir + QStringLiteral("/a.csv"), QStringLiteral("Metadata_control_type==DMSO"))};
                       },
                       QStringLiteral("no perturbation could be evaluated"), m_profiles});

    // Options.
    m_cases.push_back({QStringLiteral("option-out-of-range"), [this](const QString &dir) {
                           Invocation inv = resumeOfBase(dir);
                           inv.args << QStringLiteral("--batch-size") << QStringLiteral("0");
                           return inv;
                       },
                       QStringLiteral("is out of range (got"), QStringLiteral("--batch-size")});
    m_cases.push_back({QStringLiteral("option-unknown"), [this](const QString &dir) {
                           Invocation inv = resumeOfBase(dir);
                           inv.args << QStringLiteral("--modle") << QStringLiteral("jpeg:10");
                           return inv;
                       },
                       QStringLiteral("Unknown option '"), QStringLiteral("'modle'")});

    // Output: a folder that cannot be written, a disk that fills up.
    const bool root = ::geteuid() == 0;
    m_cases.push_back({QStringLiteral("output-read-only"), [this, root](const QString &dir) {
                           const QString ro = dir + QStringLiteral("/read-only");
                           if (root) { // root writes through permission bits: a read-only file system instead
                               m_mounts.push_back(std::make_unique<Tmpfs>(ro, 1024, true));
                               if (!m_mounts.back()->mounted) QTest::qFail("mount of a read-only tmpfs failed", __FILE__, __LINE__);
                           } else {
                               QDir().mkpath(ro);
                               QFile::setPermissions(ro, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
                           }
                           return Invocation{runArgs(ro + QStringLiteral("/run"))};
                       },
                       QStringLiteral("cannot create the run folder"), QStringLiteral("read-only/run")});
    m_cases.push_back({QStringLiteral("output-file-size-limit"), [this](const QString &dir) {
                           Invocation inv = resumeOfBase(dir);
                           // Room for about sixteen more results: the tile pass fails in its middle.
                           const qint64 store = QFileInfo(inv.store + QStringLiteral("/results.sqlite")).size();
                           inv.fileSizeLimit = store + 16 * store / 48;
                           inv.resumeAfterRepair = true;
                           return inv;
                       },
                       QStringLiteral("results store: write error ("), QStringLiteral("results.sqlite")});
    if (root) {
        m_cases.push_back({QStringLiteral("output-disk-full-tmpfs"), [this](const QString &dir) {
                               const QString disk = dir + QStringLiteral("/disk");
                               m_mounts.push_back(std::make_unique<Tmpfs>(disk, int(folderSize(m_base) / 1024) + 600));
                               Tmpfs *fs = m_mounts.back().get();
                               if (!fs->mounted) QTest::qFail("mount of a tmpfs failed", __FILE__, __LINE__);
                               const QString run = disk + QStringLiteral("/run");
                               copyFolder(m_base, run);
                               Invocation inv;
                               inv.args = runArgs(run) << QStringLiteral("--resume");
                               inv.store = run;
                               inv.afterFailure = [fs] { QVERIFY(fs->grow(256 * 1024)); }; // the user frees space
                               inv.resumeAfterRepair = true;
                               return inv;
                           },
                           QStringLiteral("results store: the disk is full"), QStringLiteral("results.sqlite")});
    } else {
        qInfo("not root: the full disk is exercised by the file size limit only (mounting a tmpfs needs root)");
    }
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
