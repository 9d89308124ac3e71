#pragma once
// What a run's model and extractor names mean on this machine: a registry name (sd-vae-v1-4, inception-torchvision,
// ...) is looked up through the catalog's discovery (user folders, HF cache, torch hub); an explicit path must
// exist. Both throw a cprecon::Error naming what is missing and how to get it, so a run fails before any work.
#include "run/RunConfig.h"

#include <map>
#include <string>
#include <utility>

namespace cprecon::run {

// The reconstructor factory's spec for a run model: a VAE registry name -> "sd-vae:<found path>"; baselines,
// "sd-vae:<path>" and "sd-vae-random" as they are (an sd-vae path must exist).
std::string resolveModelSpec(const std::string &model);
// The checkpoint file / folder of an extractor ("" for handcrafted).
std::string resolveExtractorWeights(const ExtractorChoice &extractor);

// The run's weights, part of its identity: for every model and extractor with weights, the file that is loaded and
// its sha256 — {"model sd-vae-v1-4": {"file": ..., "sha256": ...}, "extractor inception": {...}}. A resumed run
// whose weights changed is refused (runTilePass), since its stored results came from other weights.
std::map<std::string, std::pair<std::string, std::string>> weightsIdentity(const RunConfig &config);

} // namespace cprecon::run
