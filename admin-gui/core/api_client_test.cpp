// ApiClient over a real socket to FakeGateway: nothing blocks, so each test starts a call and
// lets QSignalSpy::wait() turn the event loop until the callback has run.
#include "core/api_client.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTcpServer>
#include <QSignalSpy>
#include <QTest>

#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::FakeGateway;

namespace {

// Signals that a callback ran; a template cannot have Q_OBJECT, so this base carries the signal.
class Arrival : public QObject {
  Q_OBJECT
 signals:
  void arrivedSignal();
};

// Collects a callback's result; arrived() turns the event loop until it is there.
template <typename T>
class Catch : public Arrival {
 public:
  std::optional<ApiResult<T>> result;
  Callback<T> callback() {
    return [this](const ApiResult<T>& r) {
      result = r;
      emit arrivedSignal();
    };
  }
  bool arrived(int timeoutMs = 5000) {
    if (result) return true;
    QSignalSpy spy(this, &Arrival::arrivedSignal);
    return spy.wait(timeoutMs);
  }
};

}  // namespace

class ApiClientTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<FakeGateway> gateway_;
  std::unique_ptr<ApiClient> api_;

  void signIn() {
    gateway_->on("POST", "/api/v1/auth/login", FakeGateway::json(200, testing::kLogin));
    Catch<Session> login;
    api_->login("op@storefront.local", "secret", &login, login.callback());
    QVERIFY(login.arrived());
    QVERIFY(login.result->ok());
  }

 private slots:
  void init() {
    gateway_ = std::make_unique<FakeGateway>();
    QVERIFY(gateway_->listen());
    api_ = std::make_unique<ApiClient>();
    api_->setBaseUrl(gateway_->url());
    api_->setTimeout(std::chrono::milliseconds(2000));
  }
  void cleanup() {
    api_.reset();
    gateway_.reset();
  }

  void loginKeepsTheTokenForLaterCalls() {
    signIn();
    QVERIFY(api_->isSignedIn());
    QCOMPARE(gateway_->lastRequest().headers.value("content-type"), QByteArray("application/json"));
    const QJsonObject body = QJsonDocument::fromJson(gateway_->lastRequest().body).object();
    QCOMPARE(body, (QJsonObject{{"email", "op@storefront.local"}, {"password", "secret"}}));
    QVERIFY(!gateway_->lastRequest().headers.contains("authorization"));

    gateway_->on("GET", "/api/v1/admin/system/health", FakeGateway::json(200, testing::kHealth));
    Catch<SystemHealth> health;
    api_->systemHealth(&health, health.callback());
    QVERIFY(health.arrived());
    QVERIFY(health.result->ok());
    QCOMPARE(health.result->value().components.size(), 3);
    QCOMPARE(gateway_->lastRequest().headers.value("authorization"), QByteArray("Bearer tok-123"));
  }

  void callsReturnAtOnceAndAnswerLater() {
    gateway_->on("GET", "/api/v1/admin/system/health", FakeGateway::json(200, testing::kHealth));
    Catch<SystemHealth> health;
    api_->systemHealth(&health, health.callback());
    QVERIFY(!health.result.has_value());  // nothing happened synchronously
    QCOMPARE(api_->requestsInFlight(), 1);
    QVERIFY(health.arrived());
    QCOMPARE(api_->requestsInFlight(), 0);
  }

  void listsFollowTheCursorAcrossPages() {
    signIn();
    gateway_->on("GET", "/api/v1/admin/products", FakeGateway::json(200, testing::kProductsPage1));
    gateway_->on("GET", "/api/v1/admin/products", FakeGateway::json(200, testing::kProductsPage2));
    Catch<ListResult<Product>> products;
    api_->listProducts({"lamp", "home"}, &products, products.callback());
    QVERIFY(products.arrived());
    QVERIFY(products.result->ok());
    QCOMPARE(products.result->value().items.size(), 3);
    QVERIFY(!products.result->value().truncated);
    const auto& requests = gateway_->requests();
    QCOMPARE(requests[requests.size() - 2].query.queryItemValue("query"), QStringLiteral("lamp"));
    QCOMPARE(requests[requests.size() - 2].query.queryItemValue("category"), QStringLiteral("home"));
    QCOMPARE(requests.last().query.queryItemValue("cursor"), QStringLiteral("c2"));
    QCOMPARE(requests.last().query.queryItemValue("limit"), QStringLiteral("100"));
  }

  void aListThatNeverEndsIsCutAndSaysSo() {
    gateway_->on("GET", "/api/v1/admin/inventory", FakeGateway::json(200, R"({"items": [
        {"product_id": "p1", "on_hand": 1}], "next_cursor": "again"})"));
    Catch<ListResult<StockLevel>> stock;
    api_->listStock(&stock, stock.callback());
    QVERIFY(stock.arrived());
    QVERIFY(stock.result->ok());
    QVERIFY(stock.result->value().truncated);
    QCOMPARE(gateway_->requests().size(), ApiClient::kMaxPages);
  }

  void aProblemBecomesAReadableErrorAndIsReportedOnce() {
    signIn();
    gateway_->on("POST", "/api/v1/admin/products", FakeGateway::problem(400, testing::kInvalidProductProblem));
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    Catch<Product> created;
    api_->createProduct(ProductDraft{"bad sku", "Lamp", "", {-1, "USD"}, "home", "", true}, &created,
                        created.callback());
    QVERIFY(created.arrived());
    QVERIFY(!created.result->ok());
    const ApiError& error = created.result->error();
    QCOMPARE(error.httpStatus, 400);
    QCOMPARE(error.operation, QStringLiteral("POST /api/v1/admin/products"));
    QVERIFY2(error.message().startsWith("Invalid request (sku: must be 3 to 32"), qPrintable(error.message()));
    QCOMPARE(failures.count(), 1);
    QCOMPARE(failures[0][0].value<ApiError>().message(), error.message());
  }

  void aConflictKeepsTheGatewaysWords() {
    signIn();
    gateway_->on("POST", "/api/v1/admin/orders/o1/cancel", FakeGateway::problem(409, testing::kConflictProblem));
    Catch<Order> cancelled;
    api_->cancelOrder("o1", "customer asked", &cancelled, cancelled.callback());
    QVERIFY(cancelled.arrived());
    QCOMPARE(cancelled.result->error().message(),
             QStringLiteral("Conflict: the order has shipped and can no longer be cancelled"));
    QCOMPARE(QJsonDocument::fromJson(gateway_->lastRequest().body).object()["reason"].toString(),
             QStringLiteral("customer asked"));
  }

  void a401EndsTheSessionOnce() {
    signIn();
    gateway_->on("GET", "/api/v1/admin/system/health",
                 FakeGateway::problem(401, R"({"title":"Unauthenticated","status":401,"detail":"token expired"})"));
    QSignalSpy expired(api_.get(), &ApiClient::sessionExpired);
    Catch<SystemHealth> first;
    Catch<SystemHealth> second;
    api_->systemHealth(&first, first.callback());
    api_->systemHealth(&second, second.callback());
    QVERIFY(first.arrived());
    QVERIFY(second.arrived());
    QCOMPARE(expired.count(), 1);
    QVERIFY(!api_->isSignedIn());
    QCOMPARE(first.result->error().message(), QStringLiteral("Unauthenticated: token expired"));
  }

  void wrongCredentialsAreNotAnExpiredSession() {
    gateway_->on("POST", "/api/v1/auth/login",
                 FakeGateway::problem(401, R"({"title":"Unauthenticated","status":401,"detail":"wrong email or password"})"));
    QSignalSpy expired(api_.get(), &ApiClient::sessionExpired);
    Catch<Session> login;
    api_->login("op@storefront.local", "nope", &login, login.callback());
    QVERIFY(login.arrived());
    QCOMPARE(login.result->error().message(), QStringLiteral("Unauthenticated: wrong email or password"));
    QCOMPARE(expired.count(), 0);
    QVERIFY(!api_->isSignedIn());
  }

  void aGatewayThatNeverAnswersTimesOut() {
    api_->setTimeout(std::chrono::milliseconds(300));
    FakeGateway::Response silence;
    silence.neverAnswer = true;
    gateway_->on("GET", "/api/v1/admin/orders", silence);
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    Catch<ListResult<Order>> orders;
    QElapsedTimer clock;
    clock.start();
    api_->listOrders({}, &orders, orders.callback());
    QVERIFY(orders.arrived(5000));
    QVERIFY(!orders.result->ok());
    QCOMPARE(orders.result->error().kind, ApiError::Kind::Timeout);
    QCOMPARE(orders.result->error().message(), QStringLiteral("The gateway did not answer: no response within 300 ms"));
    QCOMPARE(failures.count(), 1);
    QVERIFY(clock.elapsed() < 4000);
  }

  void aClosedPortIsANetworkError() {
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    api_->setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    Catch<SystemHealth> health;
    api_->systemHealth(&health, health.callback());
    QVERIFY(health.arrived());
    QCOMPARE(health.result->error().kind, ApiError::Kind::Network);
    QVERIFY2(health.result->error().message().startsWith("Cannot reach the gateway: "),
             qPrintable(health.result->error().message()));
  }

  void aBodyThatIsNotJsonIsSaidSo() {
    gateway_->on("GET", "/api/v1/admin/system/health", {200, "<html>hello</html>", "text/html", false});
    Catch<SystemHealth> health;
    api_->systemHealth(&health, health.callback());
    QVERIFY(health.arrived());
    QCOMPARE(health.result->error().kind, ApiError::Kind::BadResponse);
    QVERIFY(health.result->error().message().startsWith("Unexpected answer from the gateway: the body is not JSON"));
  }

  void aListWithoutItemsIsABadResponse() {
    gateway_->on("GET", "/api/v1/admin/shipments", FakeGateway::json(200, R"({"rows": []})"));
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    Catch<ListResult<Shipment>> shipments;
    api_->listShipments("", &shipments, shipments.callback());
    QVERIFY(shipments.arrived());
    QCOMPARE(shipments.result->error().kind, ApiError::Kind::BadResponse);
    QCOMPARE(failures.count(), 1);
  }

  void adjustmentsCarryTheirIdempotencyKey() {
    signIn();
    gateway_->on("POST", "/api/v1/admin/inventory/p1/adjustments", FakeGateway::json(201, testing::kAdjustmentResult));
    Catch<AdjustmentResult> adjusted;
    api_->adjustStock("p1", {5, "restock", "pallet 7", "key-1"}, &adjusted, adjusted.callback());
    QVERIFY(adjusted.arrived());
    QVERIFY(adjusted.result->ok());
    QCOMPARE(adjusted.result->value().level.onHand, 17);
    QCOMPARE(gateway_->lastRequest().headers.value("idempotency-key"), QByteArray("key-1"));
    QCOMPARE(QJsonDocument::fromJson(gateway_->lastRequest().body).object(),
             (QJsonObject{{"delta", 5}, {"reason", "restock"}, {"note", "pallet 7"}}));
  }

  void orderFiltersAreEncodedIntact() {
    gateway_->on("GET", "/api/v1/admin/orders", FakeGateway::json(200, R"({"items": [], "next_cursor": null})"));
    Catch<ListResult<Order>> orders;
    OrderFilter filter;
    filter.status = "confirmed";
    filter.customerEmail = "ada+shop@example.com";
    filter.createdAfter = QDateTime(QDate(2024, 5, 1), QTime(0, 0), Qt::UTC);
    api_->listOrders(filter, &orders, orders.callback());
    QVERIFY(orders.arrived());
    QVERIFY(orders.result->ok());
    const auto& request = gateway_->lastRequest();
    QVERIFY2(request.rawQuery.contains("customer_email=ada%2Bshop%40example.com"), request.rawQuery.constData());
    QCOMPARE(request.query.queryItemValue("status"), QStringLiteral("confirmed"));
    QCOMPARE(request.query.queryItemValue("created_after", QUrl::FullyDecoded), QStringLiteral("2024-05-01T00:00:00Z"));
    QVERIFY(!request.query.hasQueryItem("created_before"));
  }

  void replayAndShipmentAdvance() {
    gateway_->on("POST", "/api/v1/admin/dead-letters/1/7/replay", FakeGateway::json(202, R"({"replayed_to":"orders"})"));
    Catch<QString> replayed;
    api_->replayDeadLetter(1, 7, &replayed, replayed.callback());
    QVERIFY(replayed.arrived());
    QCOMPARE(replayed.result->value(), QStringLiteral("orders"));

    gateway_->on("POST", "/api/v1/admin/shipments/s1/advance", FakeGateway::json(200, testing::kShipment));
    Catch<Shipment> advanced;
    api_->advanceShipment("s1", "dispatched", &advanced, advanced.callback());
    QVERIFY(advanced.arrived());
    QCOMPARE(QJsonDocument::fromJson(gateway_->lastRequest().body).object()["to_status"].toString(),
             QStringLiteral("dispatched"));
  }

  void theResilienceReportArrivesWhole() {
    signIn();
    gateway_->on("GET", "/api/v1/admin/resilience", FakeGateway::json(200, testing::kResilience));
    Catch<ResilienceReport> report;
    api_->resilience(&report, report.callback());
    QVERIFY(report.arrived());
    QVERIFY(report.result->ok());
    QCOMPARE(report.result->value().upstreams.size(), 4);
    QCOMPARE(report.result->value().faults.size(), 1);
    QCOMPARE(gateway_->lastRequest().headers.value("authorization"), QByteArray("Bearer tok-123"));
  }

  void liveFiguresArriveWholeAndTheir503KeepsWhy() {
    signIn();
    gateway_->on("GET", "/api/v1/admin/observability", FakeGateway::json(200, testing::kObservability));
    gateway_->on("GET", "/api/v1/admin/observability", FakeGateway::problem(503, testing::kPrometheusNotConfigured));
    Catch<ObservabilityReport> report;
    api_->observability(&report, report.callback());
    QVERIFY(report.arrived());
    QVERIFY(report.result->ok());
    QCOMPARE(report.result->value().services.size(), 3);
    QCOMPARE(report.result->value().deadLetters.size(), 2);

    QSignalSpy failed(api_.get(), &ApiClient::requestFailed);
    Catch<ObservabilityReport> unavailable;
    api_->observability(&unavailable, unavailable.callback());
    QVERIFY(unavailable.arrived());
    QVERIFY(!unavailable.result->ok());
    const ApiError& error = unavailable.result->error();
    QCOMPARE(error.httpStatus, 503);
    QVERIFY(error.problem.contains(u"prometheus_url"));
    QVERIFY(error.problem.value(u"prometheus_url").isNull());
    QCOMPARE(failed.count(), 1);  // reported like every failure
  }

  void aFaultIsPutWithItsNumbersAndStarStaysAStar() {
    signIn();
    gateway_->on("PUT", "/api/v1/admin/faults/payments/Authorize", FakeGateway::json(200, testing::kFault));
    Catch<Fault> set;
    api_->setFault({"payments", "Authorize", 500, 0, 0}, &set, set.callback());
    QVERIFY(set.arrived());
    QVERIFY(set.result->ok());
    QCOMPARE(set.result->value().setBy, QStringLiteral("operator@storefront.local"));
    QCOMPARE(gateway_->lastRequest().method, QByteArray("PUT"));
    QCOMPARE(gateway_->lastRequest().headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(QJsonDocument::fromJson(gateway_->lastRequest().body).object(),
             (QJsonObject{{"latency_ms", 500}, {"error_percent", 0}, {"abort_percent", 0}}));

    // The gateway matches path parameters without decoding them, so '*' must not become %2A.
    gateway_->on("PUT", "/api/v1/admin/faults/inventory/*", FakeGateway::json(200, testing::kFault));
    Catch<Fault> every;
    api_->setFault({"inventory", "*", 0, 20, 5}, &every, every.callback());
    QVERIFY(every.arrived());
    QVERIFY(every.result->ok());
    QCOMPARE(gateway_->lastRequest().rawPath, QByteArray("/api/v1/admin/faults/inventory/*"));
  }

  void anUnknownMethodIsTheGatewaysWords() {
    signIn();
    gateway_->on("PUT", "/api/v1/admin/faults/payments/Authorise",
                 FakeGateway::problem(400, testing::kInvalidFaultProblem));
    Catch<Fault> set;
    api_->setFault({"payments", "Authorise", 500, 0, 0}, &set, set.callback());
    QVERIFY(set.arrived());
    QCOMPARE(set.result->error().message(), QStringLiteral("Invalid request (method: payments has no RPC named Authorise)"));
    QCOMPARE(set.result->error().detailFor("method"), QStringLiteral("payments has no RPC named Authorise"));
  }

  void clearingAFaultAndAllOfThemIsA204() {
    signIn();
    gateway_->on("DELETE", "/api/v1/admin/faults/payments/*", FakeGateway::noContent());
    gateway_->on("DELETE", "/api/v1/admin/faults", FakeGateway::noContent());
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    Catch<NoContent> one;
    api_->clearFault("payments", "*", &one, one.callback());
    QVERIFY(one.arrived());
    QVERIFY(one.result->ok());
    QCOMPARE(gateway_->lastRequest().method, QByteArray("DELETE"));
    QCOMPARE(gateway_->lastRequest().rawPath, QByteArray("/api/v1/admin/faults/payments/*"));
    QVERIFY(gateway_->lastRequest().body.isEmpty());

    Catch<NoContent> all;
    api_->clearAllFaults(&all, all.callback());
    QVERIFY(all.arrived());
    QVERIFY(all.result->ok());
    QCOMPARE(gateway_->lastRequest().path, QStringLiteral("/api/v1/admin/faults"));
    QCOMPARE(failures.count(), 0);

    gateway_->on("DELETE", "/api/v1/admin/faults/billing/*",
                 FakeGateway::problem(404, R"({"title":"Not found","status":404,"detail":"no service named billing"})"));
    Catch<NoContent> unknown;
    api_->clearFault("billing", "*", &unknown, unknown.callback());
    QVERIFY(unknown.arrived());
    QCOMPARE(unknown.result->error().message(), QStringLiteral("Not found: no service named billing"));
    QCOMPARE(failures.count(), 1);
  }

  void noCallbackOnceTheAskerIsGoneButTheErrorIsStillReported() {
    api_->setTimeout(std::chrono::milliseconds(200));
    FakeGateway::Response silence;
    silence.neverAnswer = true;
    gateway_->on("GET", "/api/v1/admin/system/health", silence);
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    bool called = false;
    {
      QObject page;
      api_->systemHealth(&page, [&called](const ApiResult<SystemHealth>&) { called = true; });
    }
    QVERIFY(failures.wait(5000));
    QVERIFY(!called);
  }

  void signingOutCancelsRequestsInFlightWithoutReportingThem() {
    signIn();
    FakeGateway::Response silence;
    silence.neverAnswer = true;
    gateway_->on("GET", "/api/v1/admin/system/health", silence);
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    QSignalSpy busy(api_.get(), &ApiClient::busyChanged);
    Catch<SystemHealth> health;
    api_->systemHealth(&health, health.callback());
    QSignalSpy received(gateway_.get(), &FakeGateway::requestReceived);
    QVERIFY(received.wait());
    api_->signOut();
    QVERIFY(!health.result.has_value());  // not from inside signOut()
    QVERIFY(health.arrived());
    QCOMPARE(health.result->error().kind, ApiError::Kind::Cancelled);
    QVERIFY(!api_->isSignedIn());
    QCOMPARE(api_->requestsInFlight(), 0);
    QCOMPARE(failures.count(), 0);
    QCOMPARE(busy.last()[0].toBool(), false);
  }
};

ADMIN_TEST(ApiClientTest);

}  // namespace storefront::admin

#include "api_client_test.moc"
