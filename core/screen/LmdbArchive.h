#pragma once
// Images stored in an LMDB environment, as LSUN publishes them and torchvision's LSUNClass reads them: a folder
// with data.mdb (and lock.mdb), one record per image, key = the image id, value = the encoded image (WebP / JPEG /
// PNG bytes). Debian's liblmdb; opened read-only without a lock file, so a read-only copy on a cluster works.
#include <QByteArray>
#include <QString>

#include <vector>

namespace cprecon {

// true when `dir` holds an LMDB environment (data.mdb).
bool isLmdbEnvironment(const QString &dir);

// Every key in the database's order (byte-wise, as LSUNClass lists them). Throws cprecon::Error naming the folder.
std::vector<QByteArray> lmdbKeys(const QString &dir);

// The value of one key. Throws cprecon::Error naming the folder and the key when it is missing or unreadable.
QByteArray lmdbValue(const QString &dir, const QByteArray &key);

} // namespace cprecon
