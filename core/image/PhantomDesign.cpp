#include "image/PhantomDesign.h"

#include "screen/Screen.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cprecon::phantom {

uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

uint64_t streamSeed(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return mix(mix(mix(mix(mix(seed) ^ a) ^ b) ^ c) ^ d);
}

QString effectName(Effect e)
{
    switch (e) {
    case Effect::None: return QStringLiteral("none");
    case Effect::NucleusSize: return QStringLiteral("nucleus_size");
    case Effect::CellCount: return QStringLiteral("cell_count");
    case Effect::CellSize: return QStringLiteral("cell_size");
    case Effect::MitoIntensity: return QStringLiteral("mito_intensity");
    case Effect::DnaIntensity: return QStringLiteral("dna_intensity");
    case Effect::ErTexture: return QStringLiteral("er_texture");
    case Effect::AgpFibres: return QStringLiteral("agp_fibres");
    case Effect::RnaNucleoli: return QStringLiteral("rna_nucleoli");
    }
    return {};
}

QString effectDescription(Effect e)
{
    switch (e) {
    case Effect::None: return QStringLiteral("inactive: renders like DMSO");
    case Effect::NucleusSize: return QStringLiteral("nucleus radii x (1 + strength)");
    case Effect::CellCount: return QStringLiteral("cell density x (1 + strength)");
    case Effect::CellSize: return QStringLiteral("cell body radii x (1 + strength)");
    case Effect::MitoIntensity: return QStringLiteral("Mito puncta brightness x (1 + strength)");
    case Effect::DnaIntensity: return QStringLiteral("DNA (Hoechst) brightness x (1 + strength)");
    case Effect::ErTexture: return QStringLiteral("ER texture contrast x (1 + strength)");
    case Effect::AgpFibres: return QStringLiteral("AGP actin fibres per cell and brightness x (1 + strength)");
    case Effect::RnaNucleoli: return QStringLiteral("RNA nucleoli brightness x (1 + strength)");
    }
    return {};
}

void Spec::validate() const
{
    if (wells != 96 && wells != 384) throw Error("--wells must be 96 or 384 (got " + std::to_string(wells) + ")", "", "see cprecon-cli phantom --help");
    if (plates < 1 || plates > 99) throw Error("--plates must be 1..99 (got " + std::to_string(plates) + ")", "", "see cprecon-cli phantom --help");
    if (sites < 1 || sites > 99) throw Error("--sites must be 1..99 (got " + std::to_string(sites) + ")", "", "see cprecon-cli phantom --help");
    if (size < 64 || size > 4096) throw Error("--size must be 64..4096 pixels (got " + std::to_string(size) + ")", "", "see cprecon-cli phantom --help");
    if (!(inactiveFraction >= 0 && inactiveFraction <= 1))
        throw Error("--inactive-fraction must be in [0, 1]", "", "see cprecon-cli phantom --help");
    const int dmso = wells == 384 ? 32 : 8;
    if (compounds < 0 || compounds > wells - dmso)
        throw Error("--compounds must be 1.." + std::to_string(wells - dmso) + " for " + std::to_string(wells)
                    + "-well plates (" + std::to_string(dmso) + " wells are DMSO)", "",
                    "leave --compounds out for the default, (wells - DMSO) / 2");
}

QString Design::wellName(int index) const
{
    return cprecon::wellName(index / cols, index % cols);
}

// Signed strength of an effect: large enough to be seen by a profile, drawn from the seed.
static double drawStrength(Effect e, uint64_t h)
{
    const double u = double(h >> 11) * (1.0 / 9007199254740992.0); // [0, 1)
    const bool up = (h & 1) != 0;
    switch (e) {
    case Effect::NucleusSize: return (up ? 1 : -1) * (0.25 + 0.20 * u);
    case Effect::CellCount: return -(0.35 + 0.25 * u);
    case Effect::CellSize: return (up ? 1 : -1) * (0.20 + 0.15 * u);
    case Effect::MitoIntensity: return (up ? 1 : -1) * (0.35 + 0.25 * u);
    case Effect::DnaIntensity: return (up ? 1 : -1) * (0.30 + 0.25 * u);
    case Effect::ErTexture: return 1.0 + 1.0 * u;
    case Effect::AgpFibres: return 1.0 + 1.0 * u;
    case Effect::RnaNucleoli: return (up ? 1 : -1) * (0.40 + 0.30 * u);
    case Effect::None: break;
    }
    return 0;
}

Design makeDesign(const Spec &specIn)
{
    Spec spec = specIn;
    spec.validate();
    Design d;
    d.rows = spec.wells == 384 ? 16 : 8;
    d.cols = spec.wells == 384 ? 24 : 12;
    const int perRow = spec.wells == 384 ? 2 : 1;
    const int baseDmso = d.rows * perRow;
    if (spec.compounds == 0) spec.compounds = (spec.wells - baseDmso) / 2;
    d.spec = spec;
    for (int p = 1; p <= spec.plates; ++p) d.plateBarcodes << QStringLiteral("PHANTOM-P%1").arg(p, 2, 10, QLatin1Char('0'));

    // DMSO: perRow wells per row, evenly spaced, shifted by 5 columns per row (spread over rows and columns).
    d.wellCompound = QVector<int>(spec.wells, -2); // -2 = not yet assigned
    const int spacing = d.cols / perRow;
    for (int r = 0; r < d.rows; ++r)
        for (int j = 0; j < perRow; ++j) d.wellCompound[r * d.cols + (r * 5) % spacing + j * spacing] = -1;

    // Compounds: replicatesPerPlate copies each, at positions shuffled by the seed; leftovers become DMSO.
    const int free = spec.wells - baseDmso;
    d.replicatesPerPlate = free / spec.compounds;
    QVector<int> slots;
    for (int i = 0; i < spec.wells; ++i)
        if (d.wellCompound[i] == -2) slots << i;
    for (int i = slots.size() - 1; i > 0; --i) // Fisher-Yates with the design stream
        std::swap(slots[i], slots[int(streamSeed(spec.seed, 1, uint64_t(i)) % uint64_t(i + 1))]);
    int k = 0;
    for (int c = 0; c < spec.compounds; ++c)
        for (int r = 0; r < d.replicatesPerPlate; ++r) d.wellCompound[slots[k++]] = c;
    for (; k < slots.size(); ++k) d.wellCompound[slots[k]] = -1;
    d.dmsoWells = int(std::count(d.wellCompound.begin(), d.wellCompound.end(), -1));

    // Effects: cycle through the effect types (balanced), inactive ones chosen by a seeded shuffle.
    const Effect kinds[] = {Effect::NucleusSize, Effect::MitoIntensity, Effect::CellCount, Effect::ErTexture,
                            Effect::DnaIntensity, Effect::AgpFibres, Effect::CellSize, Effect::RnaNucleoli};
    QVector<int> order(spec.compounds);
    std::iota(order.begin(), order.end(), 0);
    for (int i = order.size() - 1; i > 0; --i)
        std::swap(order[i], order[int(streamSeed(spec.seed, 2, uint64_t(i)) % uint64_t(i + 1))]);
    const int inactive = int(std::lround(spec.inactiveFraction * spec.compounds));
    const uint64_t offset = streamSeed(spec.seed, 4) % 8;
    d.compounds.resize(spec.compounds);
    for (int c = 0; c < spec.compounds; ++c) {
        Compound &cp = d.compounds[c];
        cp.id = QStringLiteral("PHANTOM-CPD-%1").arg(c + 1, 3, 10, QLatin1Char('0'));
        cp.name = QStringLiteral("phantom-%1").arg(c + 1, 3, 10, QLatin1Char('0'));
        const uint64_t h = streamSeed(spec.seed, 3, uint64_t(c));
        const Effect e = kinds[(uint64_t(c) + offset) % 8];
        cp.effect = e;
        cp.strength = drawStrength(e, h);
    }
    for (int i = 0; i < inactive; ++i) {
        d.compounds[order[i]].effect = Effect::None;
        d.compounds[order[i]].strength = 0;
    }
    return d;
}

} // namespace cprecon::phantom
