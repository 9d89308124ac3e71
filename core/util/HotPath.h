#pragma once
// Marks a hot numeric function for run-time dispatch to an AVX2+FMA (x86-64-v3) clone where the CPU has it, so the
// binary stays portable (baseline x86-64) and still uses wide vectors (GCC function multi-versioning).
// Not under ThreadSanitizer: the clones' resolvers run while the dynamic loader relocates, before the TSan runtime
// is up, and their instrumented entry crashes the program.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CPRECON_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CPRECON_HOT
#endif
