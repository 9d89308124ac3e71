#include "image/NpyReader.h"

#include "util/Error.h"

#include <QFile>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

namespace cprecon {

namespace {

const char kMagic[] = "\x93NUMPY";

[[noreturn]] void fail(const QString &path, const std::string &msg,
                       const std::string &fix = "write the array with numpy.save(path, array.astype(numpy.float64))")
{
    throw Error(msg, path.toStdString(), fix);
}

// Minimal parser for the header's Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
class DictParser {
public:
    DictParser(const std::string &text, const QString &path) : s(text), p(path) {}

    NpyHeader parse()
    {
        NpyHeader h;
        bool haveDescr = false, haveOrder = false, haveShape = false;
        skipWs();
        expect('{');
        while (true) {
            skipWs();
            if (peek() == '}') { ++i; break; }
            const std::string key = parseString();
            skipWs();
            expect(':');
            skipWs();
            if (key == "descr") {
                h.descr = parseString();
                haveDescr = true;
            } else if (key == "fortran_order") {
                h.fortranOrder = parseBool();
                haveOrder = true;
            } else if (key == "shape") {
                h.shape = parseTuple();
                haveShape = true;
            } else {
                fail(p, "unexpected key '" + key + "' in .npy header");
            }
            skipWs();
            if (peek() == ',') { ++i; continue; }
            skipWs();
            expect('}');
            break;
        }
        skipWs();
        if (i != s.size()) fail(p, "trailing characters after the .npy header dict");
        if (!haveDescr || !haveOrder || !haveShape)
            fail(p, ".npy header lacks one of 'descr', 'fortran_order', 'shape'");
        return h;
    }

private:
    char peek() const { return i < s.size() ? s[i] : '\0'; }
    void skipWs()
    {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    }
    void expect(char c)
    {
        if (peek() != c) fail(p, std::string("malformed .npy header: expected '") + c + "' at offset " + std::to_string(i));
        ++i;
    }
    std::string parseString()
    {
        const char q = peek();
        if (q != '\'' && q != '"') fail(p, "malformed .npy header: expected a quoted string at offset " + std::to_string(i));
        ++i;
        const size_t end = s.find(q, i);
        if (end == std::string::npos) fail(p, "malformed .npy header: unterminated string");
        std::string out = s.substr(i, end - i);
        i = end + 1;
        return out;
    }
    bool parseBool()
    {
        if (s.compare(i, 4, "True") == 0) { i += 4; return true; }
        if (s.compare(i, 5, "False") == 0) { i += 5; return false; }
        fail(p, "malformed .npy header: fortran_order must be True or False");
    }
    std::vector<long long> parseTuple()
    {
        std::vector<long long> dims;
        expect('(');
        while (true) {
            skipWs();
            if (peek() == ')') { ++i; break; }
            if (!std::isdigit(static_cast<unsigned char>(peek())))
                fail(p, "malformed .npy header: shape must be a tuple of non-negative integers");
            long long v = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                v = v * 10 + (s[i] - '0');
                if (v > (1LL << 40)) fail(p, "implausible .npy shape (dimension too large)");
                ++i;
            }
            if (peek() == 'L') ++i; // Python 2 long suffix
            dims.push_back(v);
            skipWs();
            if (peek() == ',') { ++i; continue; }
            skipWs();
            expect(')');
            break;
        }
        return dims;
    }

    const std::string s; // own copy: the header text is a temporary at the call site
    const QString p;
    size_t i = 0;
};

} // namespace

NpyHeader readNpyHeader(const QString &path)
{
    QFile f(path);
    if (!f.exists()) fail(path, "illumination function (.npy) not found", "check the illum folder / PathName_Illum columns, or run with illumination 'none'");
    if (!f.open(QIODevice::ReadOnly)) fail(path, "cannot open .npy file: " + f.errorString().toStdString(), "check the file's permissions");
    const QByteArray pre = f.read(12);
    if (pre.size() < 10 || std::memcmp(pre.constData(), kMagic, 6) != 0)
        fail(path, "not a NumPy .npy file (magic string \\x93NUMPY missing)");
    NpyHeader h;
    h.major = static_cast<unsigned char>(pre[6]);
    h.minor = static_cast<unsigned char>(pre[7]);
    size_t headerLen = 0, prefix = 0;
    auto byte = [&](int k) { return static_cast<size_t>(static_cast<unsigned char>(pre[k])); };
    if (h.major == 1) {
        headerLen = byte(8) | (byte(9) << 8);
        prefix = 10;
    } else if (h.major == 2 || h.major == 3) {
        if (pre.size() < 12) fail(path, ".npy file truncated inside its header");
        headerLen = byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24);
        prefix = 12;
    } else {
        fail(path, "unsupported .npy format version " + std::to_string(h.major) + "." + std::to_string(h.minor),
             "re-save with numpy.save (format 1.0, 2.0 or 3.0)");
    }
    if (headerLen > (1u << 24)) fail(path, "implausible .npy header length " + std::to_string(headerLen));
    f.seek(static_cast<qint64>(prefix));
    const QByteArray dict = f.read(static_cast<qint64>(headerLen));
    if (static_cast<size_t>(dict.size()) != headerLen) fail(path, ".npy file truncated inside its header");
    DictParser parser(dict.toStdString(), path);
    NpyHeader parsed = parser.parse();
    parsed.major = h.major;
    parsed.minor = h.minor;
    parsed.dataOffset = prefix + headerLen;
    return parsed;
}

cv::Mat readNpy(const QString &path)
{
    const NpyHeader h = readNpyHeader(path);
    const std::string &d = h.descr;
    if (d.size() != 3 || (d[0] != '<' && d[0] != '>') || d[1] != 'f' || (d[2] != '4' && d[2] != '8'))
        fail(path, "unsupported .npy dtype '" + d + "' (expected float32 '<f4' or float64 '<f8')",
             "save the illumination function as a float array: numpy.save(path, illum.astype(numpy.float64))");
    const bool bigEndian = d[0] == '>';
    const int elem = d[2] - '0';
    if (h.shape.size() != 2)
        fail(path, "expected a 2-D array (rows, cols), found " + std::to_string(h.shape.size()) + " dimension(s)",
             "an illumination function is one image-sized 2-D float array per channel");
    const long long rows = h.shape[0], cols = h.shape[1];
    if (rows == 0 || cols == 0) fail(path, "the .npy array is empty (shape has a zero dimension)");
    if (rows > std::numeric_limits<int>::max() || cols > std::numeric_limits<int>::max())
        fail(path, "the .npy array is too large");
    const qint64 expected = static_cast<qint64>(rows) * cols * elem;

    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) fail(path, "cannot open .npy file: " + f.errorString().toStdString());
    const qint64 available = f.size() - static_cast<qint64>(h.dataOffset);
    if (available < expected)
        fail(path, ".npy data truncated: shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ") needs "
                       + std::to_string(expected) + " bytes, file holds " + std::to_string(std::max<qint64>(available, 0)),
             "re-copy or re-download the file");
    if (available > expected)
        fail(path, ".npy file has " + std::to_string(available - expected) + " trailing bytes after the array data",
             "the file is not a single array; re-save it with numpy.save");

    // Fortran order = column-major: read as (cols, rows) and transpose.
    const int storedRows = static_cast<int>(h.fortranOrder ? cols : rows);
    const int storedCols = static_cast<int>(h.fortranOrder ? rows : cols);
    cv::Mat stored(storedRows, storedCols, elem == 8 ? CV_64FC1 : CV_32FC1);
    f.seek(static_cast<qint64>(h.dataOffset));
    if (f.read(reinterpret_cast<char *>(stored.data), expected) != expected)
        fail(path, ".npy data could not be read completely: " + f.errorString().toStdString());

    const bool hostLittle = [] { const uint16_t one = 1; return *reinterpret_cast<const uint8_t *>(&one) == 1; }();
    if (bigEndian == hostLittle) {
        uchar *p = stored.data;
        for (qint64 k = 0; k < expected; k += elem)
            std::reverse(p + k, p + k + elem);
    }
    if (!h.fortranOrder) return stored;
    cv::Mat out;
    cv::transpose(stored, out);
    return out;
}

cv::Mat readNpyAsDouble(const QString &path)
{
    cv::Mat m = readNpy(path);
    if (m.type() == CV_64FC1) return m;
    cv::Mat out;
    m.convertTo(out, CV_64F);
    return out;
}

} // namespace cprecon
