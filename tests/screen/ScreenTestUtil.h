#pragma once
// Small helpers for the screen loader tests: temp trees of symlinks / empty files, CSV writing.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QStringList>

#include <zlib.h>

namespace cprecon::test {

inline bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    return f.write(content) == content.size();
}

inline bool linkFile(const QString &target, const QString &link)
{
    QDir().mkpath(QFileInfo(link).absolutePath());
    return QFile::link(target, link);
}

// Symlinks every file of srcDir whose name matches one of the filters into dstDir.
inline int linkFiles(const QString &srcDir, const QString &dstDir, const QStringList &filters)
{
    int n = 0;
    for (const auto &f : QDir(srcDir).entryList(filters, QDir::Files))
        n += linkFile(QDir(srcDir).absoluteFilePath(f), QDir(dstDir).absoluteFilePath(f)) ? 1 : 0;
    return n;
}

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline bool writeGz(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    gzFile g = gzopen(QFile::encodeName(path).constData(), "wb");
    if (!g) return false;
    const int n = gzwrite(g, content.constData(), unsigned(content.size()));
    gzclose(g);
    return n == content.size();
}

} // namespace cprecon::test
