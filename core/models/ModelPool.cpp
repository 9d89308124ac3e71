#include "models/ModelPool.h"

#include "util/Error.h"
#include "weights/CheckpointLocator.h"

#include <QFileInfo>

#include <algorithm>

namespace cprecon {

namespace {

std::string fileIdentity(const std::string &path, int64_t *bytes)
{
    const QFileInfo fi(QString::fromStdString(path));
    if (!fi.exists()) throw Error("weights file does not exist", path, "check the model path");
    if (bytes) *bytes += fi.size();
    return fi.canonicalFilePath().toStdString() + "#" + std::to_string(fi.size()) + "@" +
           std::to_string(fi.lastModified().toMSecsSinceEpoch());
}

} // namespace

ModelPool::ModelPool(int64_t maxBytes, Loader loader)
    : m_maxBytes(maxBytes), m_loader(loader ? std::move(loader) : Loader(&makeReconstructor))
{
}

ModelPool::~ModelPool() { clear(); }

std::string ModelPool::identity(const std::string &spec, const RuntimeOptions &runtime, int64_t *bytes)
{
    if (bytes) *bytes = 0;
    std::string id = spec;
    std::string path, config;
    if (parseSdVaeSpec(spec, &path, &config)) {
        const CheckpointLocation loc = locateCheckpoint(path);
        id = "sd-vae|" + fileIdentity(loc.weightsFile, bytes);
        const std::string cfg = config.empty() ? loc.configFile : config;
        if (!cfg.empty()) id += "|" + fileIdentity(cfg, nullptr);
    }
    return id + "|" + std::to_string(int(runtime.device)) + "|" + precisionName(runtime.precision) +
           (runtime.channelsLast ? "|nhwc" : "");
}

std::shared_ptr<PooledModel> ModelPool::acquire(const std::string &spec, const RuntimeOptions &runtime,
                                                const std::atomic<bool> *cancel)
{
    int64_t bytes = 0;
    const std::string id = identity(spec, runtime, &bytes);
    auto canceled = [cancel] { return cancel && cancel->load(); };
    for (;;) {
        if (canceled()) throw Canceled("canceled while waiting for " + spec);
        std::promise<std::shared_ptr<PooledModel>> promise;
        Future future;
        bool loadHere = false;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            auto it = m_entries.find(id);
            if (it != m_entries.end()) {
                future = it->second;
                m_lru.remove(id);
                m_lru.push_front(id);
            } else {
                future = promise.get_future().share();
                m_entries.emplace(id, future);
                m_lru.push_front(id);
                loadHere = true;
            }
        }
        if (!loadHere) { // loaded, or loading on another thread: wait for that one load
            while (future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
                if (canceled()) throw Canceled("canceled while waiting for " + spec);
            try {
                return future.get();
            } catch (const Canceled &) {
                continue; // the caller that was loading it gave up: load it here
            }
        }
        try {
            auto entry = std::make_shared<PooledModel>();
            entry->model = m_loader(spec, runtime, cancel); // outside the lock: seconds for an SD-VAE
            entry->identity = id;
            entry->bytes = bytes;
            promise.set_value(entry);
            std::lock_guard<std::mutex> lock(m_mutex);
            ++m_loads;
            evictLocked();
            return entry;
        } catch (...) {
            promise.set_exception(std::current_exception());
            std::lock_guard<std::mutex> lock(m_mutex);
            m_entries.erase(id); // a failed or canceled load is not kept: the next request tries again
            m_lru.remove(id);
            throw;
        }
    }
}

void ModelPool::evictLocked()
{
    // Least recently used first, never the newest; a leased model lives on with its lease.
    while (m_lru.size() > 1 && loadedBytesLocked() > m_maxBytes) {
        const std::string victim = m_lru.back();
        auto it = m_entries.find(victim);
        if (it != m_entries.end() && it->second.wait_for(std::chrono::seconds(0)) != std::future_status::ready) break;
        m_entries.erase(victim);
        m_lru.pop_back();
    }
}

int ModelPool::size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return int(m_entries.size());
}

int64_t ModelPool::loadedBytesLocked() const
{
    int64_t sum = 0;
    for (const auto &[id, f] : m_entries)
        if (f.wait_for(std::chrono::seconds(0)) == std::future_status::ready) sum += f.get()->bytes; // failed loads are erased
    return sum;
}

int64_t ModelPool::bytes() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return loadedBytesLocked();
}

int ModelPool::loads() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_loads;
}

void ModelPool::clear()
{
    std::map<std::string, Future> dropped;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        // Models still loading stay (their loader holds the promise); loaded ones are released outside the lock.
        for (auto it = m_entries.begin(); it != m_entries.end();) {
            if (it->second.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                dropped.insert(*it);
                m_lru.remove(it->first);
                it = m_entries.erase(it);
            } else {
                ++it;
            }
        }
    }
}

} // namespace cprecon
