#pragma once
// qcustomplot.h is written with Qt's keywords (signals, slots, emit, foreach), which the project switches off
// (QT_NO_KEYWORDS: LibTorch's headers use `slots` as a name). They are defined around this one include only;
// every file includes QCustomPlot through here.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
