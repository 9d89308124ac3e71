#pragma once
// Five Cell Painting stains -> two 3-channel "RGB" images for RGB-only models, and back (PROTOCOL.md):
//   triplet A = (Mito, AGP, RNA), triplet B = (RNA, ER, DNA)  (RNA is in both);
//   merging two reconstructed triplets keeps Mito, AGP, RNA from A and ER, DNA from B.
// The grouping is configurable; a stain present in both triplets is taken from `sharedFrom` when merging.
//
// Channel order: a triplet cv::Mat (CV_8UC3 or any 3-channel type) holds the triplet's stains in planes 0, 1, 2 in
// the order listed, i.e. plane 0 is the model's R input. This is RGB order, NOT OpenCV's BGR: swap before imwrite.
#include <QMap>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include <array>
#include <utility>

namespace cprecon {

struct TripletGrouping {
    std::array<QString, 3> a{QStringLiteral("Mito"), QStringLiteral("AGP"), QStringLiteral("RNA")};
    std::array<QString, 3> b{QStringLiteral("RNA"), QStringLiteral("ER"), QStringLiteral("DNA")};
    char sharedFrom = 'A'; // 'A' or 'B': where a stain present in both triplets is taken from on merge

    // Throws Error unless both triplets name 3 known stains each, no stain twice in a triplet, and together they
    // cover all five Cell Painting stains.
    void validate() const;
    // 'A' or 'B': the triplet a stain is read from when merging.
    char sourceOf(const QString &stain) const;
    // "Mito,AGP,RNA;RNA,ER,DNA" (+ optional ";shared=B"), the form parse() accepts.
    QString toString() const;
    static TripletGrouping parse(const QString &text);
};

// Stack the stains of each triplet into 3-channel images (all inputs same size and type, single channel).
std::pair<cv::Mat, cv::Mat> splitTriplets(const QMap<QString, cv::Mat> &stains, const TripletGrouping &g = {});

// Inverse: five single-channel images taken from the two 3-channel triplets per the grouping's merge rule.
QMap<QString, cv::Mat> mergeTriplets(const cv::Mat &tripletA, const cv::Mat &tripletB, const TripletGrouping &g = {});

} // namespace cprecon
