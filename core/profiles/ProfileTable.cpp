#include "profiles/ProfileTable.h"

#include "util/Csv.h"
#include "util/CsvReader.h"

#include "util/Error.h"


#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>

namespace cprecon::profiles {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Parses a number; empty and NA-like tokens give NaN (as pandas reads them). False when not a number.
bool parseNumber(std::string_view s, double &out)
{
    s = trim(s);
    if (s.empty() || s == "NA" || s == "NaN" || s == "nan" || s == "N/A" || s == "null" || s == "NULL") {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (s.front() == '+') s.remove_prefix(1);
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc::result_out_of_range) { // denormal underflow or overflow: let strtod decide
        out = std::strtod(std::string(s).c_str(), nullptr);
        return true;
    }
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool startsWith(const std::string &s, const std::string &p) { return s.compare(0, p.size(), p) == 0; }

} // namespace

int ProfileTable::metaIndex(const std::string &name) const
{
    for (std::size_t i = 0; i < metaNames.size(); ++i)
        if (metaNames[i] == name) return static_cast<int>(i);
    return -1;
}

const std::vector<std::string> &ProfileTable::metaColumn(const std::string &name, const std::string &why) const
{
    const int i = metaIndex(name);
    if (i < 0) {
        std::string avail;
        for (const auto &n : metaNames) avail += (avail.empty() ? "" : ", ") + n;
        throw Error("missing metadata column '" + name + "'" + (why.empty() ? "" : " (" + why + ")"), source,
                    "available metadata columns: " + (avail.empty() ? std::string("none") : avail));
    }
    return meta[static_cast<std::size_t>(i)];
}

ProfileTable ProfileTable::selectRows(const std::vector<std::size_t> &rows) const
{
    ProfileTable t;
    t.source = source;
    t.metaNames = metaNames;
    t.featureNames = featureNames;
    t.notes = notes;
    t.meta.resize(meta.size());
    for (std::size_t c = 0; c < meta.size(); ++c) {
        t.meta[c].reserve(rows.size());
        for (std::size_t r : rows) t.meta[c].push_back(meta[c][r]);
    }
    t.features.resize(static_cast<Eigen::Index>(rows.size()), features.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) t.features.row(static_cast<Eigen::Index>(i)) = features.row(static_cast<Eigen::Index>(rows[i]));
    return t;
}

ProfileTable readProfileTable(const std::string &path, const ProfileReadOptions &options)
{
    CsvReader reader = CsvReader::fromFile(path, ',', "profile table");
    std::vector<std::string_view> fields;
    if (!reader.next(fields))
        throw Error("empty profile table (no header line)", path, "write a CSV header with Metadata_* and feature columns");

    ProfileTable t;
    t.source = path;
    const std::vector<std::string> header(fields.begin(), fields.end());
    const std::size_t ncols = header.size();
    if (options.featuresFromCol >= 0 && static_cast<std::size_t>(options.featuresFromCol) >= ncols)
        throw Error("--features-from-col " + std::to_string(options.featuresFromCol) + " is past the last column (" +
                        std::to_string(ncols) + " columns)", path, "use a 0-based column index");

    // Column roles: metadata (string), feature candidate (number), ignored.
    enum Role { Meta, Feature, Ignored };
    std::vector<Role> role(ncols, Ignored);
    for (std::size_t c = 0; c < ncols; ++c) {
        const std::string &h = header[c];
        if (options.featuresFromCol >= 0)
            role[c] = static_cast<int>(c) < options.featuresFromCol ? Meta : Feature;
        else if (startsWith(h, "Metadata_"))
            role[c] = Meta;
        else if (!options.featurePrefix.empty())
            role[c] = startsWith(h, options.featurePrefix) ? Feature : Ignored;
        else
            role[c] = Feature;
    }
    const bool strictFeatures = options.featuresFromCol >= 0 || !options.featurePrefix.empty();
    std::vector<std::size_t> metaCols, featCols;
    for (std::size_t c = 0; c < ncols; ++c) {
        if (role[c] == Meta) metaCols.push_back(c);
        if (role[c] == Feature) featCols.push_back(c);
    }
    if (featCols.empty())
        throw Error("no feature columns found", path,
                    options.featurePrefix.empty() ? "features are the non-Metadata_ columns; pass --feature-prefix or --features-from-col"
                                                  : "no column starts with '" + options.featurePrefix + "'");

    for (std::size_t c : metaCols) t.metaNames.push_back(header[c]);
    t.meta.resize(metaCols.size());
    std::vector<char> numeric(featCols.size(), 1);
    // Values are collected in fixed blocks of rows, then moved block by block into the final matrix, so the
    // peak is about one copy of the data (a growing vector would need up to 3x: capacity doubling + final copy).
    constexpr std::size_t kBlockRows = 2048;
    std::vector<std::vector<double>> blocks;
    std::size_t nrows = 0;
    while (reader.next(fields)) {
        if (fields.size() != ncols)
            throw Error("row has " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(ncols), path,
                        "every row needs one value per header column", reader.records());
        for (std::size_t m = 0; m < metaCols.size(); ++m) t.meta[m].emplace_back(fields[metaCols[m]]);
        if (nrows % kBlockRows == 0) {
            blocks.emplace_back();
            blocks.back().reserve(kBlockRows * featCols.size());
        }
        std::vector<double> &values = blocks.back();
        for (std::size_t f = 0; f < featCols.size(); ++f) {
            double v = std::numeric_limits<double>::quiet_NaN();
            if (numeric[f] && !parseNumber(fields[featCols[f]], v)) {
                if (strictFeatures)
                    throw Error("feature column '" + header[featCols[f]] + "' holds a non-number '" +
                                    std::string(fields[featCols[f]]) + "'", path,
                                "fix the value or exclude the column (--feature-prefix / --features-from-col)", reader.records());
                numeric[f] = 0;
                t.notes.push_back("ignored non-numeric column '" + header[featCols[f]] + "' (line " +
                                  std::to_string(reader.records()) + ": '" + std::string(fields[featCols[f]]) + "')");
                v = 0.0;
            }
            values.push_back(v);
        }
        ++nrows;
    }
    // Compact away non-numeric candidates in place (destination never overtakes source).
    std::vector<std::size_t> keep;
    for (std::size_t f = 0; f < featCols.size(); ++f)
        if (numeric[f]) { keep.push_back(f); t.featureNames.push_back(header[featCols[f]]); }
    if (keep.empty()) throw Error("no numeric feature columns", path, "features must be numbers");
    t.features.resize(static_cast<Eigen::Index>(nrows), static_cast<Eigen::Index>(keep.size()));
    const bool all = keep.size() == featCols.size();
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const std::size_t r0 = b * kBlockRows, nr = std::min(kBlockRows, nrows - r0);
        for (std::size_t r = 0; r < nr; ++r) {
            const double *src = blocks[b].data() + r * featCols.size();
            double *dst = t.features.row(static_cast<Eigen::Index>(r0 + r)).data();
            if (all) std::copy(src, src + featCols.size(), dst);
            else for (std::size_t k = 0; k < keep.size(); ++k) dst[k] = src[keep[k]];
        }
        std::vector<double>().swap(blocks[b]);
    }
    if (nrows == 0) throw Error("profile table has a header but no rows", path, "give a table with at least one data row");
    applyNonFinitePolicy(t, options.nonFinite);
    return t;
}

void applyNonFinitePolicy(ProfileTable &t, NonFinitePolicy policy)
{
    const Eigen::Index n = t.features.rows(), d = t.features.cols();
    std::vector<char> badCol(static_cast<std::size_t>(d), 0), badRow(static_cast<std::size_t>(n), 0);
    std::size_t nBad = 0;
    for (Eigen::Index r = 0; r < n; ++r) {
        const double *row = t.features.row(r).data();
        for (Eigen::Index c = 0; c < d; ++c)
            if (!std::isfinite(row[c])) {
                if (policy == NonFinitePolicy::Error) {
                    const std::string value = std::isnan(row[c]) ? "NaN/empty" : "infinite";
                    throw Error("feature '" + t.featureNames[static_cast<std::size_t>(c)] + "' is " + value + " in data row " +
                                    std::to_string(r + 1),
                                t.source, "clean the table or choose --nonfinite drop-features|drop-rows", static_cast<long>(r + 2));
                }
                badCol[static_cast<std::size_t>(c)] = 1;
                badRow[static_cast<std::size_t>(r)] = 1;
                ++nBad;
            }
    }
    if (nBad == 0) return;
    if (policy == NonFinitePolicy::DropFeatures) {
        std::vector<Eigen::Index> keep;
        std::string names;
        std::size_t dropped = 0;
        for (Eigen::Index c = 0; c < d; ++c) {
            if (!badCol[static_cast<std::size_t>(c)]) { keep.push_back(c); continue; }
            if (++dropped <= 5) names += (names.empty() ? "" : ", ") + t.featureNames[static_cast<std::size_t>(c)];
        }
        if (keep.empty())
            throw Error("every feature column holds a NaN/inf value", t.source, "use --nonfinite drop-rows or clean the table");
        RowMatrix f(n, static_cast<Eigen::Index>(keep.size()));
        std::vector<std::string> fn;
        for (std::size_t k = 0; k < keep.size(); ++k) {
            f.col(static_cast<Eigen::Index>(k)) = t.features.col(keep[k]);
            fn.push_back(t.featureNames[static_cast<std::size_t>(keep[k])]);
        }
        t.features = std::move(f);
        t.featureNames = std::move(fn);
        t.notes.push_back("dropped " + std::to_string(dropped) + " feature(s) with NaN/inf/empty values (" +
                          std::to_string(nBad) + " values): " + names + (dropped > 5 ? ", ..." : ""));
    } else {
        std::vector<std::size_t> keep;
        for (Eigen::Index r = 0; r < n; ++r)
            if (!badRow[static_cast<std::size_t>(r)]) keep.push_back(static_cast<std::size_t>(r));
        if (keep.empty())
            throw Error("every row holds a NaN/inf feature value", t.source, "use --nonfinite drop-features or clean the table");
        const std::size_t dropped = static_cast<std::size_t>(n) - keep.size();
        std::vector<std::string> notes = std::move(t.notes);
        t = t.selectRows(keep);
        t.notes = std::move(notes);
        t.notes.push_back("dropped " + std::to_string(dropped) + " row(s) with NaN/inf/empty feature values (" +
                          std::to_string(nBad) + " values)");
    }
}

void writeProfileTable(const ProfileTable &t, const std::string &path)
{
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "w"), &std::fclose);
    if (!f) throw Error("cannot write table", path, "check the folder exists and is writable");
    std::string line;
    for (const auto &n : t.metaNames) line += csvField(n) + ",";
    for (const auto &n : t.featureNames) line += csvField(n) + ",";
    if (!line.empty()) line.back() = '\n';
    std::fputs(line.c_str(), f.get());
    char buf[40];
    for (std::size_t r = 0; r < t.rows(); ++r) {
        line.clear();
        for (const auto &col : t.meta) line += csvField(col[r]) + ",";
        for (Eigen::Index c = 0; c < t.features.cols(); ++c) {
            std::snprintf(buf, sizeof buf, "%.17g,", t.features(static_cast<Eigen::Index>(r), c));
            line += buf;
        }
        if (!line.empty()) line.back() = '\n';
        std::fputs(line.c_str(), f.get());
    }
}

} // namespace cprecon::profiles
