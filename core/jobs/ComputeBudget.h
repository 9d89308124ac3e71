#pragma once
// The process's one compute budget. One number — how many cores this process may keep busy — is set once at
// start-up (GUI and CLI main; lazily with all cores on first use otherwise) and applied to every pool:
//   - the project's own parallel loops (parallelFor: oneTBB's pool, global_control),
//   - OpenCV (Debian builds it on the same oneTBB pool),
//   - OpenBLAS / LAPACK (FID, PCA),
//   - LibTorch's intra-op pool (registered by the networks' runtime: see addThreadHook).
// Workers never change it: a job that called set_num_threads would change the count under every other job.
#include <functional>

namespace cprecon::compute {

// Sets the budget: threads <= 0 means all hardware threads. Returns the budget now in force. Meant for main()
// (and tests that compare thread counts); every pool is reconfigured.
int configure(int threads);
// The budget in force (configures the default first when nobody has).
int threads();
// All hardware threads of this machine.
int hardwareThreads();
// Called by configure() with the new budget (e.g. LibTorch's set_num_threads); called once at once if the budget
// is already configured. Hooks are for process-wide runtimes only.
void addThreadHook(std::function<void(int)> hook);

// Sets the budget for a scope and restores the previous one: for benchmarks that time one thread against all,
// and tests that check a result does not depend on the thread count. Not for workers (it is process-wide).
class ScopedBudget {
public:
    explicit ScopedBudget(int threads) : m_previous(compute::threads()) { configure(threads); }
    ~ScopedBudget() { configure(m_previous); }
    ScopedBudget(const ScopedBudget &) = delete;
    ScopedBudget &operator=(const ScopedBudget &) = delete;

private:
    int m_previous;
};

} // namespace cprecon::compute
