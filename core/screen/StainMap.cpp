#include "screen/StainMap.h"

#include "screen/CsvTable.h"
#include "util/Error.h"

#include <QRegularExpression>

namespace cprecon {

QString canonicalStain(const QString &channelName, bool *known)
{
    QString n = channelName.trimmed();
    for (const char *prefix : {"Orig", "Illum"})
        if (n.startsWith(QLatin1String(prefix)) && n.size() > int(strlen(prefix))) n = n.mid(int(strlen(prefix)));
    static const QMap<QString, QString> aliases{
        {QStringLiteral("dna"), QStringLiteral("DNA")},        {QStringLiteral("hoechst"), QStringLiteral("DNA")},
        {QStringLiteral("dapi"), QStringLiteral("DNA")},       {QStringLiteral("nuclei"), QStringLiteral("DNA")},
        {QStringLiteral("er"), QStringLiteral("ER")},          {QStringLiteral("cona"), QStringLiteral("ER")},
        {QStringLiteral("rna"), QStringLiteral("RNA")},        {QStringLiteral("syto14"), QStringLiteral("RNA")},
        {QStringLiteral("agp"), QStringLiteral("AGP")},        {QStringLiteral("actin"), QStringLiteral("AGP")},
        {QStringLiteral("phalloidin"), QStringLiteral("AGP")}, {QStringLiteral("mito"), QStringLiteral("Mito")},
        {QStringLiteral("mitotracker"), QStringLiteral("Mito")},
        {QStringLiteral("brightfield"), QStringLiteral("Brightfield")},
        {QStringLiteral("brightfield_l"), QStringLiteral("Brightfield_L")},
        {QStringLiteral("brightfield_h"), QStringLiteral("Brightfield_H")},
        {QStringLiteral("bf"), QStringLiteral("Brightfield")},
        {QStringLiteral("bfmedium"), QStringLiteral("Brightfield")},
        {QStringLiteral("bflowest"), QStringLiteral("Brightfield_L")},
        {QStringLiteral("bfhighest"), QStringLiteral("Brightfield_H")},
        {QStringLiteral("r"), QStringLiteral("R")}, {QStringLiteral("g"), QStringLiteral("G")}, {QStringLiteral("b"), QStringLiteral("B")},
    };
    const auto it = aliases.constFind(n.toLower());
    if (known) *known = it != aliases.constEnd();
    return it != aliases.constEnd() ? *it : n;
}

ChannelStains phenixCpjump1Defaults()
{
    return {{1, QStringLiteral("Mito")}, {2, QStringLiteral("AGP")}, {3, QStringLiteral("RNA")}, {4, QStringLiteral("ER")},
            {5, QStringLiteral("DNA")}, {6, QStringLiteral("Brightfield_H")}, {7, QStringLiteral("Brightfield_L")},
            {8, QStringLiteral("Brightfield")}};
}

ChannelStains imageXpressBbbc022Defaults()
{
    return {{1, QStringLiteral("DNA")}, {2, QStringLiteral("ER")}, {3, QStringLiteral("RNA")}, {4, QStringLiteral("AGP")},
            {5, QStringLiteral("Mito")}};
}

ChannelStains cv8000JumpDefaults()
{
    return {{1, QStringLiteral("DNA")}, {2, QStringLiteral("ER")}, {3, QStringLiteral("RNA")}, {4, QStringLiteral("AGP")},
            {5, QStringLiteral("Mito")}, {6, QStringLiteral("Brightfield_L")}, {7, QStringLiteral("Brightfield")},
            {8, QStringLiteral("Brightfield_H")}};
}

QString describe(const ChannelStains &m)
{
    QStringList parts;
    for (auto it = m.begin(); it != m.end(); ++it) parts << QStringLiteral("ch%1 %2").arg(it.key()).arg(it.value());
    return parts.join(QStringLiteral(", "));
}

QString ChannelMappingTable::normaliseSource(const QString &source)
{
    static const QRegularExpression named(QStringLiteral("source_(\\d+)"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression digits(QStringLiteral("(\\d+)"));
    auto m = named.match(source);
    if (!m.hasMatch()) m = digits.match(source);
    return m.hasMatch() ? QString::number(m.captured(1).toInt()) : source.trimmed();
}

bool ChannelMappingTable::load(const QString &path)
{
    try {
        CsvTable t = CsvTable::fromFile(path);
        const int src = t.column(QStringLiteral("Metadata_Source"));
        if (src >= 0) {
            QVector<QPair<int, QString>> cols;
            for (int c = 0; c < t.header().size(); ++c) {
                const QString h = t.header()[c];
                if (h.startsWith(QLatin1String("Metadata_Channel_Num_")))
                    cols.append({c, canonicalStain(h.mid(int(strlen("Metadata_Channel_Num_"))))});
            }
            if (cols.isEmpty()) return false;
            while (t.next()) {
                ChannelStains m;
                for (const auto &[c, stain] : cols) {
                    bool ok = false;
                    const int ch = t.field(c).toInt(&ok);
                    if (ok && !m.contains(ch)) m[ch] = stain; // source 15 maps two stains to ch2: keep the first
                }
                m_bySource[normaliseSource(t.field(src))] = m;
            }
        } else {
            const int ch = t.column(QStringLiteral("channel")), st = t.column(QStringLiteral("stain"));
            if (ch < 0 || st < 0) return false;
            ChannelStains m;
            while (t.next()) {
                bool ok = false;
                const int n = t.field(ch).remove(QRegularExpression(QStringLiteral("^[A-Za-z]+"))).toInt(&ok);
                if (ok) m[n] = canonicalStain(t.field(st));
            }
            if (m.isEmpty()) return false;
            m_bySource[QString()] = m;
        }
        m_path = path;
        return !m_bySource.isEmpty();
    } catch (const Error &) {
        return false;
    }
}

QString overrideStain(const QMap<QString, QString> &overrides, const QString &current, int channelNumber,
                      const QString &channelName)
{
    if (overrides.isEmpty()) return current;
    if (!channelName.isEmpty()) {
        for (const QString &k : {channelName, QStringLiteral("Orig") + channelName, current})
            if (overrides.contains(k)) return canonicalStain(overrides.value(k));
    }
    if (channelNumber >= 0) {
        for (const QString &k : {QString::number(channelNumber), QStringLiteral("ch%1").arg(channelNumber)})
            if (overrides.contains(k)) return canonicalStain(overrides.value(k));
    }
    return current;
}

} // namespace cprecon
