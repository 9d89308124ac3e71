#pragma once
#include <QMainWindow>

namespace cprecon::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    void openScreen(const QString &path);
};

} // namespace cprecon::ui
