// Opening a screen from its files: the first input byte picks which file of a small, otherwise valid screen the rest
// of the input replaces — the load_data CSV, the nf-core sample sheet, the barcode -> platemap CSV or the platemap
// itself — and the screen is opened as the app opens it (problems are reported, never a crash).
#include "FuzzSupport.h"

#include "screen/ScreenOpener.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace {
void put(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) __builtin_trap();
    f.write(bytes);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const QString root = QString::fromStdString(fuzz::writeInput(nullptr, 0, "marker")).section(QLatin1Char('/'), 0, -2) + QStringLiteral("/screen");
    QDir(root).removeRecursively();
    const QByteArray body(reinterpret_cast<const char *>(data + 1), int(size - 1));
    const QByteArray loadData =
        "FileName_OrigDNA,PathName_OrigDNA,FileName_OrigER,PathName_OrigER,FileName_OrigRNA,PathName_OrigRNA,FileName_OrigAGP,"
        "PathName_OrigAGP,FileName_OrigMito,PathName_OrigMito,Metadata_Plate,Metadata_Well,Metadata_Site\n"
        "a.tif,.,b.tif,.,c.tif,.,d.tif,.,e.tif,.,P1,A01,1\n";
    const QByteArray barcodes = "Assay_Plate_Barcode,Plate_Map_Name\nP1,map1\n";
    const QByteArray platemap = "plate_map_name\twell_position\tbroad_sample\nmap1\tA01\tDMSO\n";
    const QByteArray sheet = "plate,well,site,channel,path\nP1,A01,1,DNA,a.tif\n";
    const int which = data[0] % 4;
    put(root + QStringLiteral("/load_data.csv"), which == 0 ? body : loadData);
    put(root + QStringLiteral("/workspace/metadata/platemaps/B1/barcode_platemap.csv"), which == 1 ? body : barcodes);
    put(root + QStringLiteral("/workspace/metadata/platemaps/B1/platemap/map1.txt"), which == 2 ? body : platemap);
    if (which == 3) put(root + QStringLiteral("/samplesheet.csv"), body);
    fuzz::expectNamedErrors([&] { (void)cprecon::openScreen(which == 3 ? root + QStringLiteral("/samplesheet.csv") : root); });
    fuzz::expectNamedErrors([&] { (void)cprecon::openScreen(root + QStringLiteral("/load_data.csv")); });
    return 0;
}
