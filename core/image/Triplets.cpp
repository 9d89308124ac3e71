#include "image/Triplets.h"

#include "screen/Screen.h"
#include "util/Error.h"

#include <algorithm>
#include <vector>

namespace cprecon {

static const char *kFix = "give two triplets of stains covering DNA, ER, RNA, AGP, Mito, e.g. \"Mito,AGP,RNA;RNA,ER,DNA\"";

void TripletGrouping::validate() const
{
    for (const auto *t : {&a, &b}) {
        for (int i = 0; i < 3; ++i) {
            if (!cellPaintingStains().contains((*t)[i]))
                throw Error("unknown stain '" + (*t)[i].toStdString() + "' in triplet grouping", "", kFix);
            for (int j = 0; j < i; ++j)
                if ((*t)[i] == (*t)[j])
                    throw Error("stain '" + (*t)[i].toStdString() + "' appears twice in one triplet", "", kFix);
        }
    }
    for (const QString &s : cellPaintingStains()) {
        const bool inA = std::find(a.begin(), a.end(), s) != a.end();
        const bool inB = std::find(b.begin(), b.end(), s) != b.end();
        if (!inA && !inB)
            throw Error("stain '" + s.toStdString() + "' is in neither triplet", "", kFix);
    }
    if (sharedFrom != 'A' && sharedFrom != 'B')
        throw Error("shared stains must be taken from triplet A or B", "", kFix);
}

char TripletGrouping::sourceOf(const QString &stain) const
{
    const bool inA = std::find(a.begin(), a.end(), stain) != a.end();
    const bool inB = std::find(b.begin(), b.end(), stain) != b.end();
    if (inA && inB) return sharedFrom;
    if (inA) return 'A';
    if (inB) return 'B';
    throw Error("stain '" + stain.toStdString() + "' is in neither triplet", "", kFix);
}

QString TripletGrouping::toString() const
{
    QString s = QStringList{a[0], a[1], a[2]}.join(QLatin1Char(',')) + QLatin1Char(';')
                + QStringList{b[0], b[1], b[2]}.join(QLatin1Char(','));
    if (sharedFrom != 'A') s += QStringLiteral(";shared=B");
    return s;
}

TripletGrouping TripletGrouping::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    if (parts.size() != 2 && parts.size() != 3)
        throw Error("cannot parse triplet grouping '" + text.toStdString() + "'", "", kFix);
    TripletGrouping g;
    for (int t = 0; t < 2; ++t) {
        const QStringList st = parts[t].split(QLatin1Char(','));
        if (st.size() != 3) throw Error("a triplet needs exactly 3 stains: '" + parts[t].toStdString() + "'", "", kFix);
        for (int i = 0; i < 3; ++i) (t == 0 ? g.a : g.b)[i] = st[i].trimmed();
    }
    if (parts.size() == 3) {
        const QString shared = parts[2].trimmed();
        if (shared == QLatin1String("shared=A")) g.sharedFrom = 'A';
        else if (shared == QLatin1String("shared=B")) g.sharedFrom = 'B';
        else throw Error("cannot parse '" + shared.toStdString() + "' (expected shared=A or shared=B)", "", kFix);
    }
    g.validate();
    return g;
}

static cv::Mat stack(const QMap<QString, cv::Mat> &stains, const std::array<QString, 3> &names)
{
    std::vector<cv::Mat> planes;
    for (const QString &n : names) {
        const auto it = stains.find(n);
        if (it == stains.end() || it->empty())
            throw Error("stain '" + n.toStdString() + "' missing when building a triplet", "",
                        "load all five Cell Painting stains of the site");
        if (it->channels() != 1) throw Error("triplet inputs must be single-channel images");
        if (!planes.empty() && (it->size() != planes[0].size() || it->type() != planes[0].type()))
            throw Error("stains of one triplet differ in size or type ('" + n.toStdString() + "')", "",
                        "all channels of a site must have the same size");
        planes.push_back(*it);
    }
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

std::pair<cv::Mat, cv::Mat> splitTriplets(const QMap<QString, cv::Mat> &stains, const TripletGrouping &g)
{
    g.validate();
    return {stack(stains, g.a), stack(stains, g.b)};
}

QMap<QString, cv::Mat> mergeTriplets(const cv::Mat &tripletA, const cv::Mat &tripletB, const TripletGrouping &g)
{
    g.validate();
    if (tripletA.channels() != 3 || tripletB.channels() != 3)
        throw Error("merging needs two 3-channel triplet images", "", "pass the reconstructed triplets A and B");
    if (tripletA.size() != tripletB.size() || tripletA.type() != tripletB.type())
        throw Error("triplets A and B differ in size or type", "", "reconstruct both triplets of the same tile");
    QMap<QString, cv::Mat> out;
    for (const QString &s : cellPaintingStains()) {
        const char src = g.sourceOf(s);
        const auto &names = src == 'A' ? g.a : g.b;
        const int plane = static_cast<int>(std::find(names.begin(), names.end(), s) - names.begin());
        cv::Mat m;
        cv::extractChannel(src == 'A' ? tripletA : tripletB, m, plane);
        out.insert(s, m);
    }
    return out;
}

} // namespace cprecon
