#include "run/ReportTables.h"

#include "util/Csv.h"

#include <cmath>
#include <cstdio>

namespace cprecon::run {

std::string reportNumber(double v)
{
    if (std::isnan(v)) return "nan";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string shortDatasetLabel(const std::string &label)
{
    std::string out;
    size_t start = 0;
    while (start <= label.size()) {
        size_t end = label.find(", ", start);
        if (end == std::string::npos) end = label.size();
        const std::string part = label.substr(start, end - start);
        const size_t eq = part.find('=');
        const std::string value = eq == std::string::npos ? part : part.substr(eq + 1);
        out += (out.empty() ? "" : ", ") + (value.empty() ? std::string("—") : value); // an empty group_by value
        start = end + 2;
    }
    return out;
}

std::string boxQuantity(const std::string &metric, Protocol protocol)
{
    if (metric == "ssim") return protocol == Protocol::Paper ? "1 - SSIM (paper's 'SSIM')" : "SSIM";
    return metric == "mae" ? "MAE" : metric == "emd" ? "EMD" : metric;
}

std::string boxCsv(const RunTables &tables, const std::map<SiteLocation, SiteInfo> &infos, const std::string &metric,
                   Protocol protocol, int repeat)
{
    std::string out = "quantity,model,repeat,Metadata_dataset";
    for (const std::string &col : tables.groupBy) out += "," + csvField(col);
    out += ",stain,n,q1,median,q3,whisker_low,whisker_high,mean,n_outliers\n";
    const std::string quantity = csvField(boxQuantity(metric, protocol));
    for (const BoxRow &row : tables.boxes) {
        if (row.metric != metric || (repeat >= 0 && row.repeat != repeat)) continue;
        const auto site = tables.datasetSite.find(row.dataset);
        const SiteInfo *info = nullptr;
        if (site != tables.datasetSite.end()) {
            const auto it = infos.find(site->second);
            if (it != infos.end()) info = &it->second;
        }
        std::string line = quantity + "," + csvField(row.model) + "," + std::to_string(row.repeat) + "," + csvField(row.dataset);
        for (const std::string &col : tables.groupBy) {
            std::string v;
            if (info) {
                const auto m = info->metadata.find(col);
                if (m != info->metadata.end()) v = m->second;
            }
            line += "," + csvField(v);
        }
        const BoxStatistics &b = row.box;
        out += line + "," + csvField(row.stain) + "," + std::to_string(b.n) + "," + reportNumber(b.q1) + "," + reportNumber(b.median) +
               "," + reportNumber(b.q3) + "," + reportNumber(b.whiskerLow) + "," + reportNumber(b.whiskerHigh) + "," +
               reportNumber(b.mean) + "," + std::to_string(b.outliers.size()) + "\n";
    }
    return out;
}

FrTable frTable(const RunTables &tables)
{
    FrTable t;
    t.repeats = tables.repeats;
    for (const std::string &d : tables.datasets)
        if (d.rfind("natural: ", 0) != 0) t.datasets.push_back(d);
    auto column = [&](const std::string &d) {
        for (size_t i = 0; i < t.datasets.size(); ++i)
            if (t.datasets[i] == d) return int(i);
        return -1;
    };
    for (const FrRow &r : tables.fr) {
        FrTableRow *row = nullptr;
        for (FrTableRow &x : t.rows)
            if (x.extractor == r.extractor && x.data == r.data && x.aggregation == r.aggregation) row = &x;
        if (!row) {
            t.rows.push_back({r.extractor, r.data, r.aggregation, std::vector<FrCell>(t.datasets.size())});
            row = &t.rows.back();
        }
        const int c = column(r.dataset);
        if (c < 0) continue;
        FrCell &cell = row->cells[size_t(c)];
        if (r.evaluated) cell.values.push_back(r.fr);
        else cell.reason = r.reason;
    }
    for (size_t c = 0; c < t.datasets.size(); ++c) {
        double best = -1;
        for (FrTableRow &row : t.rows) {
            FrCell &cell = row.cells[c];
            if (!cell.evaluated()) continue;
            double s = 0;
            for (double v : cell.values) s += v;
            cell.mean = s / double(cell.values.size());
            double ss = 0;
            for (double v : cell.values) ss += (v - cell.mean) * (v - cell.mean);
            cell.sd = cell.values.size() > 1 ? std::sqrt(ss / double(cell.values.size() - 1)) : 0.0;
            best = std::max(best, cell.mean);
        }
        for (FrTableRow &row : t.rows)
            row.cells[c].best = row.cells[c].evaluated() && std::abs(row.cells[c].mean - best) < 1e-12;
    }
    return t;
}

std::string frTableCsv(const FrTable &t)
{
    std::string out = "extractor,data,aggregation";
    for (const std::string &d : t.datasets) out += "," + csvField(d + " fr_mean") + "," + csvField(d + " fr_sd") + "," + csvField(d + " n_repeats");
    out += "\n";
    for (const FrTableRow &row : t.rows) {
        out += row.extractor + "," + csvField(row.data) + "," + row.aggregation;
        for (const FrCell &c : row.cells)
            out += c.evaluated() ? "," + reportNumber(c.mean) + "," + reportNumber(c.sd) + "," + std::to_string(c.values.size()) : ",,,0";
        out += "\n";
    }
    return out;
}

std::string frTableMarkdown(const FrTable &t, Protocol protocol)
{
    std::string out = "Fraction retrieved (" + std::string(protocolName(protocol)) + " protocol; mean ± σ over " + std::to_string(t.repeats) +
                      " repeat(s); best per column in bold)\n\n| extractor | data | aggregation |";
    for (const std::string &d : t.datasets) out += " " + shortDatasetLabel(d) + " |";
    out += "\n|---|---|---|";
    for (size_t i = 0; i < t.datasets.size(); ++i) out += "---:|";
    out += "\n";
    for (const FrTableRow &row : t.rows) {
        out += "| " + row.extractor + " | " + row.data + " | " + row.aggregation + " |";
        for (const FrCell &c : row.cells) {
            if (!c.evaluated()) {
                out += " n/a |";
                continue;
            }
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.3f ± %.3f", c.mean, c.sd);
            out += std::string(" ") + (c.best ? "**" : "") + buf + (c.best ? "**" : "") + " |";
        }
        out += "\n";
    }
    return out;
}

} // namespace cprecon::run
