#pragma once
// Treatments and plate metadata: Metadata_Plate -> barcode_platemap.csv (Plate_Map_Name) -> platemap .txt
// (well_position -> broad_sample, ...) -> external metadata (broad_sample -> pert_iname, target, pert_type,
// control_type); experiment-metadata.tsv (cell line, time point per plate); JUMP perturbation_control.csv
// (Metadata_JCP2022 ids); channel_mapping.csv. Files are recognised by their header, wherever they sit.
#include "screen/ScreenBuilder.h"
#include "screen/StainMap.h"

#include <QHash>
#include <QMap>
#include <QSet>
#include <QStringList>

namespace cprecon {

class MetadataIndex {
public:
    void scanDir(const QString &dir, int maxDepth = 6); // recursive; files classified by header
    bool addFile(const QString &path);                  // true when recognised
    // Folders near `path` that hold metadata: ancestors' "metadata", "workspace/metadata", "*_metadata" children.
    static QStringList nearbyMetadataDirs(const QString &path, int levels = 3);

    // Joins treatments into every plate and classifies controls. Call before ScreenBuilder::finish().
    void join(ScreenBuilder &b);

    const ChannelMappingTable &channelMapping() const { return m_channelMapping; }
    QStringList filesUsed() const { return m_used; }
    bool isEmpty() const { return m_barcodes.isEmpty() && m_platemapFiles.isEmpty() && m_external.isEmpty(); }

private:
    struct PlatemapRow {
        QString well;
        QMap<QString, QString> fields;
    };
    const QVector<PlatemapRow> *platemap(const QString &name, ScreenBuilder &b);

    QSet<QString> m_seenFiles;
    QHash<QString, QStringList> m_barcodes;                 // barcode -> Plate_Map_Name(s)
    QHash<QString, QString> m_platemapFiles;                // Plate_Map_Name -> file
    QHash<QString, QVector<PlatemapRow>> m_platemaps;       // parsed on demand
    QHash<QString, QMap<QString, QString>> m_external;      // broad_sample -> fields
    QHash<QString, QMap<QString, QString>> m_moa;           // pert_iname -> moa fields
    QHash<QString, QVector<QMap<QString, QString>>> m_experiment; // barcode -> experiment-metadata rows
    QHash<QString, QPair<QString, QString>> m_jcpControls;  // JCP2022 id -> (pert_type, name)
    ChannelMappingTable m_channelMapping;
    QStringList m_used;
};

// Control classification from the joined fields (see docs/user/layouts.md "Treatments").
void classifyControl(WellMetadata &meta, bool inPlatemap);

} // namespace cprecon
