#include "MainWindow.h"

namespace cprecon::ui {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) {}

void MainWindow::openScreen(const QString &) {}

} // namespace cprecon::ui
