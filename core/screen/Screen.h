#pragma once
// The screen data model: plates -> wells -> sites -> channel images, with per-well and per-plate metadata.
// Plain value types (QtCore only) produced by the loaders in this folder and read by every other layer.
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace cprecon {

// The five Cell Painting stains, in the order the app shows them (never the order of files on disk).
inline const QStringList &cellPaintingStains()
{
    static const QStringList s{QStringLiteral("DNA"), QStringLiteral("ER"), QStringLiteral("RNA"),
                               QStringLiteral("AGP"), QStringLiteral("Mito")};
    return s;
}

// One image file (or one plane of a multi-channel file, e.g. the R of an RGB photo) holding one channel of a site.
struct ChannelImage {
    QString stain;          // "DNA", "ER", "RNA", "AGP", "Mito", "Brightfield", ... or "R"/"G"/"B" for photos
    QString path;           // absolute local path (may not exist: see Screen::problems)
    QString illumPath;      // illumination function (.npy), empty when none
    int channelNumber = -1; // instrument channel (ch1..chN), -1 when unknown
    int plane = -1;         // colour plane inside the file (0..2 for RGB photos), -1 = whole grayscale file
    QByteArray archiveKey;  // non-empty: the image is record `archiveKey` of the LMDB database in folder `path`
    bool missing = false;   // the loader could not find the file (a Problem names it)
};

struct Site {
    int number = 1; // as the instrument numbers fields (usually from 1)
    QString plate;  // barcode of the plate and name of the well it belongs to: its identity (noise seeds, reports)
    QString well;
    QVector<ChannelImage> channels;
    const ChannelImage *channel(const QString &stain) const
    {
        for (const auto &c : channels)
            if (c.stain == stain) return &c;
        return nullptr;
    }
};

enum class ControlType { Treatment, NegativeControl, PositiveControl, Empty, Unknown };

struct WellMetadata {
    QString perturbationId;   // broad_sample / JCP2022 id / gene / ORF id
    QString perturbationName; // pert_iname, gene symbol, ...
    QString perturbationType; // compound / crispr / orf / ...
    QString controlTypeRaw;   // as written in the metadata (negcon, poscon_cp, ...)
    ControlType control = ControlType::Unknown;
    QString cellLine;
    QString timePoint;
    QMap<QString, QString> extra; // every other metadata column (platemap, compound table, load_data Metadata_*)
    bool isNegativeControl() const { return control == ControlType::NegativeControl; }
};

struct Well {
    QString name; // "A01"
    int row = 0;  // 0-based (A = 0)
    int column = 0; // 0-based (01 = 0)
    WellMetadata meta;
    QVector<Site> sites;
};

enum class PlateFormat { Wells96 = 96, Wells384 = 384, Wells1536 = 1536 };
inline int plateRows(PlateFormat f) { return f == PlateFormat::Wells96 ? 8 : f == PlateFormat::Wells384 ? 16 : 32; }
inline int plateColumns(PlateFormat f) { return f == PlateFormat::Wells96 ? 12 : f == PlateFormat::Wells384 ? 24 : 48; }

struct Plate {
    QString barcode; // Metadata_Plate
    PlateFormat format = PlateFormat::Wells384;
    QString platemapName;
    QMap<QString, QString> metadata; // batch, cell line, time point, ... (experiment-metadata)
    bool synthetic = false; // comes from a phantom subtree (never biology)
    QVector<Well> wells;
    const Well *well(const QString &name) const
    {
        for (const auto &w : wells)
            if (w.name == name) return &w;
        return nullptr;
    }
};

// Something wrong with the input that did not stop the rest of the screen from loading.
struct Problem {
    enum class Severity { Warning, Error };
    Severity severity = Severity::Error;
    QString file;   // the file (or CSV) concerned
    long row = -1;  // CSV row (1-based data row) when relevant
    QString message;
    QString fix;
    QString toString() const
    {
        QString s = file;
        if (row >= 0) s += QStringLiteral(":%1").arg(row);
        if (!s.isEmpty()) s += QStringLiteral(": ");
        s += message;
        if (!fix.isEmpty()) s += QStringLiteral(" (fix: %1)").arg(fix);
        return s;
    }
};

enum class ScreenKind { LoadDataCsv, NfCoreSheet, FolderScan, NaturalImages, Phantom };

struct Screen {
    QString name;
    QString source; // the path the user opened
    ScreenKind kind = ScreenKind::FolderScan;
    bool synthetic = false; // phantom screens: never biology
    QVector<Plate> plates;
    QVector<Problem> problems;

    const Plate *plate(const QString &barcode) const
    {
        for (const auto &p : plates)
            if (p.barcode == barcode) return &p;
        return nullptr;
    }
    const Site *site(const QString &plate, const QString &well, int site) const
    {
        const Plate *p = this->plate(plate);
        const Well *w = p ? p->well(well) : nullptr;
        if (!w) return nullptr;
        for (const auto &s : w->sites)
            if (s.number == site) return &s;
        return nullptr;
    }
};

// Parses "A01", "a1", "P24" -> (row, column) 0-based; false when malformed.
bool parseWellName(const QString &name, int &row, int &column);
QString wellName(int row, int column); // (0,0) -> "A01"

// How profiles name a well's perturbation and control type (pycytominer / copairs columns
// Metadata_broad_sample and Metadata_control_type): the perturbation id, "DMSO" for a negative control without
// one, else the name; the control type as written, else "negcon" / "poscon" / "".
QString perturbationKey(const WellMetadata &m);

// The plate a viewer shows first: a real plate before a phantom, then the largest format (a full 384-well screen
// plate before a one-well photo plate), then the most wells known (a platemap), then the most imaged wells, then
// the first. -1 when none.
int preferredPlate(const Screen &screen);
QString controlLabel(const WellMetadata &m);

} // namespace cprecon
