#pragma once
// Finds the local file behind a load_data / sample-sheet entry: relative paths against the CSV folder, absolute
// paths from the authors' machines re-rooted by matching their trailing folders under nearby roots, and
// s3://cellpainting-gallery/ URLs mapped to a local mirror root. Directory listings and re-root decisions are
// cached so a 100k-row CSV costs a few hash look-ups per image.
#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace cprecon {

class PathResolver {
public:
    explicit PathResolver(QString dataRoot = {});
    void addSearchRoot(const QString &dir); // extra bases for re-rooting (the opened root folder, ...)

    struct Result {
        QString path;     // local path: the file when found, else the best guess (the "expected" path)
        bool found = false;
        bool isUrl = false;
        QString original; // what the CSV said (URL or joined PathName/FileName)
    };
    // pathName/fileName as in FileName_X/PathName_X (pathName may be empty, "." or relative); csvDir = CSV folder.
    Result resolve(const QString &pathName, const QString &fileName, const QString &csvDir);
    // A full path or URL (URL_OrigX column, nf-core `path`).
    Result resolveUrl(const QString &url, const QString &csvDir);

    bool fileExists(const QString &dir, const QString &name); // cached listing of dir
    bool dirExists(const QString &dir);
    QString dataRoot() const { return m_dataRoot; }

private:
    const QSet<QString> &listing(const QString &dir);
    QString rerootDir(const QString &absDir, const QString &fileName, const QString &csvDir);
    QStringList basesFor(const QString &csvDir) const;

    // Last resort: a bounded index of file name -> folders under the data root and the CSV folder; used only when
    // the name sits in exactly one folder (Phenix names repeat in every plate, so ambiguity means "not found").
    QString uniqueFolderHolding(const QString &fileName, const QString &csvDir);
    void indexTree(const QString &root);

    QHash<QString, QStringList> m_nameIndex; // file name -> folders
    QSet<QString> m_indexedRoots;
    QString m_dataRoot;
    QStringList m_roots;
    QHash<QString, QSet<QString>> m_listings;  // dir -> file and folder names (empty set when unreadable)
    QHash<QString, QString> m_rerooted;        // foreign dir (+csvDir) -> local dir ("" = not found)
};

} // namespace cprecon
