#include "profiles/NullDistribution.h"

#include "jobs/ParallelFor.h"
#include "util/Error.h"

#include <algorithm>

namespace cprecon::profiles {

namespace {
constexpr std::int64_t kChunk = 1 << 16; // samples per RNG stream / task

std::uint64_t splitmix(std::uint64_t &x)
{
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// One chunk of null APs for (k positives among m), written to out[0..count).
void fillChunk(NullConfig c, std::uint64_t streamSeed, float *out, std::int64_t count)
{
    Rng rng(streamSeed);
    const int m = c.nTotal;
    const bool complement = c.nPos > m / 2; // draw the negatives' ranks instead
    const int draw = complement ? m - c.nPos : c.nPos;
    std::vector<int> picked(static_cast<std::size_t>(draw));
    std::vector<std::uint32_t> stamp(draw > 24 || complement ? static_cast<std::size_t>(m) : 0, 0);
    std::vector<int> pos(static_cast<std::size_t>(c.nPos));
    for (std::int64_t s = 0; s < count; ++s) {
        const std::uint32_t mark = static_cast<std::uint32_t>(s + 1);
        // Floyd's algorithm: a uniform random `draw`-subset of {0..m-1}.
        for (int j = m - draw, n = 0; j < m; ++j, ++n) {
            const int t = static_cast<int>(rng.below(static_cast<std::uint64_t>(j) + 1));
            bool seen = false;
            if (stamp.empty()) {
                for (int q = 0; q < n; ++q) if (picked[static_cast<std::size_t>(q)] == t) { seen = true; break; }
            } else {
                seen = stamp[static_cast<std::size_t>(t)] == mark;
            }
            const int v = seen ? j : t;
            picked[static_cast<std::size_t>(n)] = v;
            if (!stamp.empty()) stamp[static_cast<std::size_t>(v)] = mark;
        }
        if (complement) {
            int n = 0;
            for (int r = 0; r < m; ++r)
                if (stamp[static_cast<std::size_t>(r)] != mark) pos[static_cast<std::size_t>(n++)] = r;
        } else {
            std::copy(picked.begin(), picked.end(), pos.begin());
            if (c.nPos <= 16) { // insertion sort: tiny k
                for (int i = 1; i < c.nPos; ++i) {
                    const int v = pos[static_cast<std::size_t>(i)];
                    int j = i - 1;
                    while (j >= 0 && pos[static_cast<std::size_t>(j)] > v) { pos[static_cast<std::size_t>(j + 1)] = pos[static_cast<std::size_t>(j)]; --j; }
                    pos[static_cast<std::size_t>(j + 1)] = v;
                }
            } else {
                std::sort(pos.begin(), pos.end());
            }
        }
        // AP = mean over positives of precision at their rank (same summation order as copairs).
        double sum = 0.0;
        for (int j = 0; j < c.nPos; ++j) sum += static_cast<double>(j + 1) / static_cast<double>(pos[static_cast<std::size_t>(j)] + 1);
        out[s] = static_cast<float>(sum / static_cast<double>(c.nPos));
    }
}

std::uint64_t configSeed(std::uint64_t seed, NullConfig c)
{
    return mixSeed(mixSeed(seed, static_cast<std::uint64_t>(c.nPos)), static_cast<std::uint64_t>(c.nTotal));
}

void checkConfig(NullConfig c, std::int64_t size)
{
    if (c.nPos < 1 || c.nTotal < c.nPos)
        throw Error("null distribution: invalid configuration n_pos=" + std::to_string(c.nPos) + ", n_total=" + std::to_string(c.nTotal));
    if (size < 1) throw Error("null_size must be >= 1", "", "pass --null-size N with N >= 1");
}
} // namespace

Rng::Rng(std::uint64_t seed)
{
    for (auto &w : s) w = splitmix(seed);
}

std::uint64_t Rng::next()
{
    const std::uint64_t r = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

std::uint64_t Rng::below(std::uint64_t bound)
{
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
    std::uint64_t low = static_cast<std::uint64_t>(m);
    if (low < bound) {
        const std::uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = static_cast<unsigned __int128>(next()) * bound;
            low = static_cast<std::uint64_t>(m);
        }
    }
    return static_cast<std::uint64_t>(m >> 64);
}

std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t x = a ^ (b * 0xD6E8FEB86659FD93ull);
    splitmix(x);
    return splitmix(x);
}

std::vector<std::vector<float>> sortedNulls(const std::vector<NullConfig> &configs, std::int64_t size, std::uint64_t seed)
{
    for (const auto &c : configs) checkConfig(c, size);
    std::vector<std::vector<float>> out(configs.size());
    for (auto &v : out) v.resize(static_cast<std::size_t>(size));
    const std::int64_t chunks = (size + kChunk - 1) / kChunk;
    const std::int64_t tasks = chunks * static_cast<std::int64_t>(configs.size());
    // (configuration, chunk) tasks, each with its own RNG stream: the samples do not depend on the thread count.
    parallelFor(static_cast<std::size_t>(tasks), [&](std::size_t t) {
        const std::size_t ci = t / static_cast<std::size_t>(chunks);
        const std::int64_t chunk = static_cast<std::int64_t>(t) % chunks;
        const std::int64_t begin = chunk * kChunk, count = std::min(kChunk, size - begin);
        fillChunk(configs[ci], mixSeed(configSeed(seed, configs[ci]), static_cast<std::uint64_t>(chunk)),
                  out[ci].data() + begin, count);
    });
    parallelFor(out.size(), [&](std::size_t i) { std::sort(out[i].begin(), out[i].end()); });
    return out;
}

std::vector<float> sortedNull(NullConfig config, std::int64_t size, std::uint64_t seed)
{
    return std::move(sortedNulls({config}, size, seed).front());
}

double permutationPValue(double meanAp, const std::vector<const std::vector<float> *> &nulls, bool greaterEqual)
{
    if (nulls.empty()) throw Error("p-value: no null distribution");
    const std::size_t size = nulls.front()->size();
    const float x = static_cast<float>(meanAp);
    const float count = static_cast<float>(nulls.size());
    bool shared = true;
    for (const auto *v : nulls) {
        if (v->size() != size) throw Error("p-value: null distributions of different sizes");
        shared = shared && v == nulls.front();
    }
    // numpy's mean over replicates: float32 running sum in replicate order, then / count.
    auto meanOf = [&](std::size_t i) {
        float s = (*nulls[0])[i];
        for (std::size_t r = 1; r < nulls.size(); ++r) s += (*nulls[r])[i];
        return s / count;
    };
    std::size_t above = 0;
    if (shared) {
        // One sorted vector; the float32 mean of identical values is monotone in the value: binary search.
        std::size_t lo = 0, hi = size;
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            const float v = meanOf(mid);
            if (greaterEqual ? v < x : v <= x) lo = mid + 1; else hi = mid;
        }
        above = size - lo;
    } else {
        for (std::size_t i = 0; i < size; ++i) {
            const float v = meanOf(i);
            above += greaterEqual ? (v >= x) : (v > x);
        }
    }
    return (static_cast<double>(above) + 1.0) / (static_cast<double>(size) + 1.0);
}

} // namespace cprecon::profiles
