#include "run/RunExtractors.h"

#include "features/HandcraftedFeatures.h"
#include "models/FeatureExtractor.h"
#include "nets/FeatureNets.h"
#include "run/WeightResolution.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QScopeGuard>

#include <cmath>

namespace cprecon::run {

struct RunExtractors::Entry {
    ExtractorChoice choice;
    std::unique_ptr<FeatureExtractor> net; // null for handcrafted
};

namespace {

// Mean over the rows of an n x d matrix, accumulated in double.
std::vector<float> meanRows(const float *rows, int64_t n, int64_t d)
{
    std::vector<double> sum(size_t(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) sum[size_t(j)] += rows[i * d + j];
    std::vector<float> out(static_cast<size_t>(d));
    for (int64_t j = 0; j < d; ++j) out[size_t(j)] = float(sum[size_t(j)] / double(n));
    return out;
}

// A reconstruction rounded to 8-bit levels (for the handcrafted features only), as toU8 rounds.
std::vector<uint8_t> rounded(const std::vector<float> &f)
{
    std::vector<uint8_t> out(f.size());
    for (size_t i = 0; i < f.size(); ++i) out[i] = uint8_t(std::floor(std::clamp(f[i], 0.f, 1.f) * 255.f + 0.5f));
    return out;
}

void checkFinite(const std::vector<float> &v, const std::string &what, const SiteKey &k)
{
    for (float x : v)
        if (!std::isfinite(x))
            throw Error(what + " of " + k.plate + " " + k.well + " site " + std::to_string(k.site) + " (" +
                            (k.model.empty() ? std::string("originals") : k.model) + ") are not finite",
                        "", "check the model's weights; a diverged network gives NaN features");
}

} // namespace

RunExtractors::RunExtractors(const RunConfig &config) : m_config(config)
{
    for (const ExtractorChoice &e : config.extractors) {
        auto entry = std::make_unique<Entry>();
        entry->choice = e;
        if (e.name != "handcrafted") {
            FeatureOptions o;
            o.device = parseComputeDevice(config.device.toStdString());
            o.paperDoubleNormalisation = e.name == "openphenom" && config.protocol == Protocol::Paper;
            o.transformInput = false; // the paper's models.py builds inception_v3(transform_input=False) (PROTOCOL.md)
            entry->net = createFeatureExtractor(catalogNameOf(e.name), resolveExtractorWeights(e), o);
        }
        m_entries.push_back(std::move(entry));
    }
}

RunExtractors::~RunExtractors() = default;

const features::HandcraftedExtractor &RunExtractors::handcrafted(const QStringList &channels) const
{
    auto &slot = m_handcrafted[channels];
    if (!slot) {
        features::HandcraftedOptions o;
        o.channelNames.clear();
        for (const QString &c : channels) o.channelNames.push_back(c.toStdString());
        slot = std::make_unique<features::HandcraftedExtractor>(o);
    }
    return *slot;
}

void RunExtractors::measure(const SiteImages &images, SiteResults &results) const
{
    const int n = images.tiles(), t = images.tileSize;
    std::vector<uint8_t> u8;
    std::vector<float> f32;
    for (const auto &entry : m_entries) {
        const std::string &name = entry->choice.name;
        QElapsedTimer clock;
        clock.start();
        const auto addTime = qScopeGuard([&] { m_networkSeconds += double(clock.nsecsElapsed()) * 1e-9; });
        if (!entry->net) { // handcrafted
            images.stainTiles(&u8, &f32);
            if (images.isFloat()) u8 = rounded(f32);
            const auto &fx = handcrafted(images.stainNames);
            const std::vector<float> feats = fx.extractBatch(u8.data(), n, t, t);
            results.embeddings[name] = meanRows(feats.data(), n, fx.featureCount());
            for (int k = 0; k < int(images.triplets.size()); ++k) {
                images.tripletTiles(k, &u8, &f32);
                if (images.isFloat()) u8 = rounded(f32);
                const auto &trip = handcrafted(QStringList{QStringLiteral("c0"), QStringLiteral("c1"), QStringLiteral("c2")});
                TileFeatures tf;
                tf.rows = n;
                tf.dim = trip.featureCount();
                tf.values = trip.extractBatch(u8.data(), n, t, t);
                checkFinite(tf.values, "handcrafted features", results.key);
                results.tileFeatures[{name, images.tripletNames[k].toStdString()}] = std::move(tf);
            }
            checkFinite(results.embeddings[name], "handcrafted features", results.key);
            continue;
        }
        auto extract = [&](int64_t c) {
            return images.isFloat() ? entry->net->extract(ImageBatchF32{f32.data(), n, c, t, t})
                                    : entry->net->extract(ImageBatchU8{u8.data(), n, c, t, t});
        };
        if (name == "openphenom") {
            images.stainTiles(&u8, &f32);
            const FloatArray f = extract(images.stainNames.size());
            results.embeddings[name] = meanRows(f.values.data(), n, f.numel() / n);
        } else { // inception, inception-fid: per triplet, concatenated for retrieval
            std::vector<float> concat;
            int64_t width = 0;
            std::vector<FloatArray> perTriplet;
            for (int k = 0; k < int(images.triplets.size()); ++k) {
                images.tripletTiles(k, &u8, &f32);
                perTriplet.push_back(extract(3));
                width += perTriplet.back().numel() / n;
            }
            concat.resize(size_t(n) * size_t(width));
            int64_t offset = 0;
            for (int k = 0; k < int(perTriplet.size()); ++k) {
                const FloatArray &f = perTriplet[size_t(k)];
                const int64_t d = f.numel() / n;
                for (int i = 0; i < n; ++i)
                    std::copy(f.values.begin() + i * d, f.values.begin() + (i + 1) * d, concat.begin() + i * width + offset);
                offset += d;
                TileFeatures tf;
                tf.rows = n;
                tf.dim = int(d);
                tf.values = f.values;
                checkFinite(tf.values, name + " features", results.key);
                results.tileFeatures[{name, images.tripletNames[k].toStdString()}] = std::move(tf);
            }
            results.embeddings[name] = meanRows(concat.data(), n, width);
        }
        checkFinite(results.embeddings[name], name + " features", results.key);
    }
}

} // namespace cprecon::run
