#pragma once
// The Models dialog: every registry model with its status on this machine (available / missing / partial download /
// checksum mismatch), path, size and licence (non-commercial licences flagged), plus Download (progress bar, resume,
// checksum verification, cancel — the transfer and the verification run as Tasks), Locate… (pick a file or folder,
// remembered in settings), Forget location, Verify checksums (background hashing) and Refresh.
#include "catalog/DownloadTask.h"
#include "jobs/TaskManager.h"
#include "catalog/ModelRegistry.h"
#include "catalog/ModelStatus.h"
#include "catalog/WeightDiscovery.h"

#include <QDialog>
#include <QPointer>

#include <memory>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;
class QTableWidget;

namespace cprecon::ui {

class ModelsDialog : public QDialog {
    Q_OBJECT
public:
    enum Column { NameColumn, KindColumn, StatusColumn, SizeColumn, LicenceColumn, PathColumn, ColumnCount };

    // Standard registry ($CPRECON_MODEL_REGISTRY merged) and the application's QSettings.
    explicit ModelsDialog(QWidget *parent = nullptr);
    // `settings` (not owned, must outlive the dialog) holds the models folder and remembered locations.
    ModelsDialog(models::ModelRegistry registry, QSettings *settings, QWidget *parent = nullptr);
    ~ModelsDialog() override;

    void refresh();          // cheap re-discovery (stat calls only)
    void verifyChecksums();  // hashes the files found on a worker thread; the table updates when done
    void setUrlBase(const QString &urlBase) { m_urlBase = urlBase; } // mirror / test server instead of official URLs
    void setConfirmLicences(bool confirm) { m_confirmLicences = confirm; } // ask before downloading restricted models

    // Validates `path` for `model` and remembers it (settings "models/picked/<name>"). On failure returns false and
    // fills *error with what is missing; nothing is remembered.
    bool locate(const QString &model, const QString &path, QString *error = nullptr);
    void forgetLocation(const QString &model);
    bool startDownload(const QString &model); // false when a download is already running or nothing to fetch
    void cancelDownload();
    bool isDownloading() const;

    const models::ModelRegistry &registry() const { return m_registry; }
    const std::vector<models::ModelStatus> &statuses() const { return m_statuses; }
    const models::ModelStatus *status(const QString &model) const;
    int rowOf(const QString &model) const;
    QTableWidget *table() const { return m_table; }
    QString lastMessage() const; // text of the status line under the table

Q_SIGNALS:
    void modelsChanged();                 // statuses refreshed (after refresh, verify, download, locate)
    void verificationFinished();
    void downloadFinished(bool ok, const QString &message);

private:
    void buildUi();
    void showStatuses(const std::vector<models::ModelStatus> &statuses);
    void updateDetails();
    void updateButtons();
    void locateInteractively();
    QString selectedModel() const;
    models::DiscoveryConfig config(bool verify) const;

    models::ModelRegistry m_registry;
    QSettings *m_settings = nullptr;
    std::unique_ptr<QSettings> m_ownSettings;
    std::vector<models::ModelStatus> m_statuses;
    std::unique_ptr<TaskManager> m_tasks = std::make_unique<TaskManager>(2); // downloads and checksum verification
    QPointer<models::DownloadTask> m_downloadTask;
    QString m_downloadingModel;
    QString m_urlBase;
    bool m_confirmLicences = true;
    bool m_verifying = false;

    QTableWidget *m_table = nullptr;
    QLabel *m_details = nullptr;
    QLabel *m_message = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_download = nullptr, *m_cancel = nullptr, *m_locate = nullptr, *m_forget = nullptr,
                *m_verify = nullptr, *m_refresh = nullptr;
};

} // namespace cprecon::ui
