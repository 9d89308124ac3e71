#pragma once
// Instrument file-name patterns (see docs/user/layouts.md and data/LAYOUTS.md):
//   Opera Phenix / Operetta (Harmony):  rRRcCCfFFpPP-chNsk1fk1fl1.tiff
//   Yokogawa CV8000 / CV7000:           <plate>_<Well>_T0001F<site:3>L01A<aa:2>Z01C<ch:2>.tif
//   Molecular Devices ImageXpress:      <name>_<Well>_s<site>_w<ch><GUID>.tif   (also .png, e.g. BBBC022 PNG copies)
#include <QString>

namespace cprecon {

enum class Instrument { None, Phenix, CV8000, ImageXpress };
QString instrumentName(Instrument i);

struct ImageName {
    Instrument instrument = Instrument::None;
    QString plate;   // CV8000 / ImageXpress name prefix (empty for Phenix)
    QString well;    // "A01"
    int site = -1;
    int channel = -1;
    int plane = 1;   // Z plane (Phenix pPP, CV8000 Z..)
};

// false when the name matches none of the patterns.
bool parseImageName(const QString &fileName, ImageName &out);
// Instrument channel number alone (chN / C0N / wN), -1 when none.
int channelFromFileName(const QString &fileName);
bool isImageFileName(const QString &fileName); // .tif .tiff .png .jpg .jpeg

} // namespace cprecon
