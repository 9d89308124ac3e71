#include "FrTableModel.h"

#include <QFont>

namespace cprecon::ui {

FrTableModel::FrTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void FrTableModel::setTable(run::FrTable table)
{
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

int FrTableModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_table.rows.size()); }

int FrTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : kKeyColumns + int(m_table.datasets.size()); }

const run::FrCell *FrTableModel::cell(const QModelIndex &index) const
{
    if (!index.isValid() || index.column() < kKeyColumns || index.row() >= int(m_table.rows.size())) return nullptr;
    const auto &cells = m_table.rows[size_t(index.row())].cells;
    const size_t c = size_t(index.column() - kKeyColumns);
    return c < cells.size() ? &cells[c] : nullptr;
}

QVariant FrTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_table.rows.size())) return {};
    const run::FrTableRow &row = m_table.rows[size_t(index.row())];
    if (index.column() < kKeyColumns) {
        if (role != Qt::DisplayRole) return {};
        const std::string &s = index.column() == 0 ? row.extractor : index.column() == 1 ? row.data : row.aggregation;
        return QString::fromStdString(s);
    }
    const run::FrCell *c = cell(index);
    if (!c) return {};
    switch (role) {
    case Qt::DisplayRole:
        if (!c->evaluated()) return QStringLiteral("n/a");
        return QStringLiteral("%1 ± %2").arg(c->mean, 0, 'f', 3).arg(c->sd, 0, 'f', 3);
    case Qt::FontRole:
        if (c->best) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (!c->evaluated()) return QString::fromStdString(c->reason.empty() ? std::string("not evaluated") : c->reason);
        {
            QStringList values;
            for (double v : c->values) values << QString::number(v, 'f', 3);
            return QStringLiteral("fraction retrieved per repeat: %1%2\nclick: the per-perturbation activity behind it")
                .arg(values.join(QStringLiteral(", ")), c->best ? QStringLiteral("\nbest of this column") : QString());
        }
    default:
        return {};
    }
}

QVariant FrTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole) return {};
    if (orientation == Qt::Vertical) return section + 1;
    static const char *keys[] = {"extractor", "data", "aggregation"};
    if (section < kKeyColumns) return QString::fromLatin1(keys[section]);
    const size_t d = size_t(section - kKeyColumns);
    return d < m_table.datasets.size() ? QString::fromStdString(run::shortDatasetLabel(m_table.datasets[d])) : QVariant();
}

} // namespace cprecon::ui
