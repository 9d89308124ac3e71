#pragma once
// PHANTOM screens — synthetic images, not biology. The experimental design of a phantom screen: plates, the
// platemap (DMSO and compound wells), the compounds and their known effects (the ground truth), all derived
// deterministically from the seed. Rendering is in PhantomRenderer, files in PhantomGenerator.
//
// Design rules (see docs/user/pipeline.md):
// - plates PHANTOM-P01.. share one platemap ("phantom_platemap"), so every compound is on every plate
//   (replicates across plates) and `replicatesPerPlate` times on each plate;
// - DMSO (negative control, empty broad_sample): 2 wells per row on 384-well plates (32), 1 per row on 96-well
//   plates (8), staggered so they are spread over rows and columns; wells left over after the compound replicates
//   are DMSO too;
// - compounds PHANTOM-CPD-001.. each get one effect with a signed strength; round(inactiveFraction * M) of them,
//   chosen by the seed, have no effect at all (ground truth active = 0).
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>

namespace cprecon::phantom {

enum class Effect {
    None,          // inactive: renders exactly like DMSO (same distributions)
    NucleusSize,   // nucleus radii x (1 + s)
    CellCount,     // cell density x (1 + s), s < 0 (toxicity)
    CellSize,      // cell body radii x (1 + s)
    MitoIntensity, // MitoTracker puncta brightness x (1 + s)
    DnaIntensity,  // Hoechst brightness x (1 + s)
    ErTexture,     // ER reticular texture contrast x (1 + s), s > 0
    AgpFibres,     // actin fibres per cell and their brightness x (1 + s), s > 0
    RnaNucleoli,   // nucleoli brightness x (1 + s)
};
QString effectName(Effect e);        // "nucleus_size", ...
QString effectDescription(Effect e); // one line for the ground-truth file

struct Compound {
    QString id;   // PHANTOM-CPD-001
    QString name; // pert_iname: phantom-001
    Effect effect = Effect::None;
    double strength = 0; // signed s of the effect (0 when inactive)
    bool active() const { return effect != Effect::None; }
};

struct Spec {
    int plates = 1;
    int wells = 384; // 96 or 384
    int sites = 1;
    uint64_t seed = 1;
    int size = 1080;             // image width = height in pixels
    int compounds = 0;           // 0 = default: (wells - DMSO) / 2, i.e. two replicates per plate
    double inactiveFraction = 0.25;
    void validate() const;       // throws cprecon::Error with the option to fix
};

struct Design {
    Spec spec;
    int rows = 16, cols = 24;
    QStringList plateBarcodes;    // PHANTOM-P01, ...
    QVector<Compound> compounds;
    QVector<int> wellCompound;    // per well (row-major), -1 = DMSO, else index into compounds
    int dmsoWells = 0;
    int replicatesPerPlate = 0;
    QString wellName(int index) const; // "A01"
};

Design makeDesign(const Spec &spec);

// Deterministic 64-bit mixing (splitmix64) used to derive every random stream from the seed.
uint64_t mix(uint64_t x);
uint64_t streamSeed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0);

} // namespace cprecon::phantom
