#pragma once
// Runs body(i) for i in [0, jobs) on up to `threads` threads (<= 0: all cores; the caller's thread is one of them),
// handing out indices dynamically. The first exception stops further work and is rethrown to the caller.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace cprecon {

inline int resolveThreads(int threads, size_t jobs)
{
    if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
    return int(std::max<size_t>(1, std::min<size_t>(size_t(threads), jobs)));
}

template <typename Body> void parallelFor(size_t jobs, int threads, Body &&body)
{
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    auto worker = [&] {
        for (size_t j; !failed && (j = next++) < jobs;) {
            try {
                body(j);
            } catch (...) {
                if (!failed.exchange(true)) error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    const int n = resolveThreads(threads, jobs);
    for (int i = 1; i < n; ++i) pool.emplace_back(worker);
    worker();
    for (auto &t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

} // namespace cprecon
