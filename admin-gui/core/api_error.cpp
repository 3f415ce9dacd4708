#include "core/api_error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace storefront::admin {

QString formatProblem(const QString& title, const QString& detail, const QList<FieldError>& errors,
                      const QString& fallbackTitle) {
  QStringList fields;
  QStringList summary;  // the gateway's own "field: detail; field: detail" rendering
  for (const auto& e : errors) {
    fields << (e.field.isEmpty() ? e.detail : e.field + QStringLiteral(": ") + e.detail);
    summary << e.field + QStringLiteral(": ") + e.detail;
  }
  QString text = title.trimmed().isEmpty() ? fallbackTitle : title.trimmed();
  const QString trimmedDetail = detail.trimmed();
  const bool detailRepeatsFields = !errors.isEmpty() && trimmedDetail == summary.join(u"; ");
  if (!trimmedDetail.isEmpty() && !detailRepeatsFields) {
    text = text.isEmpty() ? trimmedDetail : text + QStringLiteral(": ") + trimmedDetail;
  }
  if (!fields.isEmpty()) text += QStringLiteral(" (") + fields.join(u", ") + u')';
  return text;
}

ApiError ApiError::fromHttp(int status, const QByteArray& reasonPhrase, const QByteArray& body) {
  ApiError error;
  error.kind = Kind::Http;
  error.httpStatus = status;
  const QJsonObject problem = QJsonDocument::fromJson(body).object();
  if (!problem.isEmpty() && (problem.contains(u"title") || problem.contains(u"detail"))) {
    error.title = problem.value(u"title").toString();
    error.detail = problem.value(u"detail").toString();
    error.requestId = problem.value(u"request_id").toString();
    error.problem = problem;
    for (const auto& item : problem.value(u"errors").toArray()) {
      const QJsonObject e = item.toObject();
      error.fieldErrors.append({e.value(u"field").toString(), e.value(u"detail").toString()});
    }
    return error;
  }
  // Not a problem document (a proxy's HTML page, an empty body): say what we know.
  error.title = QStringLiteral("HTTP %1 %2").arg(status).arg(QString::fromUtf8(reasonPhrase)).trimmed();
  const QByteArray text = body.trimmed();
  if (!text.isEmpty() && text.size() <= 200 && !text.contains('<')) error.detail = QString::fromUtf8(text);
  return error;
}

ApiError ApiError::network(const QString& description) {
  ApiError error;
  error.kind = Kind::Network;
  error.title = QStringLiteral("Cannot reach the gateway");
  error.detail = description;
  return error;
}

ApiError ApiError::timeout(int milliseconds) {
  ApiError error;
  error.kind = Kind::Timeout;
  error.title = QStringLiteral("The gateway did not answer");
  error.detail = milliseconds % 1000 == 0 ? QStringLiteral("no response within %1 s").arg(milliseconds / 1000)
                                          : QStringLiteral("no response within %1 ms").arg(milliseconds);
  return error;
}

ApiError ApiError::badResponse(const QString& why) {
  ApiError error;
  error.kind = Kind::BadResponse;
  error.title = QStringLiteral("Unexpected answer from the gateway");
  error.detail = why;
  return error;
}

ApiError ApiError::cancelled() {
  ApiError error;
  error.kind = Kind::Cancelled;
  error.title = QStringLiteral("Request cancelled");
  error.detail = QStringLiteral("signed out");
  return error;
}

QString ApiError::message() const {
  const QString fallback = httpStatus > 0 ? QStringLiteral("HTTP %1").arg(httpStatus) : QStringLiteral("Error");
  return formatProblem(title, detail, fieldErrors, fallback);
}

QString ApiError::describe() const {
  QString text = message();
  if (!operation.isEmpty()) text = operation + QStringLiteral(" — ") + text;
  if (!requestId.isEmpty()) text += QStringLiteral(" [request %1]").arg(requestId);
  return text;
}

QString ApiError::detailFor(const QString& field) const {
  for (const auto& e : fieldErrors) {
    if (e.field == field) return e.detail;
  }
  return {};
}

}  // namespace storefront::admin
