#include "ModelsDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace cprecon::ui {

using namespace cprecon::models;

namespace {


QString statusText(ModelState s)
{
    switch (s) {
    case ModelState::Available: return QObject::tr("available");
    case ModelState::Missing: return QObject::tr("missing");
    case ModelState::Partial: return QObject::tr("partial download");
    case ModelState::ChecksumMismatch: return QObject::tr("checksum mismatch");
    }
    return {};
}

QColor statusColor(ModelState s)
{
    switch (s) {
    case ModelState::Available: return QColor(0, 120, 0);
    case ModelState::Missing: return QColor(110, 110, 110);
    case ModelState::Partial: return QColor(190, 110, 0);
    case ModelState::ChecksumMismatch: return QColor(190, 0, 0);
    }
    return {};
}

ModelRegistry standardRegistryOrBuiltin()
{
    try {
        return ModelRegistry::standard();
    } catch (const std::exception &) {
        return ModelRegistry::builtin();
    }
}

} // namespace

ModelsDialog::ModelsDialog(QWidget *parent)
    : ModelsDialog(standardRegistryOrBuiltin(), nullptr, parent)
{
}

ModelsDialog::ModelsDialog(ModelRegistry registry, QSettings *settings, QWidget *parent)
    : QDialog(parent), m_registry(std::move(registry)), m_settings(settings)
{
    if (!m_settings) {
        m_ownSettings = std::make_unique<QSettings>();
        m_settings = m_ownSettings.get();
    }
    setWindowTitle(tr("Models"));
    resize(1100, 560);
    buildUi();
    refresh();
}

ModelsDialog::~ModelsDialog() = default; // m_tasks cancels a running download (the .part stays) and joins

void ModelsDialog::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("modelsTable"));
    m_table->setHorizontalHeaderLabels({tr("Model"), tr("Kind"), tr("Status"), tr("Size"), tr("Licence"), tr("Path")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("modelDetails"));
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::RichText);
    m_details->setOpenExternalLinks(true);
    m_details->setTextInteractionFlags(Qt::TextBrowserInteraction);
    layout->addWidget(m_details);

    auto *progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("downloadProgress"));
    m_progress->setVisible(false);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("downloadMessage"));
    m_message->setWordWrap(true);
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_message, 2);
    layout->addLayout(progressRow);

    auto *buttons = new QHBoxLayout;
    auto makeButton = [&](const QString &text, const char *name) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(QString::fromLatin1(name));
        b->setAutoDefault(false);
        buttons->addWidget(b);
        return b;
    };
    m_download = makeButton(tr("Download"), "downloadButton");
    m_cancel = makeButton(tr("Cancel download"), "cancelButton");
    m_locate = makeButton(tr("Locate…"), "locateButton");
    m_forget = makeButton(tr("Forget location"), "forgetButton");
    m_verify = makeButton(tr("Verify checksums"), "verifyButton");
    m_refresh = makeButton(tr("Refresh"), "refreshButton");
    buttons->addStretch(1);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addWidget(close);
    layout->addLayout(buttons);

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_refresh, &QPushButton::clicked, this, &ModelsDialog::refresh);
    connect(m_verify, &QPushButton::clicked, this, &ModelsDialog::verifyChecksums);
    connect(m_download, &QPushButton::clicked, this, [this] { startDownload(selectedModel()); });
    connect(m_cancel, &QPushButton::clicked, this, &ModelsDialog::cancelDownload);
    connect(m_locate, &QPushButton::clicked, this, &ModelsDialog::locateInteractively);
    connect(m_forget, &QPushButton::clicked, this, [this] { forgetLocation(selectedModel()); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        updateDetails();
        updateButtons();
    });

}

DiscoveryConfig ModelsDialog::config(bool verify) const
{
    DiscoveryConfig c = DiscoveryConfig::fromEnvironment(m_settings);
    c.verifyChecksums = verify;
    return c;
}

void ModelsDialog::refresh()
{
    showStatuses(WeightDiscovery(config(false)).statusAll(m_registry));
}

void ModelsDialog::verifyChecksums()
{
    if (m_verifying) return;
    m_verifying = true;
    updateButtons();
    m_message->setText(tr("Verifying checksums of the files found…"));
    const ModelRegistry registry = m_registry;
    const DiscoveryConfig cfg = config(true);
    auto *task = new FunctionTask<std::vector<ModelStatus>>(
        tr("Verify checksums"), [registry, cfg](Task &) { return WeightDiscovery(cfg).statusAll(registry); },
        [this](std::vector<ModelStatus> &statuses) {
            int bad = 0;
            for (const auto &s : statuses) bad += s.state == ModelState::ChecksumMismatch;
            m_message->setText(bad ? tr("%1 model(s) with a checksum mismatch").arg(bad) : tr("Checksums verified"));
            showStatuses(statuses);
        });
    connect(task, &Task::finished, this, [this, task](bool ok) {
        m_verifying = false;
        if (!ok) m_message->setText(tr("Verification failed: %1").arg(task->errorMessage()));
        updateButtons();
        Q_EMIT verificationFinished();
    });
    m_tasks->addTask(task);
}

void ModelsDialog::showStatuses(const std::vector<ModelStatus> &statuses)
{
    const QString selected = selectedModel();
    m_statuses = statuses;
    m_table->setRowCount(static_cast<int>(m_registry.models().size()));
    for (int row = 0; row < static_cast<int>(m_registry.models().size()); ++row) {
        const KnownModel &m = m_registry.models()[static_cast<size_t>(row)];
        const ModelStatus &st = m_statuses[static_cast<size_t>(row)];
        auto set = [&](int col, const QString &text, const QString &tip = {}) {
            auto *item = new QTableWidgetItem(text);
            if (!tip.isEmpty()) item->setToolTip(tip);
            m_table->setItem(row, col, item);
            return item;
        };
        set(NameColumn, m.name, m.displayName)->setData(Qt::UserRole, m.name);
        set(KindColumn, kindName(m.kind));
        QString status = statusText(st.state);
        if (st.state == ModelState::Available && !m.isBaseline()) {
            bool allVerified = !st.files.empty();
            for (const auto &f : st.files) allVerified &= f.verification == Verification::Verified;
            if (allVerified) status += tr(" (verified)");
        }
        if (st.state == ModelState::Partial) {
            qint64 part = 0;
            for (const auto &f : st.files) part += f.partialBytes;
            if (part > 0) status += tr(" (%1)").arg(humanSize(part));
        }
        set(StatusColumn, status, st.detail)->setForeground(statusColor(st.state));
        const qint64 size = st.bytes > 0 ? st.bytes : m.approxBytes();
        set(SizeColumn, m.isBaseline() ? QStringLiteral("—") : (st.bytes > 0 || size <= 0 ? QString() : QStringLiteral("≈")) + humanSize(size));
        QString licence = m.licence;
        if (m.nonCommercial) licence = QStringLiteral("⚠ NON-COMMERCIAL — ") + licence;
        if (m.gated) licence += tr(" (gated)");
        auto *lic = set(LicenceColumn, licence, m.licenceSummary() + (m.licenceUrl.isEmpty() ? QString() : QStringLiteral("\n") + m.licenceUrl));
        if (m.nonCommercial) lic->setForeground(QColor(170, 0, 0));
        set(PathColumn, m.isBaseline() ? tr("built in") : (st.path.isEmpty() ? QString() : st.path + QStringLiteral("  [") + st.source + QLatin1Char(']')),
            st.detail);
    }
    m_table->resizeColumnsToContents();
    // Long licence names stay readable in the tooltip and the details; the path column gets the room.
    m_table->setColumnWidth(LicenceColumn, std::min(m_table->columnWidth(LicenceColumn), 330));
    const int row = rowOf(selected);
    if (row >= 0) m_table->selectRow(row);
    updateDetails();
    updateButtons();
    Q_EMIT modelsChanged();
}

void ModelsDialog::updateDetails()
{
    const KnownModel *m = m_registry.find(selectedModel());
    if (!m) {
        m_details->setText(tr("Select a model to see where it comes from. Downloads go to %1.")
                               .arg(config(false).downloadRoot().toHtmlEscaped()));
        return;
    }
    const ModelStatus *st = status(m->name);
    QString html = QStringLiteral("<b>%1</b> — %2<br>").arg(m->displayName.toHtmlEscaped(), m->role.toHtmlEscaped());
    if (m->nonCommercial)
        html += tr("<span style='color:#a00'><b>Non-commercial licence:</b> research use only — read the licence before use.</span><br>");
    if (!m->licenceUrl.isEmpty())
        html += tr("Licence: <a href='%1'>%2</a><br>").arg(m->licenceUrl.toHtmlEscaped(), m->licence.toHtmlEscaped());
    if (!m->page.isEmpty()) html += tr("Source: <a href='%1'>%1</a><br>").arg(m->page.toHtmlEscaped());
    for (const ModelFile &f : m->files)
        html += QStringLiteral("&nbsp;&nbsp;%1 — %2<br>")
                    .arg(ModelRegistry::downloadUrl(*m, f, m_urlBase).toString().toHtmlEscaped(), f.checksum.describe().toHtmlEscaped());
    if (!m->notes.isEmpty()) html += m->notes.toHtmlEscaped() + QStringLiteral("<br>");
    if (st && !st->detail.isEmpty()) html += QStringLiteral("<i>%1</i>").arg(st->detail.toHtmlEscaped());
    m_details->setText(html);
}

void ModelsDialog::updateButtons()
{
    const KnownModel *m = m_registry.find(selectedModel());
    const bool busy = isDownloading();
    const bool hasFiles = m && !m->isBaseline();
    m_download->setEnabled(hasFiles && !busy);
    m_cancel->setEnabled(busy);
    m_locate->setEnabled(hasFiles);
    m_forget->setEnabled(hasFiles && DiscoveryConfig::fromEnvironment(m_settings).pickedPaths.contains(m->name));
    m_verify->setEnabled(!m_verifying);
}

QString ModelsDialog::selectedModel() const
{
    const auto rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList{};
    if (rows.isEmpty()) return {};
    const QTableWidgetItem *item = m_table->item(rows.first().row(), NameColumn);
    return item ? item->data(Qt::UserRole).toString() : QString();
}

const ModelStatus *ModelsDialog::status(const QString &model) const
{
    for (const auto &s : m_statuses)
        if (s.name == model) return &s;
    return nullptr;
}

int ModelsDialog::rowOf(const QString &model) const
{
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, NameColumn) && m_table->item(row, NameColumn)->data(Qt::UserRole).toString() == model) return row;
    return -1;
}

QString ModelsDialog::lastMessage() const
{
    return m_message->text();
}

bool ModelsDialog::locate(const QString &model, const QString &path, QString *error)
{
    const KnownModel *m = m_registry.find(model);
    if (!m || m->isBaseline()) {
        if (error) *error = tr("'%1' has no files to locate").arg(model);
        return false;
    }
    const ModelStatus st = WeightDiscovery(config(false)).checkPath(*m, path);
    if (st.state != ModelState::Available) {
        if (error) *error = st.detail;
        return false;
    }
    rememberPickedPath(*m_settings, model, path);
    m_settings->sync();
    m_message->setText(tr("%1: using %2").arg(model, st.path));
    refresh();
    return true;
}

void ModelsDialog::forgetLocation(const QString &model)
{
    if (model.isEmpty()) return;
    forgetPickedPath(*m_settings, model);
    m_settings->sync();
    refresh();
}

void ModelsDialog::locateInteractively()
{
    const KnownModel *m = m_registry.find(selectedModel());
    if (!m || m->isBaseline()) return;
    QString path;
    if (m->isSingleFile()) {
        path = QFileDialog::getOpenFileName(this, tr("Locate %1 (%2)").arg(m->name, m->files.front().fileName()), QString(),
                                            tr("Checkpoints (*.safetensors *.pth *.bin *.ckpt *.pt);;All files (*)"));
    } else {
        path = QFileDialog::getExistingDirectory(this, tr("Locate the folder of %1 (with config.json and the weights)").arg(m->name));
    }
    if (path.isEmpty()) return;
    QString error;
    if (!locate(m->name, path, &error))
        QMessageBox::warning(this, tr("Not usable for %1").arg(m->name), error);
}

bool ModelsDialog::startDownload(const QString &model)
{
    const KnownModel *m = m_registry.find(model);
    if (!m || m->isBaseline() || isDownloading()) return false;
    if (m_confirmLicences && (m->nonCommercial || m->gated)) {
        const QString text = m->nonCommercial
                                 ? tr("%1 is licensed for NON-COMMERCIAL use only (%2).\n\nDownload it for non-commercial research?")
                                       .arg(m->name, m->licence)
                                 : tr("%1 is gated on the hub (%2): without a login and an accepted licence the download "
                                      "fails with HTTP 401/403. Try anyway?")
                                       .arg(m->name, m->licence);
        if (QMessageBox::question(this, tr("Licence"), text) != QMessageBox::Yes) return false;
    }
    m_downloadingModel = model;
    const QString root = config(false).downloadRoot();
    m_message->setText(tr("Downloading %1 into %2…").arg(model, root));
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    auto *task = new DownloadTask(tr("Download %1").arg(model), modelDownloadPlan(*m, root, m_urlBase));
    connect(task, &Task::progressChanged, this, [this](double fraction, const QString &text) {
        if (fraction >= 0 && fraction <= 1 && text.contains(QLatin1String(" / "))) {
            // QProgressBar is int-based: show permille so files > 2 GB work too.
            m_progress->setRange(0, 1000);
            m_progress->setValue(static_cast<int>(1000 * fraction));
            m_progress->setFormat(text);
        } else if (!text.isEmpty()) {
            if (text.startsWith(QLatin1Char('['))) m_progress->setRange(0, 0); // a new file: busy until its size is known
            m_message->setText(text);
        }
    });
    connect(task, &Task::finished, this, [this, task](bool) {
        const DownloadResult r = task->result();
        m_progress->setVisible(false);
        const QString done = m_downloadingModel;
        m_downloadingModel.clear();
        const QString text = r.ok() ? tr("%1 downloaded and verified").arg(done) : r.error;
        m_message->setText(text);
        refresh();
        Q_EMIT downloadFinished(r.ok(), text);
    });
    m_downloadTask = task;
    m_tasks->addTask(task);
    updateButtons();
    return true;
}

void ModelsDialog::cancelDownload()
{
    if (m_downloadTask) m_downloadTask->cancel();
}

bool ModelsDialog::isDownloading() const
{
    return m_downloadTask && !m_downloadTask->isFinished();
}

} // namespace cprecon::ui
