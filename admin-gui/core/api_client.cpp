#include "core/api_client.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include "core/timestamp.h"

namespace storefront::admin {
namespace {

constexpr const char* kAbandoned = "storefront_abandoned";
const QString kLoginPath = QStringLiteral("/api/v1/auth/login");

// One path segment, percent-encoded: ids never reach the URL raw. '*' (a fault on every method)
// is legal in a segment and goes as it is, since the gateway does not decode path parameters.
QString segment(const QString& value) { return QString::fromLatin1(QUrl::toPercentEncoding(value, "*")); }

// QUrlQuery leaves '+' alone and servers read it as a space, so an email like a+b@x.com would
// arrive as "a b@x.com". Encoding the value fully first keeps it intact.
void addParam(QUrlQuery& query, const QString& key, const QString& value) {
  if (!value.isEmpty()) query.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
}

}  // namespace

ApiClient::ApiClient(QObject* parent) : QObject(parent), network_(new QNetworkAccessManager(this)) {
  qRegisterMetaType<ApiError>();
}

ApiClient::~ApiClient() {
  for (QNetworkReply* reply : std::as_const(inFlight_)) {
    reply->disconnect(this);
    reply->abort();
  }
}

void ApiClient::setBaseUrl(const QUrl& url) { baseUrl_ = url; }

void ApiClient::signOut() {
  token_.clear();
  email_.clear();
  const auto replies = inFlight_;  // abort() may finish synchronously and edit inFlight_
  for (QNetworkReply* reply : replies) {
    reply->setProperty(kAbandoned, true);
    reply->abort();
  }
}

// --- Transport -----------------------------------------------------------------------------

static QString operationOf(const QByteArray& method, const QString& path) {
  return QString::fromLatin1(method) + u' ' + QUrl::fromPercentEncoding(path.toUtf8());
}

void ApiClient::send(const Call& call, QObject* context, RawDone done) {
  QUrl url = baseUrl_;
  QString basePath = url.path();
  while (basePath.endsWith(u'/')) basePath.chop(1);
  url.setPath(basePath + call.path, QUrl::TolerantMode);
  if (!call.query.isEmpty()) url.setQuery(call.query);

  QNetworkRequest request(url);
  request.setTransferTimeout(int(timeout_.count()));
  request.setRawHeader("Accept", "application/json, application/problem+json");
  const QString sentToken = call.path == kLoginPath ? QString() : token_;
  if (!sentToken.isEmpty()) request.setRawHeader("Authorization", "Bearer " + sentToken.toUtf8());
  if (!call.idempotencyKey.isEmpty()) request.setRawHeader("Idempotency-Key", call.idempotencyKey);
  QByteArray payload;
  if (call.body) {
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    payload = QJsonDocument(*call.body).toJson(QJsonDocument::Compact);
  }

  QNetworkReply* reply = network_->sendCustomRequest(request, call.method, payload);
  inFlight_.insert(reply);
  if (inFlight_.size() == 1) emit busyChanged(true);

  const QString operation = operationOf(call.method, call.path);
  const QPointer<QObject> guard(context);
  const bool hadContext = context != nullptr;
  const int timeoutMs = int(timeout_.count());
  connect(reply, &QNetworkReply::finished, this, [=, this] {
    inFlight_.remove(reply);
    reply->deleteLater();
    if (inFlight_.isEmpty()) emit busyChanged(false);
    if (reply->property(kAbandoned).toBool()) {
      // Signed out. The asker still hears (a page must not wait forever), but later: abort()
      // can land here synchronously inside signOut(), and callers should not be re-entered.
      QTimer::singleShot(0, this, [=] {
        if (hadContext && guard.isNull()) return;
        ApiError cancelled = ApiError::cancelled();
        cancelled.operation = operation;
        done(QJsonDocument(), &cancelled);
      });
      return;
    }

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = status > 0 ? reply->readAll() : QByteArray();
    std::optional<ApiError> error;
    QJsonDocument document;
    if (status == 0) {
      // No HTTP answer at all. The transfer timeout aborts the reply, which Qt reports as
      // OperationCanceledError; we never abort a live request ourselves except when abandoning.
      const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError ||
                            reply->error() == QNetworkReply::TimeoutError;
      error = timedOut ? ApiError::timeout(timeoutMs) : ApiError::network(reply->errorString());
    } else if (status >= 400) {
      error = ApiError::fromHttp(status, reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(),
                                 body);
    } else if (status >= 300) {
      error = ApiError::badResponse(QStringLiteral("HTTP %1 redirect was not followed").arg(status));
    } else if (!body.trimmed().isEmpty()) {
      QJsonParseError parseError;
      document = QJsonDocument::fromJson(body, &parseError);
      if (parseError.error != QJsonParseError::NoError) {
        error = ApiError::badResponse(QStringLiteral("the body is not JSON (%1)").arg(parseError.errorString()));
      }
    }

    if (error) {
      error->operation = operation;
      // Only the first 401 for a token says the session ended; the rest were already in flight.
      if (error->kind == ApiError::Kind::Http && error->httpStatus == 401 && !sentToken.isEmpty() &&
          sentToken == token_) {
        token_.clear();
        emit sessionExpired();
      }
      emit requestFailed(*error);
    }
    if (hadContext && guard.isNull()) return;  // whoever asked has gone
    done(document, error ? &*error : nullptr);
  });
}

template <typename T>
void ApiClient::fetchObject(const Call& call, QObject* context, Callback<T> done) {
  const QString operation = operationOf(call.method, call.path);
  send(call, context, [this, operation, done](const QJsonDocument& document, const ApiError* error) {
    if (error) return done(*error);
    if (!document.isObject()) {
      ApiError shape = ApiError::badResponse(QStringLiteral("expected a JSON object"));
      shape.operation = operation;
      emit requestFailed(shape);
      return done(shape);
    }
    done(T::fromJson(document.object()));
  });
}

template <typename T>
void ApiClient::fetchItems(const Call& call, QObject* context, Callback<QList<T>> done) {
  const QString operation = operationOf(call.method, call.path);
  send(call, context, [this, operation, done](const QJsonDocument& document, const ApiError* error) {
    if (error) return done(*error);
    const QJsonValue items = document.object().value(u"items");
    if (!items.isArray()) {
      ApiError shape = ApiError::badResponse(QStringLiteral("expected {\"items\": [...]}"));
      shape.operation = operation;
      emit requestFailed(shape);
      return done(shape);
    }
    QList<T> out;
    for (const auto& item : items.toArray()) out.append(T::fromJson(item.toObject()));
    done(out);
  });
}

void ApiClient::fetchNothing(const Call& call, QObject* context, Callback<NoContent> done) {
  send(call, context, [done](const QJsonDocument&, const ApiError* error) {
    if (error) return done(*error);
    done(NoContent{});
  });
}

template <typename T>
void ApiClient::fetchPages(Call call, int pagesLeft, QList<T> gathered, QObject* context,
                           Callback<ListResult<T>> done) {
  call.query.removeAllQueryItems(QStringLiteral("limit"));
  call.query.addQueryItem(QStringLiteral("limit"), QString::number(kPageSize));
  const QString operation = operationOf(call.method, call.path);
  const QPointer<QObject> guard(context);
  send(call, context,
       [=, this](const QJsonDocument& document, const ApiError* error) mutable {
         if (error) return done(*error);
         const QJsonObject page = document.object();
         const QJsonValue items = page.value(u"items");
         if (!items.isArray()) {
           ApiError shape = ApiError::badResponse(QStringLiteral("expected {\"items\": [...], \"next_cursor\"}"));
           shape.operation = operation;
           emit requestFailed(shape);
           return done(shape);
         }
         for (const auto& item : items.toArray()) gathered.append(T::fromJson(item.toObject()));
         const QString cursor = page.value(u"next_cursor").toString();
         if (cursor.isEmpty()) return done(ListResult<T>{gathered, false});
         if (pagesLeft <= 1) return done(ListResult<T>{gathered, true});
         call.query.removeAllQueryItems(QStringLiteral("cursor"));
         addParam(call.query, QStringLiteral("cursor"), cursor);
         fetchPages<T>(call, pagesLeft - 1, std::move(gathered), guard.data(), done);
       });
}

// --- Session -------------------------------------------------------------------------------

void ApiClient::login(const QString& email, const QString& password, QObject* context, Callback<Session> done) {
  Call call{"POST", kLoginPath, {}, QJsonObject{{"email", email}, {"password", password}}, {}};
  fetchObject<Session>(call, context, [this, email, done](const ApiResult<Session>& result) {
    if (result.ok() && result.value().accessToken.isEmpty()) {
      ApiError shape = ApiError::badResponse(QStringLiteral("the login answer has no access_token"));
      shape.operation = QStringLiteral("POST ") + kLoginPath;
      emit requestFailed(shape);
      return done(shape);
    }
    if (result.ok()) {
      token_ = result.value().accessToken;
      email_ = email;
    }
    done(result);
  });
}

// --- Catalog -------------------------------------------------------------------------------

void ApiClient::listProducts(const ProductFilter& filter, QObject* context, Callback<ListResult<Product>> done) {
  Call call{"GET", "/api/v1/admin/products", {}, {}, {}};
  addParam(call.query, "query", filter.query);
  addParam(call.query, "category", filter.categoryId);
  fetchPages<Product>(call, kMaxPages, {}, context, std::move(done));
}

void ApiClient::listCategories(QObject* context, Callback<QList<Category>> done) {
  fetchItems<Category>({"GET", "/api/v1/categories", {}, {}, {}}, context, std::move(done));
}

void ApiClient::createProduct(const ProductDraft& draft, QObject* context, Callback<Product> done) {
  fetchObject<Product>({"POST", "/api/v1/admin/products", {}, draft.toCreateJson(), {}}, context, std::move(done));
}

void ApiClient::updateProduct(const QString& id, const ProductDraft& draft, QObject* context,
                              Callback<Product> done) {
  fetchObject<Product>({"PATCH", "/api/v1/admin/products/" + segment(id), {}, draft.toPatchJson(), {}}, context,
                       std::move(done));
}

void ApiClient::deactivateProduct(const QString& id, QObject* context, Callback<Product> done) {
  fetchObject<Product>({"POST", "/api/v1/admin/products/" + segment(id) + "/deactivate", {}, {}, {}}, context,
                       std::move(done));
}

// --- Inventory -----------------------------------------------------------------------------

void ApiClient::listStock(QObject* context, Callback<ListResult<StockLevel>> done) {
  fetchPages<StockLevel>({"GET", "/api/v1/admin/inventory", {}, {}, {}}, kMaxPages, {}, context, std::move(done));
}

void ApiClient::listLowStock(QObject* context, Callback<ListResult<StockLevel>> done) {
  fetchPages<StockLevel>({"GET", "/api/v1/admin/inventory/low-stock", {}, {}, {}}, kMaxPages, {}, context,
                         std::move(done));
}

void ApiClient::adjustStock(const QString& productId, const AdjustmentRequest& request, QObject* context,
                            Callback<AdjustmentResult> done) {
  Call call{"POST", "/api/v1/admin/inventory/" + segment(productId) + "/adjustments", {}, request.toJson(),
            request.idempotencyKey.toUtf8()};
  fetchObject<AdjustmentResult>(call, context, std::move(done));
}

void ApiClient::listAdjustments(const QString& productId, QObject* context, Callback<ListResult<Adjustment>> done) {
  // Newest first; one page is the history an operator reads, so no cursor is followed.
  Call call{"GET", "/api/v1/admin/inventory/" + segment(productId) + "/adjustments", {}, {}, {}};
  fetchPages<Adjustment>(call, 1, {}, context, std::move(done));
}

// --- Orders --------------------------------------------------------------------------------

void ApiClient::listOrders(const OrderFilter& filter, QObject* context, Callback<ListResult<Order>> done) {
  Call call{"GET", "/api/v1/admin/orders", {}, {}, {}};
  addParam(call.query, "status", filter.status);
  addParam(call.query, "customer_email", filter.customerEmail.trimmed());
  if (filter.createdAfter.isValid()) addParam(call.query, "created_after", toRfc3339(filter.createdAfter));
  if (filter.createdBefore.isValid()) addParam(call.query, "created_before", toRfc3339(filter.createdBefore));
  fetchPages<Order>(call, kMaxPages, {}, context, std::move(done));
}

void ApiClient::getOrder(const QString& id, QObject* context, Callback<Order> done) {
  fetchObject<Order>({"GET", "/api/v1/admin/orders/" + segment(id), {}, {}, {}}, context, std::move(done));
}

void ApiClient::cancelOrder(const QString& id, const QString& reason, QObject* context, Callback<Order> done) {
  fetchObject<Order>({"POST", "/api/v1/admin/orders/" + segment(id) + "/cancel", {}, QJsonObject{{"reason", reason}},
                      {}},
                     context, std::move(done));
}

void ApiClient::refundOrder(const QString& id, const RefundRequest& request, QObject* context,
                            Callback<Order> done) {
  fetchObject<Order>({"POST", "/api/v1/admin/orders/" + segment(id) + "/refund", {}, request.toJson(),
                      request.idempotencyKey.toUtf8()},
                     context, std::move(done));
}

// --- Shipments -----------------------------------------------------------------------------

void ApiClient::listShipments(const QString& status, QObject* context, Callback<ListResult<Shipment>> done) {
  Call call{"GET", "/api/v1/admin/shipments", {}, {}, {}};
  addParam(call.query, "status", status);
  fetchPages<Shipment>(call, kMaxPages, {}, context, std::move(done));
}

void ApiClient::advanceShipment(const QString& id, const QString& toStatus, QObject* context,
                                Callback<Shipment> done) {
  fetchObject<Shipment>({"POST", "/api/v1/admin/shipments/" + segment(id) + "/advance", {},
                         QJsonObject{{"to_status", toStatus}}, {}},
                        context, std::move(done));
}

// --- System --------------------------------------------------------------------------------

void ApiClient::systemHealth(QObject* context, Callback<SystemHealth> done) {
  fetchObject<SystemHealth>({"GET", "/api/v1/admin/system/health", {}, {}, {}}, context, std::move(done));
}

void ApiClient::listTopics(QObject* context, Callback<QList<Topic>> done) {
  fetchItems<Topic>({"GET", "/api/v1/admin/topics", {}, {}, {}}, context, std::move(done));
}

void ApiClient::listEvents(const QString& topic, int limit, QObject* context, Callback<QList<Event>> done) {
  Call call{"GET", "/api/v1/admin/events", {}, {}, {}};
  addParam(call.query, "topic", topic);
  addParam(call.query, "limit", QString::number(limit));
  fetchItems<Event>(call, context, std::move(done));
}

void ApiClient::listDeadLetters(int limit, QObject* context, Callback<QList<DeadLetter>> done) {
  Call call{"GET", "/api/v1/admin/dead-letters", {}, {}, {}};
  addParam(call.query, "limit", QString::number(limit));
  fetchItems<DeadLetter>(call, context, std::move(done));
}

namespace {
struct Replayed {
  QString topic;
  static Replayed fromJson(const QJsonObject& json) { return {json.value(u"replayed_to").toString()}; }
};
}  // namespace

void ApiClient::replayDeadLetter(int partition, qint64 offset, QObject* context, Callback<QString> done) {
  Call call{"POST", QStringLiteral("/api/v1/admin/dead-letters/%1/%2/replay").arg(partition).arg(offset), {}, {}, {}};
  fetchObject<Replayed>(call, context, [done](const ApiResult<Replayed>& result) {
    if (!result.ok()) return done(result.error());
    done(result.value().topic);
  });
}

void ApiClient::sales(const QString& granularity, QObject* context, Callback<SalesReport> done) {
  Call call{"GET", "/api/v1/admin/sales", {}, {}, {}};
  addParam(call.query, "granularity", granularity);
  fetchObject<SalesReport>(call, context, std::move(done));
}

// --- Resilience and the fault lab ----------------------------------------------------------

void ApiClient::observability(QObject* context, Callback<ObservabilityReport> done) {
  fetchObject<ObservabilityReport>({"GET", "/api/v1/admin/observability", {}, {}, {}}, context, std::move(done));
}

void ApiClient::resilience(QObject* context, Callback<ResilienceReport> done) {
  fetchObject<ResilienceReport>({"GET", "/api/v1/admin/resilience", {}, {}, {}}, context, std::move(done));
}

void ApiClient::listFaults(QObject* context, Callback<QList<Fault>> done) {
  fetchItems<Fault>({"GET", "/api/v1/admin/faults", {}, {}, {}}, context, std::move(done));
}

void ApiClient::setFault(const FaultRequest& request, QObject* context, Callback<Fault> done) {
  fetchObject<Fault>({"PUT", "/api/v1/admin/faults/" + segment(request.service) + u'/' + segment(request.method), {},
                      request.toJson(), {}},
                     context, std::move(done));
}

void ApiClient::clearFault(const QString& service, const QString& method, QObject* context,
                           Callback<NoContent> done) {
  fetchNothing({"DELETE", "/api/v1/admin/faults/" + segment(service) + u'/' + segment(method), {}, {}, {}}, context,
               std::move(done));
}

void ApiClient::clearAllFaults(QObject* context, Callback<NoContent> done) {
  fetchNothing({"DELETE", "/api/v1/admin/faults", {}, {}, {}}, context, std::move(done));
}

}  // namespace storefront::admin
