#include "catalog/ModelStatus.h"

namespace cprecon::models {

QString stateName(ModelState state)
{
    switch (state) {
    case ModelState::Available: return QStringLiteral("available");
    case ModelState::Missing: return QStringLiteral("missing");
    case ModelState::Partial: return QStringLiteral("partial");
    case ModelState::ChecksumMismatch: return QStringLiteral("checksum-mismatch");
    }
    return QStringLiteral("unknown");
}

QString verificationName(Verification v)
{
    switch (v) {
    case Verification::NotChecked: return QStringLiteral("not-checked");
    case Verification::Verified: return QStringLiteral("verified");
    case Verification::NoReference: return QStringLiteral("no-reference");
    case Verification::Mismatch: return QStringLiteral("mismatch");
    }
    return QStringLiteral("unknown");
}

QString humanSize(qint64 bytes)
{
    if (bytes <= 0) return QStringLiteral("?");
    if (bytes < 1000000) return QStringLiteral("%1 kB").arg(double(bytes) / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
}

} // namespace cprecon::models
