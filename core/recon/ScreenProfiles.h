#pragma once
// Screen → per-site feature profiles (pycytominer-style CSV) for phenotypic activity: every site goes through the
// same image pipeline as the inspector (optionally through a reconstructor first, so original and reconstruction
// can be compared), tiles → weight-free handcrafted features → mean over the site's tiles → one CSV row.
// Sites run in parallel on the CPU pool. Resumable: rows are appended and flushed per site; a rerun with the same
// output keeps the complete rows (same header and Metadata_source), cuts a torn last line and computes the rest.
#include "recon/SiteReconstruction.h"
#include "screen/Screen.h"

#include <QString>
#include <QStringList>

#include <atomic>

namespace cprecon {

struct ProfileExtractionOptions {
    PipelineOptions pipeline;
    QString model;           // empty: features of the originals; else reconstruct each site with this model first
    Protocol protocol = Protocol::Corrected;
    quint64 seed = 0;
    QStringList plates;      // empty: all plates
};

struct ProfileExtractionReport {
    int sitesTotal = 0;
    int sitesWritten = 0;
    int sitesResumed = 0;    // already in the output from an earlier (interrupted) run
    QStringList failures;    // one line per site that could not be processed (file, reason) — the rest goes on
    bool cancelled = false;
};

// Writes/extends `outCsv`. Columns: Metadata_Plate, Metadata_Well, Metadata_Site, Metadata_broad_sample (the
// perturbation id; "DMSO" for negative controls without one), Metadata_pert_iname, Metadata_control_type
// ("negcon", "poscon…", "" for treatments), Metadata_cell_line, Metadata_timepoint, Metadata_source (original or the
// model + protocol), then the features. Throws cprecon::Error when the output cannot be written or belongs to a
// different extraction (other features / source): the fix is another file name.
ProfileExtractionReport extractScreenProfiles(ModelPool &models, const Screen &screen, const ProfileExtractionOptions &options,
                                              const QString &outCsv, const std::atomic<bool> *cancel = nullptr,
                                              const ProgressFn &progress = {});

} // namespace cprecon
