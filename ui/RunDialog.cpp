#include "RunDialog.h"

#include "catalog/ModelRegistry.h"
#include "run/RunPlan.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace cprecon::ui {

namespace {

QListWidget *checkList(const QStringList &items, bool checked, QWidget *parent)
{
    auto *list = new QListWidget(parent);
    for (const QString &s : items) {
        auto *it = new QListWidgetItem(s, list);
        it->setFlags(it->flags() | Qt::ItemIsUserCheckable);
        it->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    }
    list->setMaximumHeight(110);
    return list;
}

QStringList checkedIn(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked) out << list->item(i)->text();
    return out;
}

} // namespace

RunDialog::RunDialog(std::shared_ptr<const Screen> screen, const QStringList &models, QWidget *parent)
    : QDialog(parent), m_screen(std::move(screen))
{
    setWindowTitle(tr("New benchmark run"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    form->addRow(tr("Screen"), new QLabel(m_screen ? m_screen->source : tr("(none open)")));

    // The subset, from the screen's own metadata. Nothing checked = everything.
    QStringList plates, cellLines, timePoints;
    QSet<QString> seenLines, seenTimes;
    if (m_screen)
        for (const Plate &p : m_screen->plates) {
            plates << p.barcode;
            for (const Well &w : p.wells) {
                const QString line = run::datasetValue(p, w, QStringLiteral("Metadata_CellLine"));
                const QString time = run::datasetValue(p, w, QStringLiteral("Metadata_TimepointHours"));
                if (!line.isEmpty() && !seenLines.contains(line)) seenLines.insert(line), cellLines << line;
                if (!time.isEmpty() && !seenTimes.contains(time)) seenTimes.insert(time), timePoints << time;
            }
        }
    m_plates = checkList(plates, false, this);
    m_cellLines = checkList(cellLines, false, this);
    m_timePoints = checkList(timePoints, false, this);
    auto *subset = new QHBoxLayout;
    for (auto [list, title] : {std::pair{m_plates, tr("Plates")}, std::pair{m_cellLines, tr("Cell lines")}, std::pair{m_timePoints, tr("Time points")}}) {
        auto *box = new QGroupBox(title + tr(" (none = all)"));
        auto *v = new QVBoxLayout(box);
        v->addWidget(list);
        subset->addWidget(box);
    }
    form->addRow(tr("Subset"), subset);

    QStringList offered = models::ModelRegistry::builtin().baselineSpecs();
    offered << QStringLiteral("jpeg:10");
    for (const QString &m : models)
        if (!offered.contains(m)) offered << m;
    m_models = checkList(offered, false, this);
    form->addRow(tr("Models"), m_models);

    m_protocol = new QComboBox;
    m_protocol->addItem(tr("paper (the authors' pipeline, quirks included)"), int(Protocol::Paper));
    m_protocol->addItem(tr("corrected"), int(Protocol::Corrected));
    form->addRow(tr("Protocol"), m_protocol);

    auto *extractors = new QHBoxLayout;
    for (const QString &e : {QStringLiteral("handcrafted"), QStringLiteral("inception"), QStringLiteral("inception-fid"), QStringLiteral("openphenom")}) {
        auto *box = new QCheckBox(e);
        box->setChecked(e == QLatin1String("handcrafted"));
        extractors->addWidget(box);
        m_extractors.emplace_back(e, box);
    }
    form->addRow(tr("Features"), extractors);

    auto *aggregations = new QHBoxLayout;
    m_mean = new QCheckBox(tr("mean"));
    m_median = new QCheckBox(tr("median"));
    m_mean->setChecked(true);
    m_median->setChecked(true);
    aggregations->addWidget(m_mean);
    aggregations->addWidget(m_median);
    aggregations->addStretch(1);
    form->addRow(tr("Well profiles"), aggregations);

    m_repeats = new QSpinBox;
    m_repeats->setRange(1, 100);
    m_repeats->setValue(3);
    form->addRow(tr("Repeats"), m_repeats);
    m_nullSize = new QSpinBox;
    m_nullSize->setRange(100, 10000000);
    m_nullSize->setSingleStep(10000);
    m_nullSize->setValue(1000000);
    form->addRow(tr("Null size"), m_nullSize);
    m_crop = new QSpinBox;
    m_crop->setRange(0, 65536);
    m_crop->setSingleStep(256);
    m_crop->setValue(1024);
    m_crop->setToolTip(tr("Centre crop cut into 256² tiles (0: none). Images smaller than the crop are used whole."));
    form->addRow(tr("Crop"), m_crop);
    m_device = new QComboBox;
    m_device->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
    form->addRow(tr("Device"), m_device);

    auto *folderRow = new QHBoxLayout;
    m_folder = new QLineEdit;
    auto *browse = new QPushButton(tr("Choose…"));
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Run folder"), folderRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Folder for the run (a new sub-folder is fine)"));
        if (!d.isEmpty()) m_folder->setText(QDir(d).filePath(QStringLiteral("run")));
    });

    m_check = new QLabel;
    m_check->setWordWrap(true);
    m_check->setTextFormat(Qt::RichText);
    layout->addWidget(m_check);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    m_start = buttons->addButton(tr("Start"), QDialogButtonBox::AcceptRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Every change re-checks (debounced: typing a folder name checks once).
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(debounce, &QTimer::timeout, this, &RunDialog::recheck);
    auto changed = [debounce] { debounce->start(); };
    for (QListWidget *l : {m_plates, m_cellLines, m_timePoints, m_models}) connect(l, &QListWidget::itemChanged, this, changed);
    for (auto &[name, box] : m_extractors) connect(box, &QCheckBox::toggled, this, changed);
    for (QCheckBox *b : {m_mean, m_median}) connect(b, &QCheckBox::toggled, this, changed);
    for (QSpinBox *s : {m_repeats, m_nullSize, m_crop}) connect(s, &QSpinBox::valueChanged, this, changed);
    connect(m_protocol, &QComboBox::currentIndexChanged, this, changed);
    connect(m_device, &QComboBox::currentIndexChanged, this, changed);
    connect(m_folder, &QLineEdit::textChanged, this, changed);
    recheck();
}

run::RunConfig RunDialog::config() const
{
    run::RunConfig c;
    if (m_screen) c.screens = {m_screen->source};
    c.plates = checkedIn(m_plates);
    c.cellLines = checkedIn(m_cellLines);
    c.timePoints = checkedIn(m_timePoints);
    c.models = checkedIn(m_models);
    c.protocol = Protocol(m_protocol->currentData().toInt());
    c.extractors.clear();
    for (const auto &[name, box] : m_extractors)
        if (box->isChecked()) c.extractors.push_back({name.toStdString(), {}});
    c.aggregations.clear();
    if (m_mean->isChecked()) c.aggregations.push_back(profiles::Aggregation::Mean);
    if (m_median->isChecked()) c.aggregations.push_back(profiles::Aggregation::Median);
    c.repeats = m_repeats->value();
    c.nullSize = m_nullSize->value();
    c.crop = m_crop->value();
    c.device = m_device->currentText();
    return c;
}

run::RunRequest RunDialog::request() const
{
    run::RunRequest r;
    r.folder = QFileInfo(m_folder->text()).absoluteFilePath();
    r.config = config();
    r.appVersion = QCoreApplication::applicationVersion().toStdString();
    return r;
}

QString RunDialog::problems() const { return m_problems; }
bool RunDialog::canStart() const { return m_ok; }

void RunDialog::recheck()
{
    QStringList warnings;
    QString error;
    try {
        if (!m_screen) throw Error("no screen is open", "", "open one first (File ▸ Open screen)");
        const run::RunConfig c = config();
        c.validate();
        const run::RunPlan plan = run::planRun(c, {m_screen.get()});
        for (const std::string &w : plan.warnings) warnings << QString::fromStdString(w);
        const QString folder = m_folder->text().trimmed();
        if (folder.isEmpty()) throw Error("no run folder chosen", "", "choose where the run is stored");
        if (QFileInfo::exists(QDir(folder).filePath(QStringLiteral("results.sqlite"))))
            throw Error("the folder already holds a run", folder.toStdString(), "resume it (Benchmark ▸ Resume run…) or choose another folder");
        warnings.prepend(tr("%1 sites in %2 dataset(s); %3 model(s) × %4 repeat(s)")
                             .arg(plan.work.size()).arg(plan.datasets.size()).arg(c.models.size()).arg(c.repeats));
    } catch (const std::exception &e) {
        error = QString::fromStdString(e.what());
    }
    m_ok = error.isEmpty();
    m_problems = m_ok ? warnings.mid(1).join(QLatin1Char('\n')) : error;
    QString html = m_ok ? QStringLiteral("<span style='color:#1b6e20'>%1</span>").arg(warnings.value(0).toHtmlEscaped())
                        : QStringLiteral("<span style='color:#b00020'><b>%1</b></span>").arg(error.toHtmlEscaped());
    for (const QString &w : warnings.mid(1)) html += QStringLiteral("<br><span style='color:#a15c00'>⚠ %1</span>").arg(w.toHtmlEscaped());
    m_check->setText(html);
    m_start->setEnabled(m_ok);
}

void RunDialog::setOutputFolder(const QString &folder) { m_folder->setText(folder); }

void RunDialog::setModelChecked(const QString &model, bool checked)
{
    for (int i = 0; i < m_models->count(); ++i)
        if (m_models->item(i)->text() == model) m_models->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void RunDialog::setExtractorChecked(const QString &extractor, bool checked)
{
    for (auto &[name, box] : m_extractors)
        if (name == extractor) box->setChecked(checked);
}

void RunDialog::setRepeats(int repeats) { m_repeats->setValue(repeats); }
void RunDialog::setNullSize(int nullSize) { m_nullSize->setValue(nullSize); }

} // namespace cprecon::ui
