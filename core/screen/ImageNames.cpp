#include "screen/ImageNames.h"

#include "screen/Screen.h"

#include <QRegularExpression>

namespace cprecon {

QString instrumentName(Instrument i)
{
    switch (i) {
    case Instrument::Phenix: return QStringLiteral("Opera Phenix");
    case Instrument::CV8000: return QStringLiteral("Yokogawa CV8000");
    case Instrument::ImageXpress: return QStringLiteral("ImageXpress");
    case Instrument::None: break;
    }
    return QStringLiteral("unknown");
}

bool isImageFileName(const QString &f)
{
    static const QRegularExpression re(QStringLiteral("\\.(tiff?|png|jpe?g)$"), QRegularExpression::CaseInsensitiveOption);
    return re.match(f).hasMatch();
}

bool parseImageName(const QString &f, ImageName &out)
{
    static const QRegularExpression phenix(
        QStringLiteral("^r(\\d{2})c(\\d{2})f(\\d{2,3})p(\\d{2})-ch(\\d{1,2})sk\\d+fk\\d+fl\\d+\\.(tiff?|png)$"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression cv8000(
        QStringLiteral("^(.+)_([A-Za-z]{1,2}\\d{2})_T\\d{4}F(\\d{3})L\\d{2}A\\d{2}Z(\\d{2})C(\\d{2})\\.(tiff?|png)$"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression ixm(
        QStringLiteral("^(.+)_([A-Za-z]{1,2}\\d{2})_s(\\d+)_w(\\d)([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})?\\.(tiff?|png)$"),
        QRegularExpression::CaseInsensitiveOption);
    out = ImageName{};
    auto m = phenix.match(f);
    if (m.hasMatch()) {
        out.instrument = Instrument::Phenix;
        out.well = wellName(m.captured(1).toInt() - 1, m.captured(2).toInt() - 1);
        out.site = m.captured(3).toInt();
        out.plane = m.captured(4).toInt();
        out.channel = m.captured(5).toInt();
        return m.captured(1).toInt() >= 1 && m.captured(2).toInt() >= 1;
    }
    m = cv8000.match(f);
    if (m.hasMatch()) {
        out.instrument = Instrument::CV8000;
        out.plate = m.captured(1);
        out.well = m.captured(2).toUpper();
        out.site = m.captured(3).toInt();
        out.plane = m.captured(4).toInt();
        out.channel = m.captured(5).toInt();
        return true;
    }
    m = ixm.match(f);
    if (m.hasMatch()) {
        out.instrument = Instrument::ImageXpress;
        out.plate = m.captured(1);
        out.well = m.captured(2).toUpper();
        out.site = m.captured(3).toInt();
        out.channel = m.captured(4).toInt();
        return true;
    }
    return false;
}

int channelFromFileName(const QString &f)
{
    ImageName n;
    if (parseImageName(f, n)) return n.channel;
    static const QRegularExpression ch(QStringLiteral("-ch(\\d{1,2})"), QRegularExpression::CaseInsensitiveOption);
    const auto m = ch.match(f);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

} // namespace cprecon
