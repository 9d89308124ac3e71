#pragma once
// Holds a grid of square image panels (plus a header row and column) and sizes it so that each panel is square and
// as large as the space allows, centred: the free space goes around the grid, not into black margins inside every
// panel (square images in wide panels used to fill a third of each).
#include <QWidget>

namespace cprecon::ui {

class AspectBox : public QWidget {
    Q_OBJECT
public:
    explicit AspectBox(QWidget *content, QWidget *parent = nullptr);
    // cols x rows panels of aspect width/height `aspect`; header: pixels the labels take left and on top.
    void setCells(int cols, int rows, double aspect, QSize header);
    QWidget *content() const { return m_content; }
    QSize cellSize() const; // for tests: a panel's size as laid out now

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void place();
    QWidget *m_content;
    int m_cols = 1, m_rows = 1;
    double m_aspect = 1;
    QSize m_header;
};

} // namespace cprecon::ui
