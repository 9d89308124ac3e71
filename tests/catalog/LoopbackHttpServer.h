#pragma once
// Minimal HTTP/1.1 file server on 127.0.0.1 for the downloader tests: GET with `Range: bytes=N-` (206 /
// Content-Range, 416 past the end), 404 for unknown paths, and fault injection — drop the connection after N body
// bytes, flip a byte of the body, ignore Range, or trickle the body slowly (so a cancel lands mid-transfer).
// Header-only and without Q_OBJECT (tests/<area>/ compiles only the tst_*.cpp files).
#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace cprecon::test {

class LoopbackHttpServer {
public:
    struct Request {
        QByteArray method, path, range; // range = raw value of the Range header, empty when absent
        qint64 bodyBytes = 0;           // body bytes the server wrote in answer
    };

    QMap<QByteArray, QByteArray> files; // URL path ("/vae/config.json") -> body
    int dropAfterBytes = -1;            // with dropsLeft > 0: close the connection after this many body bytes
                                        // (bodies no longer than that are served whole and do not count)
    int dropsLeft = 0;
    qint64 corruptOffset = -1;          // flip this byte of every served file (whole-file offset)
    bool honourRange = true;            // false: answer Range requests with the whole file (200)
    int trickleChunk = 0;               // > 0: send the body in chunks of this size ...
    int trickleIntervalMs = 5;          // ... every this many ms
    QList<Request> requests;
    qint64 bytesSent = 0;               // bytes the client actually accepted from every connection (headers + bodies)

    LoopbackHttpServer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                QObject::connect(s, &QTcpSocket::bytesWritten, s, [this](qint64 n) { bytesSent += n; });
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, buffer] {
                    buffer->append(s->readAll());
                    const int end = buffer->indexOf("\r\n\r\n");
                    if (end < 0) return;
                    const QByteArray head = buffer->left(end);
                    buffer->clear();
                    respond(s, head);
                });
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    QString url(const QString &path) const { return baseUrl() + path; }

private:
    void respond(QTcpSocket *s, const QByteArray &head)
    {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        Request r;
        r.method = first.value(0);
        r.path = first.value(1);
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const int colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == "range") r.range = line.mid(colon + 1).trimmed();
        }
        requests << r;

        if (!files.contains(r.path)) {
            const QByteArray body = "not found\n";
            s->write("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: " +
                     QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            s->disconnectFromHost();
            return;
        }
        QByteArray file = files.value(r.path);
        if (corruptOffset >= 0 && corruptOffset < file.size()) file[corruptOffset] = char(file[corruptOffset] ^ 0x5a);
        const qint64 size = file.size();
        qint64 start = 0;
        QByteArray status = "200 OK";
        QByteArray extra;
        if (honourRange && r.range.startsWith("bytes=") && r.range.endsWith('-')) {
            start = r.range.mid(6, r.range.size() - 7).toLongLong();
            if (start >= size) {
                s->write("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + QByteArray::number(size) +
                         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                s->disconnectFromHost();
                return;
            }
            status = "206 Partial Content";
            extra = "Content-Range: bytes " + QByteArray::number(start) + '-' + QByteArray::number(size - 1) + '/' +
                    QByteArray::number(size) + "\r\n";
        }
        QByteArray body = file.mid(start);
        s->write("HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n" + extra +
                 "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n");
        if (dropsLeft > 0 && dropAfterBytes >= 0 && body.size() > dropAfterBytes) {
            --dropsLeft;
            body = body.left(dropAfterBytes); // the announced Content-Length stays: the client sees a short body
        }
        requests.last().bodyBytes = body.size();
        if (trickleChunk <= 0) {
            s->write(body);
            s->disconnectFromHost();
            return;
        }
        auto *timer = new QTimer(s);
        auto offset = std::make_shared<qint64>(0);
        QPointer<QTcpSocket> guard(s);
        QObject::connect(timer, &QTimer::timeout, s, [guard, timer, offset, body, chunk = trickleChunk] {
            if (!guard || guard->state() != QAbstractSocket::ConnectedState) {
                timer->stop();
                return;
            }
            guard->write(body.mid(*offset, chunk));
            *offset += chunk;
            if (*offset >= body.size()) {
                timer->stop();
                guard->disconnectFromHost();
            }
        });
        timer->start(trickleIntervalMs);
    }

    QTcpServer m_server;
};

} // namespace cprecon::test
