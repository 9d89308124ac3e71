#pragma once
// One entry point for every screen path the user gives (GUI, every CLI command): detects the layout and loads it.
#include "screen/Screen.h"
#include "util/Error.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <atomic>

namespace cprecon {

struct OpenOptions {
    QString dataRoot;      // re-root absolute image paths from the authors' machines / map s3://cellpainting-gallery/ URLs to this local mirror root
    QMap<QString, QString> stainOverride; // user override of channel -> stain, key = channel number as string ("1") or load_data channel name ("OrigMito"), value = stain ("Mito")
    QStringList metadataDirs; // extra folders searched for barcode_platemap.csv / platemaps / external metadata
    // Raised by the caller (a Task) to abandon the open: checked per folder, per sheet and every 2048 CSV rows;
    // openScreen then throws cprecon::Canceled.
    const std::atomic<bool> *cancel = nullptr;
    void checkCanceled() const
    {
        if (cancel && cancel->load()) throw Canceled("opening the screen was canceled");
    }
};

// Opens what the user gave: a screen root folder (cellpainting-gallery-style tree), a single load_data CSV
// (.csv/.csv.gz, local-path or URL flavour), an nf-core/cellpainting long-format sample sheet, a plain folder of
// TIFF/PNG images (Phenix / CV8000 / ImageXpress names auto-detected), or a folder of natural RGB photos.
// Content problems never throw: they go into Screen::problems (file, row, message, fix) and the rest loads.
// Throws cprecon::Error only when the path does not exist or nothing loadable is found (message names the path and what was expected).
Screen openScreen(const QString &path, const OpenOptions &options = {});

} // namespace cprecon
