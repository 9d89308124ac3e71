#pragma once
// Plain image folders: instrument file names (Phenix / CV8000 / ImageXpress, auto-detected) or natural RGB photos.
#include "screen/ScreenBuilder.h"
#include "screen/ScreenOpener.h"
#include "screen/StainMap.h"

#include <QStringList>

namespace cprecon {

enum class FolderKind { Empty, Instrument, Natural, Unrecognised };

// What a folder's image files look like (only that folder, not sub-folders).
FolderKind classifyImageFolder(const QString &dir, const QStringList &imageFiles);

// Loads the folder's instrument-named images. mapping = channel -> stain from metadata (channel_mapping.csv);
// when empty the instrument's documented defaults are used and a Warning says so. Returns sites added.
int scanInstrumentFolder(const QString &dir, const QStringList &imageFiles, ScreenBuilder &b, const OpenOptions &options,
                         const ChannelStains &mapping = {}, const QString &mappingSource = {}, bool synthetic = false);

// Natural photos: one plate named after the folder (split into <name>, <name>_2, ... past 1536 images); each image
// is one well named by its file stem, laid out row-major on the smallest 96/384/1536 grid that holds them; one site
// with channels R, G, B (same file, planes 0, 1, 2). Returns images added.
int scanNaturalFolder(const QString &dir, const QStringList &imageFiles, ScreenBuilder &b);

// An LMDB image database (LSUN): one plate named after the folder (split past 1536 images like a photo folder),
// one well per record named by its key, channels R, G, B of the record. Returns images added.
int scanLmdbImages(const QString &dir, ScreenBuilder &b);

// true when a PNG/JPEG header says colour (RGB/RGBA/palette); false for grayscale or unreadable.
bool isColourImage(const QString &path);

// Plate barcode for a folder of instrument images: "BR00117035__2021-05-02T16_02_51-Measurement1/Images" -> BR00117035.
QString plateNameForFolder(const QString &dir);

} // namespace cprecon
