// A tiny HTTP/1.1 server on 127.0.0.1:<ephemeral> that answers canned responses, so ApiClient
// is tested over a real socket: headers, bodies, status codes, and a route that never answers.
// It runs on the test's own event loop; QSignalSpy::wait() turns that loop while it works.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

class QTcpSocket;

namespace storefront::admin::testing {

class FakeGateway : public QObject {
  Q_OBJECT

 public:
  struct Response {
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    bool neverAnswer = false;  // read the request, then say nothing (for timeouts)
  };

  struct Request {
    QByteArray method;
    QString path;         // decoded
    QByteArray rawPath;   // as sent, still percent-encoded
    QByteArray rawQuery;  // as sent, still percent-encoded
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers;  // lower-case names
    QByteArray body;
  };

  explicit FakeGateway(QObject* parent = nullptr);
  ~FakeGateway() override;

  bool listen(quint16 port = 0);  // on 127.0.0.1; 0: any free port
  QUrl url() const;

  // Answers `method path` with `response`; several responses for one route are given in turn,
  // the last one repeating. Unknown routes get a 404 problem.
  void on(const QByteArray& method, const QString& path, Response response);
  static Response json(int status, const QByteArray& body) { return {status, body, "application/json", false}; }
  static Response problem(int status, const QByteArray& body) {
    return {status, body, "application/problem+json", false};
  }
  static Response noContent() { return {204, {}, "application/json", false}; }

  const QList<Request>& requests() const { return requests_; }
  const Request& lastRequest() const { return requests_.last(); }

 signals:
  void requestReceived();

 private:
  void onReadyRead(QTcpSocket* socket);
  void answer(QTcpSocket* socket, const Response& response);

  QTcpServer server_;
  QHash<QString, QList<Response>> routes_;  // "GET /path" -> responses
  QList<QTcpSocket*> sockets_;  // open connections, closed and deleted in the destructor
  QHash<QTcpSocket*, QByteArray> buffers_;
  QList<Request> requests_;
};

}  // namespace storefront::admin::testing
