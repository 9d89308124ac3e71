#pragma once
// The reconstruction inspector's state without widgets: which site, which models, protocol and seed; the
// requests to the ReconstructionRunner (restart pattern, one request per real change); the results shown.
// The view (ui/InspectorView) only presents it: it forwards the user's choices here and redraws on its signals.
#include "recon/ReconstructionReport.h"
#include "recon/ReconstructionRunner.h"

#include <QObject>

#include <memory>

namespace cprecon {

class InspectorModel : public QObject {
    Q_OBJECT
public:
    static const QString kMain, kCompare; // the runner's tags

    // Reconstructions run as Tasks on `tasks` with the models of `models`, or on the runner's own where null.
    explicit InspectorModel(TaskManager *tasks = nullptr, ModelPool *models = nullptr, QObject *parent = nullptr);

    // The site to inspect (copied); the caption names it in figures. Results of the previous site are dropped.
    void setSite(const Site &site, const FigureCaption &caption);
    void setActive(bool active); // only an active (visible) inspector computes
    void setModel(const QString &spec);
    void setCompareModel(const QString &spec); // empty = no comparison
    void setProtocol(Protocol p);
    void setSeed(quint64 seed);
    // Crop, tile size and triplets (default: the paper's). A run's inspection uses the run's, so its tiles are the run's.
    void setPipeline(const PipelineOptions &pipeline);
    const PipelineOptions &pipeline() const { return m_pipeline; }
    // Several changes, one request: requests wait until the last endUpdate().
    void beginUpdate() { ++m_updating; }
    void endUpdate();

    QString model() const { return m_model; }
    QString compareModel() const { return m_compareModel; }
    Protocol protocol() const { return m_protocol; }
    quint64 seed() const { return m_seed; }
    bool isActive() const { return m_active; }
    bool hasSite() const { return bool(m_site); }
    QString siteLabel() const { return m_siteLabel; }
    const FigureCaption &caption() const { return m_caption; }
    bool isRunning() const;
    const SiteReconstruction *result() const { return m_main.get(); }
    const SiteReconstruction *compareResult() const { return m_compare.get(); }
    std::shared_ptr<const SiteReconstruction> sharedResult() const { return m_main; }
    std::shared_ptr<const SiteReconstruction> sharedCompareResult() const { return m_compare; }
    ReconstructionRunner *runner() const { return m_runner; }
    TaskManager *tasks() const { return m_runner->tasks(); } // for other long work of the inspector (exports)

Q_SIGNALS:
    void requested(const QString &siteLabel, const QString &model); // a reconstruction was asked for
    void progress(int done, int total);
    // A result arrived or was dropped; layoutChanged: the number of columns or stains changed.
    void resultsChanged(bool layoutChanged);
    void failed(const QString &model, const QString &message);

private:
    void request();
    void onFinished(const QString &tag, std::shared_ptr<const SiteReconstruction> r);
    ReconstructionRequest makeRequest(const QString &model) const;

    ReconstructionRunner *m_runner = nullptr;
    std::shared_ptr<Site> m_site;
    FigureCaption m_caption;
    QString m_siteLabel;
    QString m_model = QStringLiteral("bicubic8"), m_compareModel;
    Protocol m_protocol = Protocol::Corrected;
    quint64 m_seed = 0;
    PipelineOptions m_pipeline;
    bool m_active = false;
    int m_updating = 0;
    QString m_lastRequest; // what request() last asked for: a repeat of it asks for nothing
    std::shared_ptr<const SiteReconstruction> m_main, m_compare;
};

} // namespace cprecon
