// cprecon: the CellPaint Recon desktop application.
#include "MainWindow.h"

#include <QApplication>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("cprecon"));
    QApplication::setApplicationDisplayName(QStringLiteral("CellPaint Recon"));
    QApplication::setOrganizationName(QStringLiteral("CellPaintRecon"));
    cprecon::ui::MainWindow w;
    w.show();
    const QStringList args = app.arguments();
    if (args.size() > 1) w.openScreen(args.at(1));
    return app.exec();
}
