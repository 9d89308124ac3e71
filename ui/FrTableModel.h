#pragma once
// The FR table (the paper's Tables 1-2) as a Qt model: rows extractor x data x aggregation, a column per dataset
// with mean ± σ over repeats, the best mean of each column in bold, why a cell has no value in its tooltip.
#include "run/ReportTables.h"

#include <QAbstractTableModel>

namespace cprecon::ui {

class FrTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kKeyColumns = 3; // extractor, data, aggregation
    explicit FrTableModel(QObject *parent = nullptr);
    void setTable(run::FrTable table);
    const run::FrTable &table() const { return m_table; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The FR cell behind an index (null for the key columns).
    const run::FrCell *cell(const QModelIndex &index) const;

private:
    run::FrTable m_table;
};

} // namespace cprecon::ui
