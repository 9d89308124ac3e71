#pragma once
// The loaded reconstructors of one process, shared by every job: the GUI and the CLI each own one and hand it to
// whatever reconstructs (injected, never a static). Least recently used, bounded by the bytes of the weights.
// A model is loaded outside the pool's lock, so loading an SD-VAE never blocks a bicubic8 compare; requests for
// a model being loaded wait for that one load. Destroying the pool releases every model there and then (CUDA
// tensors must not live until static destruction); a model still leased stays alive until its lease ends. The
// owner joins the jobs that use the pool (their TaskManager) before destroying it.
//
// A model is identified by what it computes with, not by its display name: the resolved weights file (canonical
// path + size + modification time) and config for sd-vae:<path>, plus the device and precision.
#include "models/Reconstructor.h"

#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace cprecon {

// One loaded model; `busy` serialises calls (a Reconstructor is not re-entrant).
struct PooledModel {
    std::unique_ptr<Reconstructor> model;
    std::mutex busy;
    std::string identity;
    int64_t bytes = 0; // weights on disk (0 for the weight-free baselines)
};

class ModelPool {
public:
    using Loader = std::function<std::unique_ptr<Reconstructor>(const std::string &spec, const RuntimeOptions &runtime,
                                                                const std::atomic<bool> *cancel)>;
    // loader: how a model is built (default makeReconstructor; tests pass a slow or failing one).
    explicit ModelPool(int64_t maxBytes = int64_t(2) << 30, Loader loader = {});
    ~ModelPool();
    ModelPool(const ModelPool &) = delete;
    ModelPool &operator=(const ModelPool &) = delete;

    // The model for `spec` (makeReconstructor's names) on `runtime`: from the pool, or loaded now (outside the
    // lock). Throws what loading throws (cprecon::Error naming the checkpoint); a failed load is not kept.
    // cancel (may be null): a raised flag ends the wait — and a load this caller started — within ~50 ms with
    // cprecon::Canceled; a caller that was waiting for another's canceled load loads the model itself.
    std::shared_ptr<PooledModel> acquire(const std::string &spec, const RuntimeOptions &runtime,
                                         const std::atomic<bool> *cancel = nullptr);

    // What identifies spec + runtime (resolves sd-vae paths on disk; throws cprecon::Error when they do not exist).
    static std::string identity(const std::string &spec, const RuntimeOptions &runtime, int64_t *bytes = nullptr);

    int size() const;         // models held (loaded or loading)
    int64_t bytes() const;    // weights bytes of the loaded ones
    int loads() const;        // models loaded so far (tests: a hit loads nothing)
    void clear();             // releases every model not leased right now

private:
    using Future = std::shared_future<std::shared_ptr<PooledModel>>;
    void evictLocked();
    int64_t loadedBytesLocked() const;

    const int64_t m_maxBytes;
    const Loader m_loader;
    mutable std::mutex m_mutex;
    std::map<std::string, Future> m_entries;
    std::list<std::string> m_lru; // most recently used first
    int m_loads = 0;
};

} // namespace cprecon
