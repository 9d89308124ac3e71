#pragma once
// How the process's heap treats the networks' large, short-lived buffers. glibc's default gives every block above
// a (dynamic, at most 32 MiB) threshold its own mmap and returns it to the kernel on free, so each forward pass
// faults its activations in again page by page (OpenPhenom's attention scores alone are 78 MiB per layer at batch 2):
// a quarter of the CPU time went to the kernel's page-fault and zeroing path. Keeping freed memory in the heap for
// reuse costs RSS that stays at the peak of the largest pass (docs/performance.md measures it).
namespace cprecon::heap {

// Once per process, idempotent: no mmap per block, one arena (worker threads' large blocks would otherwise still
// be mapped per block by their own arenas), free memory at the top kept up to 1 GiB. Called by main() and by the
// networks' runtime before their first pass.
void keepFreedBlocksForReuse();

// Hands free heap pages back to the kernel (after a run; the GUI between runs).
void releaseFreeMemory();

} // namespace cprecon::heap
