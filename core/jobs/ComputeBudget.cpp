#include "jobs/ComputeBudget.h"

#include <tbb/global_control.h>
#include <opencv2/core/utility.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cprecon::compute {

namespace {

struct Budget {
    std::mutex mutex;
    int threads = 0; // 0: not configured yet
    std::unique_ptr<tbb::global_control> tbbLimit;
    std::vector<std::function<void(int)>> hooks;
};

Budget &budget()
{
    static Budget b;
    return b;
}

// OpenBLAS (what libblas.so.3 / liblapack.so.3 point to once libopenblas0-pthread is installed) has its own
// pthread pool; the reference BLAS has none. Looked up at run time so either library works.
void setBlasThreads(int n)
{
    using SetThreads = void (*)(int);
    if (auto fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(n);
}

int applyLocked(Budget &b, int n)
{
    b.threads = n;
    b.tbbLimit.reset(); // one control at a time: TBB uses the smallest of all alive ones
    b.tbbLimit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, size_t(n));
    cv::setNumThreads(n);
    setBlasThreads(n);
    for (const auto &hook : b.hooks) hook(n);
    return n;
}

} // namespace

int hardwareThreads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

int configure(int n)
{
    if (n <= 0) n = hardwareThreads();
    Budget &b = budget();
    std::lock_guard<std::mutex> lock(b.mutex);
    return applyLocked(b, n);
}

int threads()
{
    Budget &b = budget();
    std::lock_guard<std::mutex> lock(b.mutex);
    return b.threads > 0 ? b.threads : applyLocked(b, hardwareThreads());
}

void addThreadHook(std::function<void(int)> hook)
{
    Budget &b = budget();
    std::lock_guard<std::mutex> lock(b.mutex);
    if (b.threads == 0) applyLocked(b, hardwareThreads());
    hook(b.threads);
    b.hooks.push_back(std::move(hook));
}

} // namespace cprecon::compute
