#pragma once
// Options every screen-taking CLI command shares: how to open the screen, find a site, and run the pipeline.
#include "CliRegistry.h"

#include "image/SitePipeline.h"
#include "screen/ScreenOpener.h"

namespace cprecon::cli {

// --data-root DIR, --channel-map CH=STAIN,..., --metadata DIR
OpenOptions screenOpenOptions(const Args &a);
// --illum auto|none, --convert paper|percentile [--low P --high P], --tile-size, --crop, --partial, --small-image
PipelineOptions pipelineOptions(const Args &a);
// Throws cprecon::Error listing the valid plates / wells / sites when the requested one does not exist.
const Site &findSite(const Screen &screen, const QString &plate, const QString &well, int site);
// "A1" / "a01" -> "A01" (throws on malformed names)
QString canonicalWell(const QString &well);
// "a, b, c, ... (N in all)"
QString listOf(const QStringList &items, int max = 12);

// The declarations of the options above, for a command's option list.
std::vector<Option> screenOptions();
std::vector<Option> pipelineOptions();

} // namespace cprecon::cli
