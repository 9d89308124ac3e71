#pragma once
// Runs body(i) for i in [0, jobs) on the process's one CPU pool (oneTBB, sized by compute::configure). Nested calls
// (a parallel loop inside another, or inside OpenCV, which runs on the same TBB pool in Debian) share the pool's
// threads instead of starting more, so nothing oversubscribes the cores. The first exception cancels the
// remaining indices and is rethrown to the caller.
//
// Determinism: iterations may run in any order and on any thread. A loop that reduces must write one result per
// index (or per fixed-size chunk of indices) and combine them in index order afterwards, so that its result never
// depends on the thread count; every reduction in core does this (tests check 1 thread == many threads).
#include <tbb/parallel_for.h>

#include <cstddef>

namespace cprecon {

template <typename Body> void parallelFor(size_t jobs, Body &&body)
{
    if (jobs == 0) return;
    if (jobs == 1) {
        body(size_t(0));
        return;
    }
    tbb::parallel_for(size_t(0), jobs, [&body](size_t i) { body(i); });
}

// Fixed chunks of `chunk` indices: body(begin, end) for [0, n) in pieces that do not depend on the thread count.
template <typename Body> void parallelForChunks(size_t n, size_t chunk, Body &&body)
{
    if (chunk == 0) chunk = 1;
    const size_t chunks = (n + chunk - 1) / chunk;
    parallelFor(chunks, [&](size_t c) { body(c * chunk, c * chunk + chunk < n ? c * chunk + chunk : n); });
}

} // namespace cprecon
