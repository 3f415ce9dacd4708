#include "core/testing/fake_gateway.h"

#include <QTcpSocket>

namespace storefront::admin::testing {

FakeGateway::FakeGateway(QObject* parent) : QObject(parent) {
  connect(&server_, &QTcpServer::newConnection, this, [this] {
    while (QTcpSocket* socket = server_.nextPendingConnection()) {
      sockets_.append(socket);
      connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
      connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        sockets_.removeOne(socket);
        buffers_.remove(socket);
        socket->deleteLater();
      });
    }
  });
}

FakeGateway::~FakeGateway() {
  // Close what is still open (a route that never answers) before our members go.
  for (QTcpSocket* socket : std::as_const(sockets_)) {
    socket->disconnect(this);
    delete socket;
  }
}

bool FakeGateway::listen(quint16 port) { return server_.listen(QHostAddress::LocalHost, port); }

QUrl FakeGateway::url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort())); }

void FakeGateway::on(const QByteArray& method, const QString& path, Response response) {
  routes_[QString::fromLatin1(method) + u' ' + path].append(std::move(response));
}

void FakeGateway::onReadyRead(QTcpSocket* socket) {
  QByteArray& buffer = buffers_[socket];
  buffer += socket->readAll();
  const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
  if (headerEnd < 0) return;

  Request request;
  const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
  const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
  request.method = requestLine.value(0);
  const QByteArray target = requestLine.value(1);
  const qsizetype question = target.indexOf('?');
  request.rawPath = question < 0 ? target : target.left(question);
  request.path = QUrl::fromPercentEncoding(request.rawPath);
  request.rawQuery = question < 0 ? QByteArray() : target.mid(question + 1);
  request.query = QUrlQuery(QString::fromLatin1(request.rawQuery));
  for (qsizetype i = 1; i < lines.size(); ++i) {
    const qsizetype colon = lines[i].indexOf(':');
    if (colon > 0) request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
  }
  const qsizetype length = request.headers.value("content-length", "0").toLongLong();
  if (buffer.size() < headerEnd + 4 + length) return;  // body still arriving
  request.body = buffer.mid(headerEnd + 4, length);
  buffer.clear();

  requests_.append(request);
  emit requestReceived();

  QList<Response>& queue = routes_[QString::fromLatin1(request.method) + u' ' + request.path];
  if (queue.isEmpty()) {
    answer(socket, problem(404, R"({"type":"https://storefront.dev/problems/not-found","title":"Not found",)"
                                R"("status":404,"detail":"no such route in the fake gateway"})"));
    return;
  }
  const Response response = queue.size() > 1 ? queue.takeFirst() : queue.first();
  if (!response.neverAnswer) answer(socket, response);
}

static QByteArray reasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 502: return "Bad Gateway";
    default: return "Status";
  }
}

void FakeGateway::answer(QTcpSocket* socket, const Response& response) {
  QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
  out += "Content-Type: " + response.contentType + "\r\n";
  out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += response.body;
  socket->write(out);
  socket->disconnectFromHost();
}

}  // namespace storefront::admin::testing
