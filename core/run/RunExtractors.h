#pragma once
// The run's feature extractors, loaded once per run, and what they make of one site of one source
// (docs/user/run.md#features):
//   inception / inception-fid  per triplet and tile 2048 pool features (kept per tile for FID); the site's
//                              embedding = mean over tiles of the triplets' features concatenated (4096, as the paper)
//   openphenom                 the five stains of each tile, channel-wise 5 x 384; embedding = mean over tiles
//                              (under the paper protocol pixels are divided by 255 twice, PROTOCOL.md)
//   handcrafted                the five stains of each tile; embedding = mean over tiles; per triplet and tile the
//                              triplet's own features are kept for a weight-free FID
// Originals go in as uint8, reconstructions as the model's float output: both networks see the floats unrounded;
// handcrafted features are defined on 8-bit levels and see the reconstruction rounded (Reconstructor.h toU8).
#include "run/ResultsStore.h"
#include "run/RunConfig.h"
#include "run/SiteImages.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cprecon {
class FeatureExtractor;
namespace features { class HandcraftedExtractor; }
} // namespace cprecon

namespace cprecon::run {

class RunExtractors {
public:
    // Loads every extractor of the config (weights through resolveExtractorWeights); throws cprecon::Error.
    explicit RunExtractors(const RunConfig &config);
    ~RunExtractors();

    // Fills results.embeddings and results.tileFeatures for one site of one source.
    void measure(const SiteImages &images, SiteResults &results) const;

    // Seconds spent computing features (for the benchmark's breakdown).
    double featureSeconds() const { return m_networkSeconds; }

private:
    struct Entry;
    const features::HandcraftedExtractor &handcrafted(const QStringList &channels) const;

    RunConfig m_config;
    std::vector<std::unique_ptr<Entry>> m_entries;
    mutable std::map<QStringList, std::unique_ptr<features::HandcraftedExtractor>> m_handcrafted;
    mutable double m_networkSeconds = 0;
};

} // namespace cprecon::run
