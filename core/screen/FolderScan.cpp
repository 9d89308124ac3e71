#include "screen/FolderScan.h"
#include "screen/LmdbArchive.h"

#include <functional>

#include "screen/ImageNames.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace cprecon {

bool isColourImage(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return false;
    const QByteArray head = f.read(64);
    if (head.startsWith("\x89PNG\r\n\x1a\n") && head.size() >= 26) {
        const int colourType = uchar(head[25]);
        return colourType == 2 || colourType == 3 || colourType == 6;
    }
    if (head.startsWith("\xFF\xD8")) { // JPEG: walk markers to the SOFn frame header, read the component count
        f.seek(2);
        for (int guard = 0; guard < 512; ++guard) {
            QByteArray m = f.read(4);
            if (m.size() < 4 || uchar(m[0]) != 0xFF) return false;
            const int marker = uchar(m[1]);
            const int len = (uchar(m[2]) << 8) | uchar(m[3]);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                const QByteArray sof = f.read(6);
                return sof.size() == 6 && uchar(sof[5]) >= 3;
            }
            if (!f.seek(f.pos() + len - 2)) return false;
        }
    }
    return false;
}

FolderKind classifyImageFolder(const QString &dir, const QStringList &imageFiles)
{
    if (imageFiles.isEmpty()) return FolderKind::Empty;
    int instrument = 0;
    ImageName n;
    for (const auto &f : imageFiles)
        if (parseImageName(f, n)) ++instrument;
    if (instrument * 2 >= imageFiles.size()) return FolderKind::Instrument;
    int colour = 0, checked = 0;
    for (const auto &f : imageFiles) {
        if (!f.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) && !f.endsWith(QLatin1String(".jpg"), Qt::CaseInsensitive) &&
            !f.endsWith(QLatin1String(".jpeg"), Qt::CaseInsensitive))
            continue;
        if (++checked > 16) break;
        if (isColourImage(dir + QLatin1Char('/') + f)) ++colour;
    }
    return colour > 0 && colour * 2 >= std::min<int>(checked, 16) ? FolderKind::Natural : FolderKind::Unrecognised;
}

QString plateNameForFolder(const QString &dir)
{
    QFileInfo fi(dir);
    QString name = fi.fileName();
    if (name.compare(QLatin1String("Images"), Qt::CaseInsensitive) == 0) name = QFileInfo(fi.absolutePath()).fileName();
    const int sep = name.indexOf(QLatin1String("__")); // Harmony export "<barcode>__<date>-Measurement N"
    if (sep > 0) name = name.left(sep);
    static const QRegularExpression broad(QStringLiteral("(?:^|[^A-Za-z0-9])(BR\\d{6,})(?:$|[^0-9])"));
    const auto m = broad.match(name);
    return m.hasMatch() ? m.captured(1) : name;
}

int scanInstrumentFolder(const QString &dir, const QStringList &imageFiles, ScreenBuilder &b, const OpenOptions &options,
                         const ChannelStains &mapping, const QString &mappingSource, bool synthetic)
{
    struct Pending {
        QString plate, well;
        ScreenBuilder::SiteInput in;
    };
    QVector<Pending> sites;
    QHash<QString, int> index;
    QMap<Instrument, int> seen;
    int otherPlanes = 0, unparsed = 0;
    const QString folderPlate = plateNameForFolder(dir);
    for (const auto &f : imageFiles) {
        ImageName n;
        if (!parseImageName(f, n)) {
            ++unparsed;
            continue;
        }
        if (n.plane > 1 && n.instrument != Instrument::ImageXpress) { // only the first Z plane is shown
            ++otherPlanes;
            continue;
        }
        ++seen[n.instrument];
        const QString plate = n.instrument == Instrument::CV8000 && !n.plate.isEmpty() ? n.plate : folderPlate;
        const QString key = plate + QLatin1Char('\n') + n.well + QLatin1Char('\n') + QString::number(n.site);
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.insert(key, int(sites.size()));
            Pending p{plate, n.well, {}};
            p.in.number = n.site;
            sites << p;
        }
        ChannelImage ci;
        ci.path = QDir(dir).absoluteFilePath(f);
        ci.channelNumber = n.channel;
        ci.stain = QString::number(n.channel); // resolved below, per instrument
        sites[*it].in.channels << ci;
    }
    if (sites.isEmpty()) return 0;
    // Channel -> stain: the user's override, else metadata, else the instrument defaults (said out loud).
    const Instrument main = std::max_element(seen.begin(), seen.end()) == seen.end() ? Instrument::None
                                                                                     : std::max_element(seen.begin(), seen.end()).key();
    ChannelStains stains = mapping;
    QString origin = mappingSource;
    if (stains.isEmpty()) {
        if (main == Instrument::ImageXpress) {
            stains = imageXpressBbbc022Defaults();
            origin = QStringLiteral("the BBBC022 ImageXpress defaults");
        } else if (main == Instrument::CV8000) {
            stains = cv8000JumpDefaults();
            origin = QStringLiteral("the JUMP CV8000 defaults (sources 2/5/6/10)");
        } else {
            stains = phenixCpjump1Defaults();
            origin = QStringLiteral("the CPJUMP1 / JUMP source_4 Opera Phenix defaults");
        }
        QSet<int> used;
        for (const auto &p : sites)
            for (const auto &c : p.in.channels) used.insert(c.channelNumber);
        ChannelStains shown;
        for (int ch : used) shown[ch] = overrideStain(options.stainOverride, stains.value(ch, QStringLiteral("ch%1").arg(ch)), ch);
        b.warning(dir,
                  QStringLiteral("%1 file names carry channel numbers only; channel -> stain taken from %2: %3")
                      .arg(instrumentName(main), origin, describe(shown)),
                  QStringLiteral("if your instrument's order differs, pass --channel-map 1=Mito,2=AGP,... (GUI: Open options) "
                                 "or put a channel_mapping.csv (channel,stain) next to the images"));
    }
    if (otherPlanes > 0)
        b.warning(dir, QStringLiteral("%1 image(s) of Z planes other than the first were ignored").arg(otherPlanes));
    if (unparsed > 0)
        b.warning(dir, QStringLiteral("%1 image file(s) do not follow the %2 naming and were ignored").arg(unparsed).arg(instrumentName(main)),
                  QStringLiteral("keep one instrument's files per folder"));
    QSet<int> unknownChannels;
    int added = 0;
    for (auto &p : sites) {
        for (auto &c : p.in.channels) {
            const QString mapped = stains.value(c.channelNumber);
            c.stain = overrideStain(options.stainOverride, mapped.isEmpty() ? QStringLiteral("ch%1").arg(c.channelNumber) : mapped,
                                    c.channelNumber);
            if (mapped.isEmpty() && c.stain.startsWith(QLatin1String("ch"))) unknownChannels.insert(c.channelNumber);
        }
        std::sort(p.in.channels.begin(), p.in.channels.end(),
                  [](const ChannelImage &a, const ChannelImage &c) { return a.channelNumber < c.channelNumber; });
        const int pi = b.plateIndex(p.plate, synthetic);
        Well *w = b.well(pi, p.well, dir, -1);
        if (!w) continue;
        b.addSite(pi, *w, std::move(p.in), dir, -1);
        ++added;
    }
    for (int ch : unknownChannels)
        b.warning(dir, QStringLiteral("channel %1 has no known stain; shown as 'ch%1'").arg(ch),
                  QStringLiteral("pass --channel-map %1=<Stain>").arg(ch));
    return added;
}

namespace {

// Photos as wells: one plate per 1536 images named after the folder, row-major, one site with channels R, G, B.
// names[i] names well i; channel(i, plane) fills the channel's path / plane / key.
int addPhotoPlates(const QString &dir, const QStringList &names, ScreenBuilder &b,
                   const std::function<void(int, ChannelImage &)> &locate, const QString &layout)
{
    const QString base = QFileInfo(dir).fileName().isEmpty() ? QStringLiteral("natural") : QFileInfo(dir).fileName();
    constexpr int perPlate = 1536;
    int added = 0;
    for (int start = 0, plateNo = 1; start < names.size(); start += perPlate, ++plateNo) {
        const int count = std::min<int>(perPlate, int(names.size()) - start);
        const PlateFormat fmt = count <= 96 ? PlateFormat::Wells96 : count <= 384 ? PlateFormat::Wells384 : PlateFormat::Wells1536;
        const int cols = plateColumns(fmt);
        const int pi = b.plateIndex(plateNo == 1 ? base : QStringLiteral("%1_%2").arg(base).arg(plateNo));
        Plate &plate = b.screen().plates[pi];
        plate.format = fmt;
        plate.metadata.insert(QStringLiteral("Layout"), layout);
        for (int i = 0; i < count; ++i) {
            Well w;
            w.name = names[start + i];
            w.row = i / cols;
            w.column = i % cols;
            w.meta.control = ControlType::Unknown;
            w.meta.perturbationName = w.name;
            Site s;
            s.number = 1;
            s.plate = plate.barcode;
            s.well = w.name;
            for (int k = 0; k < 3; ++k) {
                ChannelImage c;
                c.stain = QStringList{QStringLiteral("R"), QStringLiteral("G"), QStringLiteral("B")}[k];
                c.plane = k;
                locate(start + i, c);
                s.channels << c;
            }
            w.sites << s;
            plate.wells << w;
            ++added;
        }
    }
    return added;
}

} // namespace

int scanNaturalFolder(const QString &dir, const QStringList &imageFiles, ScreenBuilder &b)
{
    QStringList files = imageFiles;
    std::sort(files.begin(), files.end());
    QStringList names;
    QSet<QString> used;
    for (const QString &f : files) {
        QString name = QFileInfo(f).completeBaseName();
        if (used.contains(name)) name = f; // same stem, different extension
        used.insert(name);
        names << name;
    }
    return addPhotoPlates(dir, names, b, [&](int i, ChannelImage &c) { c.path = QDir(dir).absoluteFilePath(files[i]); },
                          QStringLiteral("natural images, one per well, row-major by file name"));
}

int scanLmdbImages(const QString &dir, ScreenBuilder &b)
{
    std::vector<QByteArray> keys;
    try {
        keys = lmdbKeys(dir);
    } catch (const Error &e) {
        b.warning(dir, QString::fromStdString(e.message()), QString::fromStdString(e.fix()));
        return 0;
    }
    QStringList names;
    for (const QByteArray &k : keys) names << QString::fromLatin1(k);
    const QString abs = QFileInfo(dir).absoluteFilePath();
    return addPhotoPlates(dir, names, b, [&](int i, ChannelImage &c) {
        c.path = abs;
        c.archiveKey = keys[size_t(i)];
    }, QStringLiteral("LMDB image database (LSUN layout), one record per well, in key order"));
}

} // namespace cprecon
