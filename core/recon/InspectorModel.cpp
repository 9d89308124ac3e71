#include "recon/InspectorModel.h"

namespace cprecon {

const QString InspectorModel::kMain = QStringLiteral("main");
const QString InspectorModel::kCompare = QStringLiteral("compare");

InspectorModel::InspectorModel(TaskManager *tasks, ModelPool *models, QObject *parent)
    : QObject(parent), m_runner(new ReconstructionRunner(tasks, models, this))
{
    connect(m_runner, &ReconstructionRunner::finished, this,
            [this](const QString &tag, std::shared_ptr<const SiteReconstruction> r, bool) { onFinished(tag, std::move(r)); });
    connect(m_runner, &ReconstructionRunner::failed, this, [this](const QString &tag, const QString &message) {
        Q_EMIT failed(tag == kMain ? m_model : m_compareModel, message);
    });
    connect(m_runner, &ReconstructionRunner::progress, this, [this](const QString &tag, int done, int total) {
        if (tag == kMain) Q_EMIT progress(done, total);
    });
}

bool InspectorModel::isRunning() const { return m_runner->isRunning(kMain) || m_runner->isRunning(kCompare); }

void InspectorModel::setSite(const Site &site, const FigureCaption &caption)
{
    m_site = std::make_shared<Site>(site);
    m_caption = caption;
    m_siteLabel = QStringLiteral("%1/%2/%3/%4").arg(caption.screen, caption.plate, caption.well).arg(caption.site);
    // Nothing of the previous site may stay beside the new one (the compare column used to).
    if (m_compare) {
        m_compare.reset();
        Q_EMIT resultsChanged(true);
    }
    request();
}

void InspectorModel::setActive(bool active)
{
    m_active = active;
    request();
}

void InspectorModel::setModel(const QString &spec)
{
    m_model = spec.trimmed();
    request();
}

void InspectorModel::setCompareModel(const QString &spec)
{
    m_compareModel = spec.trimmed();
    request();
}

void InspectorModel::setProtocol(Protocol p)
{
    m_protocol = p;
    request();
}

void InspectorModel::setSeed(quint64 seed)
{
    m_seed = seed;
    request();
}

void InspectorModel::setPipeline(const PipelineOptions &pipeline)
{
    m_pipeline = pipeline;
    request();
}

void InspectorModel::endUpdate()
{
    if (m_updating > 0 && --m_updating == 0) request();
}

ReconstructionRequest InspectorModel::makeRequest(const QString &model) const
{
    ReconstructionRequest r;
    r.model = model;
    r.protocol = m_protocol;
    r.seed = m_seed;
    r.pipeline = m_pipeline;
    return r;
}

void InspectorModel::request()
{
    if (m_updating > 0 || !m_site || !m_active || m_model.isEmpty()) return;
    // Every setting that changes a number (the cache key) of both requests.
    const QString signature = reconstructionCacheKey(m_siteLabel, makeRequest(m_model)) + QLatin1Char('\n') +
                              (m_compareModel.isEmpty() ? QString() : reconstructionCacheKey(m_siteLabel, makeRequest(m_compareModel)));
    if (signature == m_lastRequest && (isRunning() || m_main)) return; // nothing changed
    m_lastRequest = signature;
    Q_EMIT requested(m_siteLabel, m_model);
    // Restart pattern: the runner cancels whatever each tag was computing.
    m_runner->request(kMain, *m_site, m_siteLabel, makeRequest(m_model));
    if (m_compareModel.isEmpty()) {
        m_runner->cancel(kCompare);
        if (m_compare) {
            m_compare.reset();
            Q_EMIT resultsChanged(true);
        }
    } else {
        m_runner->request(kCompare, *m_site, m_siteLabel, makeRequest(m_compareModel));
    }
}

void InspectorModel::onFinished(const QString &tag, std::shared_ptr<const SiteReconstruction> r)
{
    if (!r || r->siteLabel != m_siteLabel) return; // a result of a site no longer shown
    const bool layoutChanged = (tag == kCompare) != bool(m_compare) || !m_main || r->stains.size() != m_main->stains.size();
    (tag == kMain ? m_main : m_compare) = std::move(r);
    Q_EMIT resultsChanged(layoutChanged);
}

} // namespace cprecon
