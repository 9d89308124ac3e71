#pragma once
// What discovery found for one registry model: usable or not, where, and how far its checksum was checked.
#include <QString>

#include <vector>

namespace cprecon::models {

enum class ModelState {
    Available,        // every file found (path = folder or single file to load)
    Missing,          // not found anywhere (detail lists what is missing)
    Partial,          // an interrupted download (.part / HF .incomplete) exists: Download resumes it
    ChecksumMismatch, // found, but the content does not match the published checksum
};
QString stateName(ModelState state); // "available", "missing", "partial", "checksum-mismatch"

enum class Verification {
    NotChecked,  // file not hashed (discovery without verification)
    Verified,    // hashed and matches the registry rule (full sha256 or prefix) and/or the HF blob name
    NoReference, // hashed, but nothing published to compare against
    Mismatch,    // hashed and differs
};
QString verificationName(Verification v); // "not-checked", "verified", "no-reference", "mismatch"

struct FileStatus {
    QString relativePath;   // registry path of the file
    QString path;           // where it was found (empty when missing)
    qint64 bytes = 0;
    QString partialPath;    // interrupted download, when there is one
    qint64 partialBytes = 0;
    Verification verification = Verification::NotChecked;
    QString expected;       // what it was checked against, e.g. "sha256 starts with 0cc3c7bd"
    QString actualSha256;   // when hashed
};

// "12.3 kB", "335.0 MB", or "?" for unknown (<= 0) sizes.
QString humanSize(qint64 bytes);

struct ModelStatus {
    QString name;
    ModelState state = ModelState::Missing;
    QString path;     // what to load: diffusers folder / snapshot subfolder, or the single weight file
    QString source;   // "builtin", "picked", "user-folder", "hf-cache", "torch-hub" (empty when missing)
    QString detail;   // human explanation (what is missing, which file mismatched, ...)
    qint64 bytes = 0; // total size of the files found
    std::vector<FileStatus> files;

    bool isUsable() const { return state == ModelState::Available; }
};

} // namespace cprecon::models
