// The operator API over HTTP, asynchronously: every call returns at once and later hands its
// callback an ApiResult (the value, or an ApiError in words). Nothing here ever waits.
//
//   api.listOrders(filter, this, [this](const ApiResult<ListResult<Order>>& result) {
//     if (result.ok()) model_.setRows(result.value().items); else showError(result.error());
//   });
//
// Cross-cutting rules live here once, not in each page:
//   - every request carries a transfer timeout (QNetworkRequest::setTransferTimeout);
//   - the bearer token is kept in memory only (never in QSettings, never on disk);
//   - every failure is also emitted as requestFailed(), which the main window shows, so no error
//     is dropped even if the page that asked has gone;
//   - a 401 on an authenticated call emits sessionExpired() so the window can ask to sign in;
//   - list calls follow next_cursor up to a page limit and say when they stopped early.
// The callback runs exactly once while `context` lives (like QObject::connect's context
// argument), and never synchronously from inside the call that started the request.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonDocument>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <chrono>
#include <functional>
#include <optional>
#include <variant>

#include "core/api_error.h"
#include "core/dto.h"
#include "core/requests.h"

class QNetworkReply;

namespace storefront::admin {

template <typename T>
class ApiResult {
 public:
  ApiResult(T value) : state_(std::move(value)) {}            // NOLINT: implicit on purpose
  ApiResult(ApiError error) : state_(std::move(error)) {}     // NOLINT
  bool ok() const { return std::holds_alternative<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const ApiError& error() const { return std::get<ApiError>(state_); }

 private:
  std::variant<T, ApiError> state_;
};

template <typename T>
using Callback = std::function<void(const ApiResult<T>&)>;

// The value of a call whose success has no body (204 No Content).
struct NoContent {};

// A list as the gateway pages it, gathered into one.
template <typename T>
struct ListResult {
  QList<T> items;
  bool truncated = false;  // more pages existed than the client fetched
};

struct ProductFilter {
  QString query;
  QString categoryId;
};

struct OrderFilter {
  QString status;         // "" for any
  QString customerEmail;  // "" for any
  QDateTime createdAfter;   // invalid for no bound
  QDateTime createdBefore;  // invalid for no bound
};

class ApiClient : public QObject {
  Q_OBJECT

 public:
  static constexpr int kPageSize = 100;  // the gateway's maximum `limit`
  static constexpr int kMaxPages = 5;    // so a refresh never pulls more than 500 rows

  explicit ApiClient(QObject* parent = nullptr);
  ~ApiClient() override;

  void setBaseUrl(const QUrl& url);
  QUrl baseUrl() const { return baseUrl_; }
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  bool isSignedIn() const { return !token_.isEmpty(); }
  QString signedInEmail() const { return email_; }
  // Forgets the token and abandons requests in flight: their callbacks get a Cancelled error
  // (soon after, never from inside signOut), which is not emitted as requestFailed.
  void signOut();
  int requestsInFlight() const { return int(inFlight_.size()); }

  // POST /api/v1/auth/login; on success the token is kept for every later call.
  void login(const QString& email, const QString& password, QObject* context, Callback<Session> done);

  // Catalog
  void listProducts(const ProductFilter& filter, QObject* context, Callback<ListResult<Product>> done);
  void listCategories(QObject* context, Callback<QList<Category>> done);
  void createProduct(const ProductDraft& draft, QObject* context, Callback<Product> done);
  void updateProduct(const QString& id, const ProductDraft& draft, QObject* context, Callback<Product> done);
  void deactivateProduct(const QString& id, QObject* context, Callback<Product> done);

  // Inventory
  void listStock(QObject* context, Callback<ListResult<StockLevel>> done);
  void listLowStock(QObject* context, Callback<ListResult<StockLevel>> done);
  void adjustStock(const QString& productId, const AdjustmentRequest& request, QObject* context,
                   Callback<AdjustmentResult> done);
  void listAdjustments(const QString& productId, QObject* context, Callback<ListResult<Adjustment>> done);

  // Orders
  void listOrders(const OrderFilter& filter, QObject* context, Callback<ListResult<Order>> done);
  void getOrder(const QString& id, QObject* context, Callback<Order> done);
  void cancelOrder(const QString& id, const QString& reason, QObject* context, Callback<Order> done);
  void refundOrder(const QString& id, const RefundRequest& request, QObject* context, Callback<Order> done);

  // Shipments
  void listShipments(const QString& status, QObject* context, Callback<ListResult<Shipment>> done);
  void advanceShipment(const QString& id, const QString& toStatus, QObject* context, Callback<Shipment> done);

  // System
  void systemHealth(QObject* context, Callback<SystemHealth> done);
  void listTopics(QObject* context, Callback<QList<Topic>> done);
  void listEvents(const QString& topic, int limit, QObject* context, Callback<QList<Event>> done);
  void listDeadLetters(int limit, QObject* context, Callback<QList<DeadLetter>> done);
  // 202 {"replayed_to": topic}; the value is that topic.
  void replayDeadLetter(int partition, qint64 offset, QObject* context, Callback<QString> done);
  void sales(const QString& granularity, QObject* context, Callback<SalesReport> done);

  // Live figures, which the gateway reads from Prometheus: 503 when it has none configured
  // (ApiError::problem's "prometheus_url" is null) or cannot read it.
  void observability(QObject* context, Callback<ObservabilityReport> done);

  // Resilience and the fault lab
  void resilience(QObject* context, Callback<ResilienceReport> done);
  void listFaults(QObject* context, Callback<QList<Fault>> done);
  // PUT /admin/faults/{service}/{method}; the answer is the fault as the gateway recorded it.
  void setFault(const FaultRequest& request, QObject* context, Callback<Fault> done);
  void clearFault(const QString& service, const QString& method, QObject* context, Callback<NoContent> done);
  // DELETE /admin/faults: every fault in every service.
  void clearAllFaults(QObject* context, Callback<NoContent> done);

 signals:
  void requestFailed(const storefront::admin::ApiError& error);
  void sessionExpired();
  void busyChanged(bool busy);

 private:
  struct Call {
    QByteArray method;
    QString path;  // under the base URL, e.g. "/api/v1/admin/orders"
    QUrlQuery query;
    std::optional<QJsonObject> body;
    QByteArray idempotencyKey;
  };
  // Raw completion: the JSON document of a 2xx answer, or the error.
  using RawDone = std::function<void(const QJsonDocument& document, const ApiError* error)>;

  void send(const Call& call, QObject* context, RawDone done);
  void finish(QNetworkReply* reply, const QString& operation, const QPointer<QObject>& context,
              bool hadContext, const RawDone& done);

  // One JSON object -> T via T::fromJson.
  template <typename T>
  void fetchObject(const Call& call, QObject* context, Callback<T> done);
  // {"items": [...]} without paging.
  template <typename T>
  void fetchItems(const Call& call, QObject* context, Callback<QList<T>> done);
  // A 2xx whose body, if any, is ignored.
  void fetchNothing(const Call& call, QObject* context, Callback<NoContent> done);
  // {"items": [...], "next_cursor"} followed across pages.
  template <typename T>
  void fetchPages(Call call, int pagesLeft, QList<T> gathered, QObject* context, Callback<ListResult<T>> done);

  QNetworkAccessManager* network_;
  QUrl baseUrl_;
  std::chrono::milliseconds timeout_{std::chrono::seconds(10)};
  QString token_;  // in memory only
  QString email_;
  QSet<QNetworkReply*> inFlight_;
};

}  // namespace storefront::admin

Q_DECLARE_METATYPE(storefront::admin::ApiError)
