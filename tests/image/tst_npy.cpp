// NpyReader on hand-built .npy files (C/Fortran order, f4/f8, byte orders, format versions) and broken ones;
// NpyWriter against the exact bytes numpy.save produces.
#include "TestSupport.h"
#include "image/NpyReader.h"
#include "image/NpyWriter.h"
#include "util/Error.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstring>

using namespace cprecon;

namespace {

// Builds a .npy file byte by byte (independent of NpyWriter): header dict padded like numpy, then `data`.
QByteArray npyBytes(const QByteArray &dict, const QByteArray &data, int major = 1)
{
    QByteArray header = dict;
    const int prefix = major == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64 != 0) header.append(' ');
    header.append('\n');
    QByteArray out("\x93NUMPY", 6);
    out.append(char(major));
    out.append(char(0));
    const quint32 len = static_cast<quint32>(header.size());
    out.append(char(len & 0xff));
    out.append(char((len >> 8) & 0xff));
    if (major != 1) {
        out.append(char((len >> 16) & 0xff));
        out.append(char((len >> 24) & 0xff));
    }
    return out + header + data;
}

template <typename T>
QByteArray raw(const std::vector<T> &v, bool swap = false)
{
    QByteArray b(reinterpret_cast<const char *>(v.data()), int(v.size() * sizeof(T)));
    if (swap)
        for (int i = 0; i < b.size(); i += int(sizeof(T))) std::reverse(b.begin() + i, b.begin() + i + int(sizeof(T)));
    return b;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString p = dir.filePath(name);
    QFile f(p);
    f.open(QIODevice::WriteOnly);
    f.write(bytes);
    return p;
}

void expectError(const QString &path, const QString &mustContain)
{
    try {
        readNpy(path);
    } catch (const Error &e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(mustContain), e.what());
        QCOMPARE(QString::fromStdString(e.file()), path);
        return;
    }
    QFAIL(qPrintable(QStringLiteral("no error for %1 (expected '%2')").arg(path, mustContain)));
}

// The logical 2x3 array [[0, 1, 2], [10, 11, 12]] and its C- and Fortran-order memory layouts.
const std::vector<double> kC{0, 1, 2, 10, 11, 12};
const std::vector<double> kF{0, 10, 1, 11, 2, 12};

void checkLogical(const cv::Mat &m)
{
    QCOMPARE(m.rows, 2);
    QCOMPARE(m.cols, 3);
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c) {
            const double v = m.depth() == CV_64F ? m.at<double>(r, c) : double(m.at<float>(r, c));
            QCOMPARE(v, 10.0 * r + c);
        }
}

} // namespace

class TestNpy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cOrderFloat64()
    {
        QTemporaryDir d;
        const QString p = writeFile(d, "c.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw(kC)));
        const cv::Mat m = readNpy(p);
        QCOMPARE(m.type(), CV_64FC1);
        checkLogical(m);
    }
    void fortranOrderFloat64()
    {
        QTemporaryDir d;
        const QString p = writeFile(d, "f.npy", npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", raw(kF)));
        checkLogical(readNpy(p));
    }
    void float32BothOrders()
    {
        QTemporaryDir d;
        const std::vector<float> c(kC.begin(), kC.end()), f(kF.begin(), kF.end());
        const QString pc = writeFile(d, "c4.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", raw(c)));
        const QString pf = writeFile(d, "f4.npy", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", raw(f)));
        QCOMPARE(readNpy(pc).type(), CV_32FC1);
        checkLogical(readNpy(pc));
        checkLogical(readNpy(pf));
        const cv::Mat d64 = readNpyAsDouble(pf);
        QCOMPARE(d64.type(), CV_64FC1);
        checkLogical(d64);
    }
    void bigEndianIsSwapped()
    {
        QTemporaryDir d;
        const QString p = writeFile(d, "be.npy", npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", raw(kC, true)));
        checkLogical(readNpy(p));
    }
    void versions2And3AndKeyOrder()
    {
        QTemporaryDir d;
        const QString p2 = writeFile(d, "v2.npy", npyBytes("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}", raw(kC), 2));
        const QString p3 = writeFile(d, "v3.npy", npyBytes("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2,3)}", raw(kC), 3));
        checkLogical(readNpy(p2));
        checkLogical(readNpy(p3));
        QCOMPARE(readNpyHeader(p2).major, 2);
    }
    void rejectsBadFiles()
    {
        QTemporaryDir d;
        expectError(d.filePath("missing.npy"), "not found");
        expectError(writeFile(d, "magic.npy", QByteArray("PK\x03\x04 not numpy at all")), "magic");
        expectError(writeFile(d, "i4.npy", npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", QByteArray(24, 0))), "dtype '<i4'");
        expectError(writeFile(d, "u1.npy", npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", QByteArray(6, 0))), "dtype");
        expectError(writeFile(d, "obj.npy", npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", QByteArray(48, 0))), "dtype");
        expectError(writeFile(d, "c16.npy", npyBytes("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3), }", QByteArray(96, 0))), "dtype");
        expectError(writeFile(d, "1d.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", raw(kC))), "2-D");
        expectError(writeFile(d, "3d.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }", raw(kC))), "2-D");
        expectError(writeFile(d, "zero.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", QByteArray())), "empty");
        QByteArray cut = raw(kC);
        cut.chop(5);
        expectError(writeFile(d, "trunc.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", cut)), "truncated");
        expectError(writeFile(d, "trail.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw(kC) + "xx")), "trailing");
        expectError(writeFile(d, "hdr.npy", npyBytes("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 3), }", raw(kC))), "fortran_order");
        expectError(writeFile(d, "key.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", raw(kC))), "unexpected key");
        expectError(writeFile(d, "nokey.npy", npyBytes("{'descr': '<f8', 'shape': (2, 3), }", raw(kC))), "lacks");
        QByteArray v9 = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw(kC));
        v9[6] = 9;
        expectError(writeFile(d, "v9.npy", v9), "version 9");
        expectError(writeFile(d, "short.npy", QByteArray("\x93NUMPY\x01\x00\xff\x00{'descr'", 17)), "truncated");
    }
    void writerMatchesNumpyBytes()
    {
        // numpy 1.24: np.save(p, np.array([[0., 1., 2.], [10., 11., 12.]])) -> this 128-byte header + 48 data bytes.
        QTemporaryDir d;
        cv::Mat m(2, 3, CV_64FC1, const_cast<double *>(kC.data()));
        const QString p = d.filePath("w.npy");
        writeNpy(p, m);
        QFile f(p);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        const QByteArray expected = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw(kC));
        QCOMPARE(bytes.size(), 128 + 48);
        QCOMPARE(bytes, expected);
        checkLogical(readNpy(p));

        const QString pf = d.filePath("wf.npy");
        writeNpy(pf, m, true);
        QCOMPARE(readNpyHeader(pf).fortranOrder, true);
        checkLogical(readNpy(pf));

        cv::Mat m32;
        m.convertTo(m32, CV_32F);
        const QString p32 = d.filePath("w32.npy");
        writeNpy(p32, m32);
        QCOMPARE(QString::fromStdString(readNpyHeader(p32).descr), QStringLiteral("<f4"));
        checkLogical(readNpy(p32));
        QVERIFY_THROWS_EXCEPTION(Error, writeNpy(d.filePath("bad.npy"), cv::Mat(2, 2, CV_8UC1)));
    }
    void largeImageSizedRoundTrip()
    {
        QTemporaryDir d;
        cv::Mat m(1080, 1080, CV_64FC1);
        cv::randu(m, 0.5, 2.0);
        const QString p = d.filePath("illum.npy");
        writeNpy(p, m, true);
        const cv::Mat back = readNpy(p);
        QCOMPARE(cv::norm(back, m, cv::NORM_INF), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestNpy)
#include "tst_npy.moc"
