#pragma once
// A pycytominer-style profile table: Metadata_* columns kept as strings, feature columns as float64.
// Reads .csv and .csv.gz (zlib) in a streaming parser; non-finite values are handled by an explicit policy.
#include <Eigen/Core>

#include <cstddef>
#include <string>
#include <vector>

namespace cprecon::profiles {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class NonFinitePolicy {
    DropFeatures, // drop every feature column holding a NaN/inf/empty value in any row (default)
    DropRows,     // drop every row holding a NaN/inf/empty feature value
    Error,        // refuse the table, naming the first offending row and column
};

struct ProfileReadOptions {
    std::string featurePrefix;   // features = columns starting with this prefix (empty: see below)
    int featuresFromCol = -1;    // >= 0: columns [N, end) are features, [0, N) metadata (0-based)
    // With neither: Metadata_* columns are metadata, every other column holding only numbers is a feature
    // (non-numeric non-Metadata columns are ignored and listed in notes).
    NonFinitePolicy nonFinite = NonFinitePolicy::DropFeatures;
};

struct ProfileTable {
    std::string source; // file name, for error messages
    std::vector<std::string> metaNames;
    std::vector<std::vector<std::string>> meta; // meta[column][row]
    std::vector<std::string> featureNames;
    RowMatrix features;                         // rows x features
    std::vector<std::string> notes;             // what loading/processing dropped or changed, for the user

    std::size_t rows() const { return static_cast<std::size_t>(features.rows()); }
    int metaIndex(const std::string &name) const; // -1 when absent
    // The metadata column, or a cprecon::Error naming the file, the column and the available columns.
    const std::vector<std::string> &metaColumn(const std::string &name, const std::string &why = {}) const;
    ProfileTable selectRows(const std::vector<std::size_t> &rows) const;
};

ProfileTable readProfileTable(const std::string &path, const ProfileReadOptions &options = {});

// Applies the policy to an in-memory table (readProfileTable calls it); appends what it did to notes.
void applyNonFinitePolicy(ProfileTable &table, NonFinitePolicy policy);

// Writes a table as CSV (metadata then features, %.17g); for tests and tools.
void writeProfileTable(const ProfileTable &table, const std::string &path);

} // namespace cprecon::profiles
