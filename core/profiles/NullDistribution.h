#pragma once
// Permutation null of average precision: the AP of a uniformly random ranking of n_pos positives among n_total
// candidates. Only the positives' ranks matter, so each sample draws n_pos distinct ranks (Floyd's algorithm,
// O(n_pos) per sample instead of shuffling n_total labels as copairs does), in float32 like copairs' cache.
#include <cstdint>
#include <vector>

namespace cprecon::profiles {

struct NullConfig {
    int nPos = 0;
    int nTotal = 0;
    bool operator<(const NullConfig &o) const { return nPos != o.nPos ? nPos < o.nPos : nTotal < o.nTotal; }
    bool operator==(const NullConfig &o) const { return nPos == o.nPos && nTotal == o.nTotal; }
};

// Small, fast, portable RNG (xoshiro256**) with an exactly uniform bounded draw (Lemire), so nulls are the same
// on every platform and thread count.
class Rng {
public:
    explicit Rng(std::uint64_t seed);
    std::uint64_t next();
    std::uint64_t below(std::uint64_t bound); // uniform in [0, bound), bound > 0
private:
    std::uint64_t s[4];
};

std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b); // splitmix64-based combination

// Sorted (ascending) null of `size` samples for one configuration. Deterministic in (seed, config, size):
// samples are generated in fixed chunks with their own RNG streams, independent of the thread count.
std::vector<float> sortedNull(NullConfig config, std::int64_t size, std::uint64_t seed);

// Several configurations at once, in parallel over (configuration, chunk) tasks on the CPU pool.
std::vector<std::vector<float>> sortedNulls(const std::vector<NullConfig> &configs, std::int64_t size, std::uint64_t seed);

// p = (#{null > mAP} + 1) / (size + 1) (copairs <= 0.5; with greaterEqual: #{null >= mAP}, copairs 0.6).
// `nulls` = the sorted null vector of each replicate (in replicate order); the null is their element-wise mean
// computed as copairs/numpy does (float32 running sum, then / count), compared with mAP rounded to float32.
double permutationPValue(double meanAp, const std::vector<const std::vector<float> *> &nulls, bool greaterEqual = false);

} // namespace cprecon::profiles
