#pragma once
// Channel -> stain: name normalisation (load_data "OrigDNA" -> "DNA"), the JUMP channel_mapping.csv table
// (per Metadata_Source), instrument defaults for plain folders, and the user's override (which always wins).
#include <QMap>
#include <QString>
#include <QStringList>

namespace cprecon {

// "OrigDNA" -> "DNA", "OrigBrightfield_L" -> "Brightfield_L", "hoechst" -> "DNA", "BFLowest" -> "Brightfield_L".
// Unknown names come back unchanged (minus an "Orig"/"Illum" prefix) with known = false.
QString canonicalStain(const QString &channelName, bool *known = nullptr);

// Channel number -> stain for one acquisition.
using ChannelStains = QMap<int, QString>;

// Defaults used only when no metadata says otherwise (the loader then adds a Warning naming them):
ChannelStains phenixCpjump1Defaults();      // CPJUMP1 / JUMP source_4: 1 Mito, 2 AGP, 3 RNA, 4 ER, 5 DNA, 6 BF_H, 7 BF_L, 8 BF
ChannelStains imageXpressBbbc022Defaults(); // BBBC022: w1 DNA, w2 ER, w3 RNA, w4 AGP, w5 Mito
ChannelStains cv8000JumpDefaults();         // JUMP sources 2/5/6/10: C01 DNA, C02 ER, C03 RNA, C04 AGP, C05 Mito, 6 BF_L, 7 BF, 8 BF_H
QString describe(const ChannelStains &m);   // "ch1 Mito, ch2 AGP, ..."

// JUMP channel_mapping.csv (Metadata_Source, Metadata_Channel_Num_{DNA,ER,RNA,AGP,Mito,BFLowest,BFMedium,BFHighest})
// or a plain two-column table (channel,stain). Keyed by source number ("4"); a plain table is stored under "".
class ChannelMappingTable {
public:
    bool load(const QString &path); // false when the file is not such a table
    bool isEmpty() const { return m_bySource.isEmpty(); }
    bool has(const QString &source) const { return m_bySource.contains(normaliseSource(source)); }
    ChannelStains forSource(const QString &source) const { return m_bySource.value(normaliseSource(source)); }
    QString path() const { return m_path; }
    static QString normaliseSource(const QString &source); // "source_4 (cpg0000...)" -> "4"

private:
    QMap<QString, ChannelStains> m_bySource;
    QString m_path;
};

// Applies OpenOptions::stainOverride to one channel: keys are the channel number ("1"), the load_data channel
// name ("OrigMito") or the plain name ("Mito"). Returns the override or `current`.
QString overrideStain(const QMap<QString, QString> &overrides, const QString &current, int channelNumber,
                      const QString &channelName = {});

} // namespace cprecon
