// What went wrong with one request to the gateway, in words an operator can act on.
//
// The gateway answers every error with RFC 9457 application/problem+json:
//   {"type", "title", "status", "detail", "instance", "request_id", "errors": [{"field", "detail"}]}
// message() turns that into "title: detail (field: detail, ...)". Failures that never reached
// an answer (refused connection, timeout, a body that is not JSON) get their own sentence, so no
// failure is ever shown as an empty string or a bare number.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace storefront::admin {

struct FieldError {
  QString field;
  QString detail;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// "title: detail (field: detail, ...)". A detail that only repeats the field list (the gateway
// builds 400 details as "field: detail; field: detail") is left out rather than said twice; an
// empty title becomes `fallbackTitle`.
QString formatProblem(const QString& title, const QString& detail, const QList<FieldError>& errors,
                      const QString& fallbackTitle = QString());

struct ApiError {
  enum class Kind {
    Http,         // the gateway answered 4xx/5xx
    Network,      // no answer: refused, unreachable, TLS, DNS
    Timeout,      // no answer within the transfer timeout
    BadResponse,  // 2xx, but the body is not what the spec says
    Cancelled,    // abandoned by signing out; not reported as a failure
  };

  Kind kind = Kind::Http;
  int httpStatus = 0;  // set for Kind::Http
  QString title;
  QString detail;
  QList<FieldError> fieldErrors;
  QString requestId;  // the gateway's request_id, to find its log lines
  // The problem+json document as the gateway sent it, for its type and extension members (the
  // observability route's "prometheus_url"); empty when the answer was not one.
  QJsonObject problem;
  QString operation;  // "GET /api/v1/admin/orders", set by ApiClient

  // From a 4xx/5xx answer: problem+json when the body is one, else the status line.
  static ApiError fromHttp(int status, const QByteArray& reasonPhrase, const QByteArray& body);
  static ApiError network(const QString& description);
  static ApiError timeout(int milliseconds);
  static ApiError badResponse(const QString& why);
  static ApiError cancelled();

  // The sentence for the operator, e.g. "Conflict: the order has shipped".
  QString message() const;
  // message() with the operation and request id, for the message area and the logs.
  QString describe() const;
  // The detail for one form field ("sku"), empty when the gateway named no such field.
  QString detailFor(const QString& field) const;
};

}  // namespace storefront::admin
