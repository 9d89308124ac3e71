#pragma once
// PHANTOM screens — synthetic images, not biology. Writes a complete cellpainting-gallery-style screen:
//
//   DIR/phantom.json                        {"synthetic": true, "generator": "cprecon-cli phantom", seed, plates, ...}
//   DIR/README.md                           "PHANTOM — synthetic images, not biology"
//   DIR/phantom_ground_truth.csv            broad_sample, pert_iname, active, effect, strength, description
//   DIR/images/phantom_batch/images/<plate>__phantom/Images/rRRcCCfFFp01-chNsk1fk1fl1.tiff   16-bit LZW TIFF
//   DIR/images/phantom_batch/illum/<plate>/<plate>_Illum<Stain>.npy                          float64, image-sized
//   DIR/workspace/load_data_csv/phantom_batch/<plate>/load_data.csv            FileName/PathName_Orig<Stain>, Metadata_*
//   DIR/workspace/load_data_csv/phantom_batch/<plate>/load_data_with_illum.csv + FileName/PathName_Illum<Stain>
//   DIR/workspace/metadata/platemaps/phantom_batch/barcode_platemap.csv        Assay_Plate_Barcode,Plate_Map_Name
//   DIR/workspace/metadata/platemaps/phantom_batch/platemap/phantom_platemap.txt   TSV well_position, broad_sample, solvent
//   DIR/workspace/metadata/external_metadata/phantom_compound_metadata.tsv     broad_sample, pert_iname, pert_type, control_type
//
// Channels follow CPJUMP1 source_4: ch1 Mito, ch2 AGP, ch3 RNA, ch4 ER, ch5 DNA. load_data paths are relative to
// the CSV's folder (../../../../images/...). Plates PHANTOM-P01.., compounds PHANTOM-CPD-001.., cell line
// PHANTOM-U2OS, 48 h. Sites are rendered in parallel on the CPU pool; the bytes do not depend on the thread count.
// While it runs, OpenCV's global thread count is set to 1 (restored afterwards) to avoid oversubscription.
#include "image/PhantomDesign.h"

#include <QString>

#include <functional>

namespace cprecon::phantom {

struct GenerateReport {
    Design design;
    int images = 0;          // TIFF files written
    int sites = 0;
    double seconds = 0;      // wall time
    qint64 bytes = 0;        // total size of the files written
};

// Throws cprecon::Error when outDir is a non-empty folder that is not a previous phantom (never overwrites data)
// or a file cannot be written. progress(doneSites, totalSites) is called from worker threads.
GenerateReport generatePhantom(const QString &outDir, const Spec &spec,
                               const std::function<void(int, int)> &progress = {});

// Relative paths used by the layout (for the loader's tests and the docs).
QString phenixFileName(int row, int col, int site, int channel); // r01c01f01p01-ch1sk1fk1fl1.tiff
QString imagesDir(const QString &plate);                         // images/phantom_batch/images/<plate>__phantom/Images
QString illumDir(const QString &plate);                          // images/phantom_batch/illum/<plate>
QString loadDataDir(const QString &plate);                       // workspace/load_data_csv/phantom_batch/<plate>

} // namespace cprecon::phantom
