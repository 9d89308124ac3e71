#pragma once
// CellProfiler LoadData CSVs (local-path FileName_/PathName_ and URL_ flavours) and nf-core/cellpainting
// long-format sample sheets, read into a ScreenBuilder.
#include "screen/PathResolver.h"
#include "screen/ScreenBuilder.h"
#include "screen/ScreenOpener.h"

#include <QStringList>

namespace cprecon {

enum class SheetKind { None, LoadData, NfCore };
SheetKind classifyHeader(const QStringList &header);

struct LoadContext {
    ScreenBuilder &builder;
    PathResolver &paths;
    const OpenOptions &options;
    bool synthetic = false; // plates come from a phantom tree
};

// Both return the number of sites added; problems (unreadable file, missing columns, rows) go to the builder.
int loadLoadDataCsv(const QString &csvPath, LoadContext &ctx);
int loadNfCoreSheet(const QString &csvPath, LoadContext &ctx);

// Fills well metadata from one load_data row's Metadata_* values (first row of each well).
void applyRowMetadata(WellMetadata &meta, QMap<QString, QString> &plateMeta, const QString &key, const QString &value);

} // namespace cprecon
