#pragma once
// Accumulates sites from one or more loaders into a Screen: well-name checks, duplicate (plate, well, site)
// handling, missing-file problems, plate format, sorting, and a cap on repeated problems (a 100k-row CSV with a
// wrong root must not produce 800k problem lines).
#include "screen/Screen.h"

#include <QHash>
#include <QSet>

namespace cprecon {

class ScreenBuilder {
public:
    explicit ScreenBuilder(Screen &screen) : m_screen(screen) {}

    // category groups repeated problems for capping ("missing image", "duplicate site", ...).
    void problem(Problem::Severity sev, const QString &file, long row, const QString &message, const QString &fix,
                 const QString &category = {});
    void warning(const QString &file, const QString &message, const QString &fix = {}, long row = -1)
    {
        problem(Problem::Severity::Warning, file, row, message, fix);
    }

    int plateIndex(const QString &barcode, bool synthetic = false); // creates the plate on first use
    // The well (created on first use); nullptr (and a problem) when the name is malformed or beyond 1536 wells.
    Well *well(int plate, const QString &name, const QString &file, long row, bool *created = nullptr);
    Well *findWell(int plate, const QString &name);

    struct SiteInput {
        int number = 1;
        QVector<ChannelImage> channels;
        QVector<Problem> missing; // one per channel image not found (emitted only if this copy is kept)
        QVector<Problem> notes;   // other per-site problems (missing illumination function, ...), same rule
    };
    // Duplicate within the same source file: problem, first kept. Across files: the copy with more files present wins.
    void addSite(int plate, Well &well, SiteInput site, const QString &source, long row);

    void finish(); // plate formats, sorting, pending problems, summaries
    Screen &screen() { return m_screen; }

private:
    struct SiteSlot {
        QString source;
        long row = -1;
        int missing = 0;
        QVector<Problem> pending;
        QVector<Problem> notes;
    };
    Screen &m_screen;
    QHash<QString, int> m_plates;
    QVector<QHash<QString, int>> m_wells; // per plate: well name -> index
    QHash<QString, SiteSlot> m_sites;     // "plate\nwell\nsite"
    QVector<QString> m_siteOrder;         // insertion order, so problems come out in file/row order
    QHash<QString, int> m_problemCounts;  // file + category -> count
    QHash<QString, int> m_crossDuplicates; // "kept\ndropped" -> count
};

// Smallest standard format holding the well (row/column 0-based); false when beyond 1536.
bool formatFor(int maxRow, int maxColumn, PlateFormat &format);

} // namespace cprecon
