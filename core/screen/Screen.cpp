#include "screen/Screen.h"

#include <tuple>

namespace cprecon {

bool parseWellName(const QString &name, int &row, int &column)
{
    const QString s = name.trimmed().toUpper();
    if (s.size() < 2) return false;
    int i = 0;
    int r = 0;
    // At most two ASCII row letters (A..AF for 1536 wells): a longer or non-ASCII prefix is not a well, and must
    // not overflow the row number (found by fuzzing platemaps).
    while (i < s.size() && s[i] >= QLatin1Char('A') && s[i] <= QLatin1Char('Z')) {
        if (i == 2) return false;
        r = r * 26 + (s[i].unicode() - 'A' + 1);
        ++i;
    }
    if (i == 0 || i == s.size()) return false;
    bool ok = false;
    const int c = s.mid(i).toInt(&ok);
    if (!ok || c < 1) return false;
    row = r - 1;
    column = c - 1;
    return true;
}

QString wellName(int row, int column)
{
    QString r;
    if (row >= 26) r += QChar(QLatin1Char(char('A' + row / 26 - 1)));
    r += QChar(QLatin1Char(char('A' + row % 26)));
    return r + QStringLiteral("%1").arg(column + 1, 2, 10, QLatin1Char('0'));
}

QString perturbationKey(const WellMetadata &m)
{
    if (!m.perturbationId.isEmpty()) return m.perturbationId;
    if (m.isNegativeControl()) return QStringLiteral("DMSO");
    return m.perturbationName;
}

QString controlLabel(const WellMetadata &m)
{
    if (!m.controlTypeRaw.isEmpty()) return m.controlTypeRaw;
    if (m.control == ControlType::NegativeControl) return QStringLiteral("negcon");
    if (m.control == ControlType::PositiveControl) return QStringLiteral("poscon");
    return {};
}

int preferredPlate(const Screen &screen)
{
    int best = -1;
    std::tuple<bool, int, int, int> bestKey{};
    for (int i = 0; i < screen.plates.size(); ++i) {
        const Plate &p = screen.plates[i];
        int imaged = 0;
        for (const Well &w : p.wells) imaged += w.sites.isEmpty() ? 0 : 1;
        const std::tuple<bool, int, int, int> key{!p.synthetic, int(p.format), int(p.wells.size()), imaged};
        if (best < 0 || key > bestKey) {
            best = i;
            bestKey = key;
        }
    }
    return best;
}

} // namespace cprecon
