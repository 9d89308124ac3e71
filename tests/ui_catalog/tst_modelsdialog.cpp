// Models dialog and model picker, offscreen, on a fake HF cache + user models folder built here (env pointed at it):
// statuses shown per model, non-commercial licence flagged, Locate… remembered, Download with the progress bar
// against a loopback server, background checksum verification; the picker lists the baselines and found VAEs.
#include "../catalog/LoopbackHttpServer.h"
#include "ModelsDialog.h"
#include "TestSupport.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace cprecon::models;
using namespace cprecon::ui;

namespace {

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString sha256(const QByteArray &d)
{
    return QString::fromLatin1(QCryptographicHash::hash(d, QCryptographicHash::Sha256).toHex());
}

// snapshots/<rev>/<rel> -> ../../[..]/blobs/<sha256>, as huggingface_hub lays it out.
bool addHfFile(const QString &repoDir, const QString &rev, const QString &rel, const QByteArray &content, const QByteArray &stored = {})
{
    const QString blob = repoDir + QStringLiteral("/blobs/") + sha256(content);
    if (!writeFile(blob, stored.isEmpty() ? content : stored)) return false;
    const QString link = repoDir + QStringLiteral("/snapshots/") + rev + QLatin1Char('/') + rel;
    QDir().mkpath(QFileInfo(link).absolutePath());
    QString target;
    for (int i = 0; i < rel.count(QLatin1Char('/')) + 2; ++i) target += QStringLiteral("../");
    return QFile::link(target + QStringLiteral("blobs/") + sha256(content), link);
}

} // namespace

class TestModelsDialog : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QByteArray m_weights, m_config;
    QString m_hub, m_user;

    QString cell(const ModelsDialog &d, const QString &model, int column)
    {
        const int row = d.rowOf(model);
        return row >= 0 && d.table()->item(row, column) ? d.table()->item(row, column)->text() : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        CPRECON_REQUIRE_PATH(weights, cprecon::test::fixture(QStringLiteral("vae/tiny/diffusion_pytorch_model.safetensors")));
        m_weights = readAll(weights);
        m_config = readAll(cprecon::test::fixture(QStringLiteral("vae/tiny/config.json")));
        QVERIFY(m_tmp.isValid());
        for (const char *v : {"HF_HOME", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "CPRECON_MODEL_REGISTRY"}) qunsetenv(v);
        qputenv("HOME", m_tmp.filePath(QStringLiteral("home")).toUtf8());
        qputenv("XDG_DATA_HOME", m_tmp.filePath(QStringLiteral("home/share")).toUtf8());
        m_hub = m_tmp.filePath(QStringLiteral("hub"));
        m_user = m_tmp.filePath(QStringLiteral("models"));
        qputenv("HF_HUB_CACHE", m_hub.toUtf8());
        qputenv("TORCH_HOME", m_tmp.filePath(QStringLiteral("torch")).toUtf8());
        qputenv("CPRECON_MODELS", m_user.toUtf8());

        // sd-vae-v1-4 in the HF cache (refs/main -> rev1), sd-vae-ft-mse with a corrupt blob, openphenom half downloaded.
        const QString sd = m_hub + QStringLiteral("/models--CompVis--stable-diffusion-v1-4");
        QVERIFY(addHfFile(sd, QStringLiteral("rev1"), QStringLiteral("vae/config.json"), m_config));
        QVERIFY(addHfFile(sd, QStringLiteral("rev1"), QStringLiteral("vae/diffusion_pytorch_model.safetensors"), m_weights));
        QVERIFY(writeFile(sd + QStringLiteral("/refs/main"), "rev1"));
        const QString mse = m_hub + QStringLiteral("/models--stabilityai--sd-vae-ft-mse");
        QByteArray bad = m_weights;
        bad[77] = char(bad[77] ^ 0x10);
        QVERIFY(addHfFile(mse, QStringLiteral("r"), QStringLiteral("config.json"), m_config));
        QVERIFY(addHfFile(mse, QStringLiteral("r"), QStringLiteral("diffusion_pytorch_model.safetensors"), m_weights, bad));
        QVERIFY(writeFile(m_user + QStringLiteral("/openphenom/model.safetensors.part"), QByteArray(4321, 'p')));
    }

    void showsStatusesAndLicences()
    {
        QSettings settings(m_tmp.filePath(QStringLiteral("s1.ini")), QSettings::IniFormat);
        ModelsDialog d(ModelRegistry::builtin(), &settings);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QCOMPARE(d.table()->rowCount(), int(ModelRegistry::builtin().models().size()));

        QCOMPARE(cell(d, QStringLiteral("sd-vae-v1-4"), ModelsDialog::StatusColumn), QStringLiteral("available"));
        QCOMPARE(cell(d, QStringLiteral("sd-vae-v1-4"), ModelsDialog::PathColumn),
                 m_hub + QStringLiteral("/models--CompVis--stable-diffusion-v1-4/snapshots/rev1/vae  [hf-cache]"));
        QCOMPARE(cell(d, QStringLiteral("sd-vae-v1-4"), ModelsDialog::SizeColumn), QStringLiteral("7.0 MB"));
        QCOMPARE(cell(d, QStringLiteral("openphenom"), ModelsDialog::StatusColumn), QStringLiteral("partial download (4.3 kB)"));
        QVERIFY(cell(d, QStringLiteral("openphenom"), ModelsDialog::LicenceColumn).contains(QStringLiteral("NON-COMMERCIAL")));
        QVERIFY(!cell(d, QStringLiteral("sdxl-vae"), ModelsDialog::LicenceColumn).contains(QStringLiteral("NON-COMMERCIAL")));
        QCOMPARE(cell(d, QStringLiteral("sdxl-vae"), ModelsDialog::StatusColumn), QStringLiteral("missing"));
        QCOMPARE(cell(d, QStringLiteral("inception-fid"), ModelsDialog::StatusColumn), QStringLiteral("missing"));
        QCOMPARE(cell(d, QStringLiteral("bicubic8"), ModelsDialog::StatusColumn), QStringLiteral("available"));
        // Without hashing the corrupt blob still looks fine ...
        QCOMPARE(cell(d, QStringLiteral("sd-vae-ft-mse"), ModelsDialog::StatusColumn), QStringLiteral("available"));

        // ... Verify checksums (background) exposes it and confirms the good one.
        QSignalSpy verified(&d, &ModelsDialog::verificationFinished);
        d.findChild<QPushButton *>(QStringLiteral("verifyButton"))->click();
        QVERIFY(verified.wait(30000));
        QCOMPARE(cell(d, QStringLiteral("sd-vae-ft-mse"), ModelsDialog::StatusColumn), QStringLiteral("checksum mismatch"));
        QCOMPARE(cell(d, QStringLiteral("sd-vae-v1-4"), ModelsDialog::StatusColumn), QStringLiteral("available (verified)"));

        // Selecting a row shows where it comes from and the licence warning; baselines cannot be downloaded.
        d.table()->selectRow(d.rowOf(QStringLiteral("openphenom")));
        if (!qEnvironmentVariableIsEmpty("CPRECON_SCREENSHOTS")) { // for a human look at the layout
            QTest::qWait(50);
            d.grab().save(qEnvironmentVariable("CPRECON_SCREENSHOTS") + QStringLiteral("/models-dialog.png"));
        }
        const QLabel *details = d.findChild<QLabel *>(QStringLiteral("modelDetails"));
        QVERIFY(details->text().contains(QStringLiteral("Non-commercial licence")));
        QVERIFY(details->text().contains(QStringLiteral("https://huggingface.co/recursionpharma/OpenPhenom/resolve/main/model.safetensors")));
        QVERIFY(d.findChild<QPushButton *>(QStringLiteral("downloadButton"))->isEnabled());
        d.table()->selectRow(d.rowOf(QStringLiteral("bicubic8")));
        QVERIFY(!d.findChild<QPushButton *>(QStringLiteral("downloadButton"))->isEnabled());
    }

    void locateIsValidatedAndRemembered()
    {
        QSettings settings(m_tmp.filePath(QStringLiteral("s2.ini")), QSettings::IniFormat);
        ModelsDialog d(ModelRegistry::builtin(), &settings);
        const QString file = m_tmp.filePath(QStringLiteral("downloads/my-sd-vae.safetensors"));
        QVERIFY(writeFile(file, m_weights));
        QString error;
        QVERIFY2(d.locate(QStringLiteral("sd-vae-ft-mse-original"), file, &error), qPrintable(error));
        QCOMPARE(cell(d, QStringLiteral("sd-vae-ft-mse-original"), ModelsDialog::StatusColumn), QStringLiteral("available"));
        QCOMPARE(cell(d, QStringLiteral("sd-vae-ft-mse-original"), ModelsDialog::PathColumn), file + QStringLiteral("  [picked]"));
        QCOMPARE(settings.value(QStringLiteral("models/picked/sd-vae-ft-mse-original")).toString(), file);

        // A folder without the weights is refused with the reason, and nothing is remembered.
        const QString folder = m_tmp.filePath(QStringLiteral("downloads/sdxl"));
        QVERIFY(writeFile(folder + QStringLiteral("/config.json"), m_config));
        QVERIFY(!d.locate(QStringLiteral("sdxl-vae"), folder, &error));
        QVERIFY2(error.contains(QStringLiteral("diffusion_pytorch_model.safetensors")), qPrintable(error));
        QVERIFY(!settings.contains(QStringLiteral("models/picked/sdxl-vae")));

        // A new dialog (next session) still finds the picked file; Forget drops it.
        ModelsDialog again(ModelRegistry::builtin(), &settings);
        QCOMPARE(cell(again, QStringLiteral("sd-vae-ft-mse-original"), ModelsDialog::StatusColumn), QStringLiteral("available"));
        again.forgetLocation(QStringLiteral("sd-vae-ft-mse-original"));
        QCOMPARE(cell(again, QStringLiteral("sd-vae-ft-mse-original"), ModelsDialog::StatusColumn), QStringLiteral("missing"));
    }

    void downloadButtonWithProgress()
    {
        cprecon::test::LoopbackHttpServer srv;
        srv.files.insert("/vae/config.json", m_config);
        srv.files.insert("/vae/diffusion_pytorch_model.safetensors", m_weights);
        srv.trickleChunk = 262144; // a few progress updates
        srv.trickleIntervalMs = 20;
        QVERIFY(srv.listen());

        KnownModel tiny;
        tiny.name = QStringLiteral("tiny-vae");
        tiny.displayName = QStringLiteral("tiny test VAE");
        tiny.kind = ModelKind::Vae;
        tiny.hfRepo = QStringLiteral("test/tiny-vae");
        tiny.subfolder = QStringLiteral("vae");
        tiny.licence = QStringLiteral("test");
        ModelFile cfg;
        cfg.path = QStringLiteral("vae/config.json");
        ModelFile w;
        w.path = QStringLiteral("vae/diffusion_pytorch_model.safetensors");
        w.weights = true;
        w.checksum.sha256 = sha256(m_weights);
        tiny.files = {cfg, w};
        ModelRegistry reg = ModelRegistry::builtin();
        reg.add(tiny);

        QSettings settings(m_tmp.filePath(QStringLiteral("s3.ini")), QSettings::IniFormat);
        ModelsDialog d(reg, &settings);
        d.setUrlBase(srv.baseUrl());
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QCOMPARE(cell(d, QStringLiteral("tiny-vae"), ModelsDialog::StatusColumn), QStringLiteral("missing"));
        d.table()->selectRow(d.rowOf(QStringLiteral("tiny-vae")));
        auto *progress = d.findChild<QProgressBar *>(QStringLiteral("downloadProgress"));
        QSignalSpy finished(&d, &ModelsDialog::downloadFinished);
        int maxProgress = -1;
        bool sawProgressVisible = false;
        QTimer probe;
        connect(&probe, &QTimer::timeout, this, [&] {
            sawProgressVisible |= progress->isVisible();
            if (progress->maximum() == 1000) maxProgress = std::max(maxProgress, progress->value());
        });
        probe.start(10);
        d.findChild<QPushButton *>(QStringLiteral("downloadButton"))->click();
        QVERIFY(d.isDownloading());
        QVERIFY(!d.findChild<QPushButton *>(QStringLiteral("downloadButton"))->isEnabled());
        QVERIFY(d.findChild<QPushButton *>(QStringLiteral("cancelButton"))->isEnabled());
        QVERIFY(finished.wait(30000));
        probe.stop();
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        QVERIFY(sawProgressVisible);
        QVERIFY2(maxProgress > 0, qPrintable(QString::number(maxProgress)));
        QVERIFY(!progress->isVisible());
        QCOMPARE(cell(d, QStringLiteral("tiny-vae"), ModelsDialog::StatusColumn), QStringLiteral("available"));
        QCOMPARE(cell(d, QStringLiteral("tiny-vae"), ModelsDialog::PathColumn), m_user + QStringLiteral("/tiny-vae/vae  [user-folder]"));
        QCOMPARE(readAll(m_user + QStringLiteral("/tiny-vae/vae/diffusion_pytorch_model.safetensors")), m_weights);
    }
};

QTEST_MAIN(TestModelsDialog)
#include "tst_modelsdialog.moc"
