#pragma once
// Creates the LibTorch feature networks behind the torch-free models/FeatureExtractor.h interface.
#include "models/FeatureExtractor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cprecon {

struct StateDict;

// Known names, in a stable order.
std::vector<std::string> featureExtractorNames();

// Builds a network and copies its weights from `weights` by key name. Refuses a wrong checkpoint with a
// cprecon::Error naming missing / unexpected keys and shape mismatches.
std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string &name, const StateDict &weights,
                                                         const FeatureOptions &options = {});
// Same, reading the checkpoint with loadStateDict (any supported format, detected by content).
std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string &name, const std::string &weightsPath,
                                                         const FeatureOptions &options = {});
// Randomly initialised network of the real architecture and size (benchmarks only; deterministic seed).
std::unique_ptr<FeatureExtractor> createRandomFeatureExtractor(const std::string &name,
                                                               const FeatureOptions &options = {},
                                                               uint64_t seed = 0);

// The fixed 2-D sin-cos position table of MAE / OpenPhenom: (1 + channels·grid²) × dim, CLS row zero, the grid
// table repeated for every channel. OpenPhenom uses the checkpoint's own table (identical); this builds it when
// a checkpoint lacks it, and lets tests check it.
FloatArray maeSincosPositionTable(int64_t grid, int64_t dim, int64_t channels);

} // namespace cprecon
