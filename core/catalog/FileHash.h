#pragma once
// Streaming sha256 of files, with a per-process cache keyed by (path, size, mtime) so that repeated status
// checks of 300 MB weights do not re-read them, and the downloader can record what it just verified.
#include <QString>

#include <atomic>

namespace cprecon::models {

// Lowercase hex sha256 of the file. Throws cprecon::Error when it cannot be read. `cancel` (optional) aborts
// the read early (returns an empty string).
QString sha256File(const QString &path, const std::atomic_bool *cancel = nullptr);

// Records a digest computed elsewhere (the downloader hashes while it streams) for the file as it is now.
void rememberSha256(const QString &path, const QString &hex);

} // namespace cprecon::models
