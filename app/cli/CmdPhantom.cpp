// cprecon-cli phantom: writes a PHANTOM (synthetic, not biology) cellpainting-gallery-style screen.
#include "CliRegistry.h"

#include "image/PhantomGenerator.h"
#include "util/Error.h"

#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <iostream>

namespace cprecon::cli {

static int runPhantom(const Args &a)
{
    phantom::Spec spec;
    const QString out = a.require(QStringLiteral("out"));
    spec.plates = a.intValue(QStringLiteral("plates"), 1);
    spec.wells = a.intValue(QStringLiteral("wells"), 384);
    spec.sites = a.intValue(QStringLiteral("sites"), 1);
    bool ok = true;
    spec.seed = a.value(QStringLiteral("seed"), QStringLiteral("1")).toULongLong(&ok);
    if (!ok) throw Error("--seed expects a non-negative integer, got '" + a.value(QStringLiteral("seed")).toStdString() + "'", "", "give --seed 0, 1, 2, ...");
    spec.size = a.intValue(QStringLiteral("size"), 1080);
    spec.compounds = a.intValue(QStringLiteral("compounds"), 0);
    spec.inactiveFraction = a.doubleValue(QStringLiteral("inactive-fraction"), 0.25);
    const bool quiet = a.has(QStringLiteral("quiet"));
#if defined(__GLIBC__)
    // Rendering allocates many image-sized buffers per site; keep freed memory in the heap instead of returning
    // it to the kernel and faulting fresh zero pages in again (a third of the CPU time otherwise).
    mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif

    const auto rep = phantom::generatePhantom(out, spec, [quiet](int done, int total) {
        if (!quiet && (done == total || done % 32 == 0)) {
            std::fprintf(stderr, "\rphantom: %d/%d sites", done, total);
            if (done == total) std::fprintf(stderr, "\n");
        }
    });
    int active = 0;
    for (const auto &c : rep.design.compounds) active += c.active() ? 1 : 0;
    std::cout << "PHANTOM screen (synthetic images, not biology) written to " << out.toStdString() << "\n"
              << "  plates " << rep.design.spec.plates << " x " << rep.design.spec.wells << " wells x "
              << rep.design.spec.sites << " site(s), " << rep.design.spec.size << "x" << rep.design.spec.size << " px\n"
              << "  compounds " << rep.design.compounds.size() << " (" << active << " active, "
              << rep.design.compounds.size() - active << " inactive), " << rep.design.replicatesPerPlate
              << " replicate(s) per plate, DMSO wells per plate " << rep.design.dmsoWells << "\n"
              << "  " << rep.images << " images, " << (rep.bytes / (1024.0 * 1024.0)) << " MiB in " << rep.seconds
              << " s (" << (rep.sites / std::max(rep.seconds, 1e-9)) << " sites/s)\n";
    return 0;
}

static Registrar reg({"phantom", "write a PHANTOM (synthetic, not biology) Cell Painting screen with known ground truth",
                      QStringLiteral("--out DIR"),
                      QStringLiteral("Writes a cellpainting-gallery-style tree (Phenix 16-bit LZW TIFFs, illumination .npy,\n"
                                     "load_data CSVs, barcode_platemap, platemap, compound metadata, phantom_ground_truth.csv,\n"
                                     "phantom.json marker). Same arguments -> same bytes, whatever --threads.\n"
                                     "DIR must be new, empty, or a previous phantom. See docs/user/pipeline.md."),
                      {value(QStringLiteral("out"), QStringLiteral("DIR"), QStringLiteral("output folder")),
                       integer(QStringLiteral("plates"), QStringLiteral("N"), QStringLiteral("plates"), QStringLiteral("1"), 1, 1000),
                       integer(QStringLiteral("wells"), QStringLiteral("96|384"), QStringLiteral("plate format"), QStringLiteral("384"), 96, 384),
                       integer(QStringLiteral("sites"), QStringLiteral("S"), QStringLiteral("sites per well"), QStringLiteral("1"), 1, 100),
                       integer(QStringLiteral("seed"), QStringLiteral("K"), QStringLiteral("seed"), QStringLiteral("1"), 0),
                       integer(QStringLiteral("size"), QStringLiteral("PX"), QStringLiteral("image edge"), QStringLiteral("1080"), 16, 8192),
                       integer(QStringLiteral("compounds"), QStringLiteral("M"), QStringLiteral("compounds"), QStringLiteral("(wells - DMSO) / 2"), 1),
                       number(QStringLiteral("inactive-fraction"), QStringLiteral("F"), QStringLiteral("share of compounds without effect"), QStringLiteral("0.25"), 0, 1),
                       flag(QStringLiteral("quiet"), QStringLiteral("no progress output"))},
                      runPhantom});

} // namespace cprecon::cli
