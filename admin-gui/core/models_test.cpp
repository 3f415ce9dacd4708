// The table models under QAbstractItemModelTester, which checks every signal and index the
// model produces against Qt's model rules while the test changes it.
#include <QAbstractItemModelTester>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QTest>

#include "core/adjustments_model.h"
#include "core/dead_letters_model.h"
#include "core/events_model.h"
#include "core/faults_model.h"
#include "core/health_model.h"
#include "core/observability_model.h"
#include "core/orders_model.h"
#include "core/product_filter_model.h"
#include "core/products_model.h"
#include "core/resilience_model.h"
#include "core/shipments_model.h"
#include "core/stock_model.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::objectOf;

namespace {

Product product(const QString& id, const QString& sku, const QString& name, qint64 price, const QString& category,
                bool active = true) {
  Product p;
  p.id = id;
  p.sku = sku;
  p.name = name;
  p.price = {price, "USD"};
  p.categoryId = category;
  p.active = active;
  return p;
}

QStringList skusOf(const ProductsModel& model) {
  QStringList skus;
  for (const auto& p : model.rows()) skus << p.sku;
  return skus;
}

template <typename T>
QList<T> itemsOf(const QByteArray& json) {
  QList<T> out;
  for (const auto& item : objectOf(json)["items"].toArray()) out << T::fromJson(item.toObject());
  return out;
}

}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT

 private slots:
  void refreshesKeepRowsInPlaceAndFollowMoves() {
    ProductsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.setRows({product("a", "A-1", "Alpha", 100, "x"), product("b", "B-1", "Beta", 200, "x"),
                   product("c", "C-1", "Gamma", 300, "y")});
    QCOMPARE(skusOf(model), (QStringList{"A-1", "B-1", "C-1"}));
    const QPersistentModelIndex alpha = model.index(0, ProductsModel::Name);

    // c moves to the top, b goes, d arrives, a's name changes.
    model.setRows({product("c", "C-1", "Gamma", 300, "y"), product("a", "A-1", "Alpha v2", 100, "x"),
                   product("d", "D-1", "Delta", 50, "y")});
    QCOMPARE(skusOf(model), (QStringList{"C-1", "A-1", "D-1"}));
    QVERIFY(alpha.isValid());  // a selection on "a" survives the refresh
    QCOMPARE(alpha.row(), 1);
    QCOMPARE(alpha.data().toString(), QStringLiteral("Alpha v2"));

    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!alpha.isValid());
    model.setRows({product("e", "E-1", "Epsilon", 1, "z")});
    QCOMPARE(skusOf(model), QStringList{"E-1"});
    QCOMPARE(resets.count(), 0);  // never a reset: views keep their state
  }

  void upsertReplacesByKeyOrAppends() {
    ProductsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({product("a", "A-1", "Alpha", 100, "x")});
    model.upsert(product("a", "A-1", "Alpha", 100, "x", false));
    model.upsert(product("b", "B-1", "Beta", 100, "x"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ProductsModel::Status).data().toString(), QStringLiteral("inactive"));
    QCOMPARE(model.index(0, 0).data(ToneRole).toInt(), int(Tone::Muted));
  }

  void productsShowMoneyAndSortByMinorUnits() {
    ProductsModel model;
    ProductFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({product("a", "A-1", "Ten", 1000, "x"), product("b", "B-1", "Nine", 900, "x"),
                   product("c", "C-1", "Hundred", 10000, "y")});
    QCOMPARE(model.index(0, ProductsModel::Price).data().toString(), QStringLiteral("$10.00"));
    proxy.sort(ProductsModel::Price, Qt::AscendingOrder);
    // As text "$10.00" < "$100.00" < "$9.00"; by minor units 9 < 10 < 100.
    QCOMPARE(proxy.index(0, ProductsModel::Name).data().toString(), QStringLiteral("Nine"));
    QCOMPARE(proxy.index(2, ProductsModel::Name).data().toString(), QStringLiteral("Hundred"));
  }

  void productFilterByTextCategoryAndActive() {
    ProductsModel model;
    ProductFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(itemsOf<Product>(testing::kProductsPage1) + itemsOf<Product>(testing::kProductsPage2));
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setText("aud-");  // SKU, case-insensitive
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setShowInactive(false);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, ProductsModel::Name).data().toString(), QStringLiteral("Speaker"));
    proxy.setText("");
    proxy.setShowInactive(true);
    proxy.setCategory("home");
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setCategory("");
    proxy.setText("lamp");  // name
    QCOMPARE(proxy.rowCount(), 1);
  }

  void stockShowsLabelsAndLowState() {
    StockModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({StockLevel::fromJson(objectOf(testing::kStockLevel))});
    QCOMPARE(model.index(0, StockModel::Product).data().toString(), QStringLiteral("p1"));
    model.setProductLabels({{"p1", "HOM-LP-0001 — Desk lamp"}});
    QCOMPARE(model.index(0, StockModel::Product).data().toString(), QStringLiteral("HOM-LP-0001 — Desk lamp"));
    QCOMPARE(model.index(0, StockModel::Available).data().toLongLong(), 9);
    QCOMPARE(model.index(0, StockModel::State).data().toString(), QStringLiteral("low"));
    QCOMPARE(model.index(0, 0).data(ToneRole).toInt(), int(Tone::Warning));
  }

  void adjustmentsShowSignedChanges() {
    AdjustmentsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Adjustment a = AdjustmentResult::fromJson(objectOf(testing::kAdjustmentResult)).adjustment;
    Adjustment b = a;
    b.id = "a2";
    b.delta = -2;
    model.setRows({b, a});
    QCOMPARE(model.index(0, AdjustmentsModel::Change).data().toString(), QStringLiteral("-2"));
    QCOMPARE(model.index(1, AdjustmentsModel::Change).data().toString(), QStringLiteral("+5"));
  }

  void ordersShowCustomerStatusAndTotal() {
    OrdersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Order failed = Order::fromJson(objectOf(testing::kOrder));
    failed.orderId = "f0000000-0000";
    failed.status = "failed";
    failed.failure = "payment_declined";
    model.setRows({Order::fromJson(objectOf(testing::kOrder)), failed});
    QCOMPARE(model.columnCount(), 6);
    QCOMPARE(model.index(0, OrdersModel::Id).data().toString(), QStringLiteral("9b1d0c7e"));
    QCOMPARE(model.index(0, OrdersModel::Customer).data().toString(), QStringLiteral("ada@example.com"));
    QCOMPARE(model.index(0, OrdersModel::Items).data().toInt(), 2);
    QCOMPARE(model.index(0, OrdersModel::Total).data().toString(), QStringLiteral("$104.98"));
    QCOMPARE(model.index(0, OrdersModel::Total).data(SortRole).toLongLong(), 10498);
    QCOMPARE(model.index(1, OrdersModel::Status).data().toString(), QStringLiteral("failed (payment_declined)"));
    QCOMPARE(model.index(1, OrdersModel::Status).data(ToneRole).toInt(), int(Tone::Bad));
  }

  void shipmentsEventsDeadLettersAndHealth() {
    ShipmentsModel shipments;
    QAbstractItemModelTester t1(&shipments, QAbstractItemModelTester::FailureReportingMode::QtTest);
    shipments.setRows({Shipment::fromJson(objectOf(testing::kShipment))});
    QCOMPARE(shipments.index(0, ShipmentsModel::Carrier).data().toString(), QStringLiteral("DHL express"));
    QCOMPARE(shipments.index(0, ShipmentsModel::Dispatched).data().toString(), QString());

    EventsModel events;
    QAbstractItemModelTester t2(&events, QAbstractItemModelTester::FailureReportingMode::QtTest);
    events.setRows(itemsOf<Event>(testing::kEvents));
    QCOMPARE(events.index(0, EventsModel::Type).data().toString(), QStringLiteral("order.confirmed"));
    QCOMPARE(events.index(0, EventsModel::Position).data().toString(), QStringLiteral("0:42"));
    QVERIFY(events.index(0, 0).data(Qt::ToolTipRole).toString().contains("order_id"));

    DeadLettersModel dead;
    QAbstractItemModelTester t3(&dead, QAbstractItemModelTester::FailureReportingMode::QtTest);
    dead.setRows(itemsOf<DeadLetter>(testing::kDeadLetters));
    QCOMPARE(dead.index(0, DeadLettersModel::Error).data().toString(), QStringLiteral("payload is not valid JSON"));
    QCOMPARE(dead.index(0, 0).data(KeyRole).toString(), QStringLiteral("1/7"));

    HealthModel health;
    QAbstractItemModelTester t4(&health, QAbstractItemModelTester::FailureReportingMode::QtTest);
    health.setRows(SystemHealth::fromJson(objectOf(testing::kHealth)).components);
    QCOMPARE(health.rowCount(), 3);
    QCOMPARE(health.index(2, HealthModel::Status).data(ToneRole).toInt(), int(Tone::Bad));
    QCOMPARE(health.index(0, HealthModel::Status).data(ToneRole).toInt(), int(Tone::Good));
  }

  void healthShowsTheBreakerInWordsAndTone() {
    HealthModel health;
    QAbstractItemModelTester tester(&health, QAbstractItemModelTester::FailureReportingMode::QtTest);
    health.setRows(SystemHealth::fromJson(objectOf(testing::kHealthWithBreakers)).components);
    QCOMPARE(health.index(0, HealthModel::Breaker).data().toString(), QStringLiteral("closed"));
    QCOMPARE(health.index(0, HealthModel::Breaker).data(ToneRole).toInt(), int(Tone::Neutral));
    QCOMPARE(health.index(1, HealthModel::Breaker).data().toString(), QStringLiteral("open"));
    QCOMPARE(health.index(1, HealthModel::Breaker).data(ToneRole).toInt(), int(Tone::Bad));
    QCOMPARE(health.index(2, HealthModel::Breaker).data().toString(), QStringLiteral("half-open"));
    QCOMPARE(health.index(2, HealthModel::Breaker).data(ToneRole).toInt(), int(Tone::Warning));
    QCOMPARE(health.index(3, HealthModel::Breaker).data().toString(), QString());
    QCOMPARE(health.index(3, HealthModel::Detail).data().toString(), QString());
  }

  void resilienceRowsPerCallerAndUpstream() {
    ResilienceModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const ResilienceReport report = ResilienceReport::fromJson(objectOf(testing::kResilience));
    model.setRows(report.upstreams);
    QCOMPARE(model.rowCount(), 4);
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    auto tone = [&](int row, int column) { return Tone(model.index(row, column).data(ToneRole).toInt()); };

    // Open: red, and said in words with when it probes again.
    QCOMPARE(text(0, ResilienceModel::Caller), QStringLiteral("gateway"));
    QCOMPARE(text(0, ResilienceModel::Upstream), QStringLiteral("payments"));
    QCOMPARE(text(0, ResilienceModel::Breaker), QStringLiteral("open"));
    QCOMPARE(tone(0, ResilienceModel::Breaker), Tone::Bad);
    QCOMPARE(text(0, ResilienceModel::WindowCalls), QStringLiteral("12"));
    QCOMPARE(text(0, ResilienceModel::WindowFailures), QStringLiteral("9"));
    QCOMPARE(text(0, ResilienceModel::BreakerRejected), QStringLiteral("31"));
    QCOMPARE(text(0, ResilienceModel::InFlight), QStringLiteral("0 / 64"));
    QCOMPARE(text(0, ResilienceModel::Detail), QStringLiteral("fails fast; probe in 12 s"));

    // Closed: normal; a full bulkhead and its refusals are amber.
    QCOMPARE(text(1, ResilienceModel::Breaker), QStringLiteral("closed"));
    QCOMPARE(tone(1, ResilienceModel::Breaker), Tone::Neutral);
    QCOMPARE(text(1, ResilienceModel::InFlight), QStringLiteral("64 / 64"));
    QCOMPARE(model.index(1, ResilienceModel::InFlight).data(SortRole).toLongLong(), 64);
    QCOMPARE(tone(1, ResilienceModel::InFlight), Tone::Warning);
    QCOMPARE(tone(1, ResilienceModel::BulkheadRejected), Tone::Warning);
    QCOMPARE(tone(0, ResilienceModel::BulkheadRejected), Tone::Neutral);

    // Half-open: amber; no bulkhead reported leaves its cells empty rather than claiming 0.
    QCOMPARE(text(2, ResilienceModel::Breaker), QStringLiteral("half-open"));
    QCOMPARE(tone(2, ResilienceModel::Breaker), Tone::Warning);
    QCOMPARE(text(2, ResilienceModel::InFlight), QString());
    QVERIFY(!model.index(2, ResilienceModel::BulkheadRejected).data().isValid());

    // A caller that did not answer shows its error.
    QCOMPARE(text(3, ResilienceModel::Caller), QStringLiteral("checkout"));
    QCOMPARE(text(3, ResilienceModel::Breaker), QStringLiteral("no answer"));
    QCOMPARE(tone(3, ResilienceModel::Breaker), Tone::Bad);
    QCOMPARE(text(3, ResilienceModel::Detail), QStringLiteral("no answer within 2000 ms"));
    QVERIFY(!model.index(3, ResilienceModel::WindowCalls).data().isValid());

    // A refresh where payments closed again updates the row in place.
    ResilienceReport later = report;
    later.upstreams[0].breaker->state = "closed";
    model.setRows(later.upstreams);
    QCOMPARE(text(0, ResilienceModel::Breaker), QStringLiteral("closed"));
    QCOMPARE(text(0, ResilienceModel::Detail), QString());
  }

  void theHeadlineCountsWhatTheTablesShow() {
    const ResilienceReport report = ResilienceReport::fromJson(objectOf(testing::kResilience));
    QCOMPARE(resilienceHeadline(report),
             QStringLiteral("Breakers: 1 open, 1 half-open, 1 closed · no answer from checkout · bulkheads refused 5 · "
                            "3 retried attempts · 9 requests rate-limited"));
    QCOMPARE(resilienceTone(report), Tone::Bad);
    QCOMPARE(faultsLine(report.faults), QStringLiteral("Faults on: payments/* 50 % errors"));

    ResilienceReport calm = report;
    calm.upstreams.removeLast();  // checkout answers
    calm.upstreams[0].breaker->state = "closed";
    QCOMPARE(resilienceTone(calm), Tone::Warning);  // inventory still half-open
    calm.upstreams[2].breaker->state = "closed";
    QCOMPARE(resilienceTone(calm), Tone::Neutral);

    const ResilienceReport empty = ResilienceReport::fromJson(QJsonObject{});
    QCOMPARE(resilienceHeadline(empty), QStringLiteral("Breakers: none reported · bulkheads refused 0 · "
                                                       "0 retried attempts · 0 requests rate-limited"));
    QCOMPARE(faultsLine(empty.faults), QStringLiteral("No faults switched on"));
  }

  void liveFiguresPerServiceWithItsOutbox() {
    ServiceFiguresModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const ObservabilityReport report = ObservabilityReport::fromJson(objectOf(testing::kObservability));
    model.setRows(serviceRows(report));
    QCOMPARE(model.rowCount(), 4);  // the three services, then checkout, which only the outbox names
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    auto tone = [&](int row, int column) { return Tone(model.index(row, column).data(ToneRole).toInt()); };

    QCOMPARE(text(0, ServiceFiguresModel::Service), QStringLiteral("gateway"));
    QCOMPARE(text(0, ServiceFiguresModel::Up), QStringLiteral("1/1"));
    QCOMPARE(text(0, ServiceFiguresModel::Rate), QStringLiteral("42.4"));
    QCOMPARE(text(0, ServiceFiguresModel::Errors), QStringLiteral("0.25 %"));
    QCOMPARE(tone(0, ServiceFiguresModel::Errors), Tone::Neutral);
    QCOMPARE(text(0, ServiceFiguresModel::P99), QStringLiteral("18 ms"));
    QCOMPARE(text(0, ServiceFiguresModel::Outbox), QStringLiteral("—"));

    // payments: one replica of two up (amber), 6 % errors (red), p99 over a second (amber).
    QCOMPARE(text(1, ServiceFiguresModel::Up), QStringLiteral("1/2"));
    QCOMPARE(tone(1, ServiceFiguresModel::Up), Tone::Warning);
    QCOMPARE(text(1, ServiceFiguresModel::Errors), QStringLiteral("6.00 %"));
    QCOMPARE(tone(1, ServiceFiguresModel::Errors), Tone::Bad);
    QCOMPARE(text(1, ServiceFiguresModel::P99), QStringLiteral("1.20 s"));
    QCOMPARE(tone(1, ServiceFiguresModel::P99), Tone::Warning);
    QCOMPARE(text(1, ServiceFiguresModel::Outbox), QStringLiteral("0"));
    QCOMPARE(text(1, ServiceFiguresModel::OutboxAge), QStringLiteral("0 s"));

    // shipping had no requests: a rate of 0, and no ratio or p99 (a dash, never "0 %").
    QCOMPARE(text(2, ServiceFiguresModel::Rate), QStringLiteral("0"));
    QCOMPARE(model.index(2, ServiceFiguresModel::Rate).data(SortRole).toDouble(), 0.0);
    QCOMPARE(text(2, ServiceFiguresModel::Errors), QStringLiteral("—"));
    QVERIFY(!model.index(2, ServiceFiguresModel::Errors).data(SortRole).isValid());
    QCOMPARE(text(2, ServiceFiguresModel::P99), QStringLiteral("—"));

    // checkout's outbox holds a row 75 s old: red.
    QCOMPARE(text(3, ServiceFiguresModel::Service), QStringLiteral("checkout"));
    QCOMPARE(text(3, ServiceFiguresModel::Up), QStringLiteral("—"));
    QCOMPARE(text(3, ServiceFiguresModel::Outbox), QStringLiteral("12"));
    QCOMPARE(text(3, ServiceFiguresModel::OutboxAge), QStringLiteral("1 min 15 s"));
    QCOMPARE(tone(3, ServiceFiguresModel::OutboxAge), Tone::Bad);

    // The next refresh, with payments healthy again, updates its row in place.
    ObservabilityReport later = report;
    later.services[1].errorRatio = 0;
    later.services[1].instancesUp = 2;
    model.setRows(serviceRows(later));
    QCOMPARE(text(1, ServiceFiguresModel::Errors), QStringLiteral("0 %"));
    QCOMPARE(tone(1, ServiceFiguresModel::Up), Tone::Neutral);
  }

  void consumersWithTheirLagAndDeadLetters() {
    TopicFiguresModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const ObservabilityReport report = ObservabilityReport::fromJson(objectOf(testing::kObservability));
    model.setRows(topicRows(report));
    QCOMPARE(model.rowCount(), 3);
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    auto tone = [&](int row, int column) { return Tone(model.index(row, column).data(ToneRole).toInt()); };
    QCOMPARE(text(0, TopicFiguresModel::Service), QStringLiteral("shipping"));
    QCOMPARE(text(0, TopicFiguresModel::Topic), QStringLiteral("checkout.v1"));  // "storefront." said once
    QCOMPARE(model.index(0, TopicFiguresModel::Topic).data(Qt::ToolTipRole).toString(),
             QStringLiteral("storefront.checkout.v1"));
    QCOMPARE(text(0, TopicFiguresModel::Lag), QStringLiteral("150"));
    QCOMPARE(tone(0, TopicFiguresModel::Lag), Tone::Warning);
    QCOMPARE(text(0, TopicFiguresModel::DeadLetters), QStringLiteral("—"));
    // payments: caught up, but it dead-lettered one event in the last hour.
    QCOMPARE(text(1, TopicFiguresModel::Lag), QStringLiteral("0"));
    QCOMPARE(text(1, TopicFiguresModel::DeadLetters), QStringLiteral("3"));
    QCOMPARE(tone(1, TopicFiguresModel::DeadLetters), Tone::Warning);
    QCOMPARE(text(1, TopicFiguresModel::LastHour), QStringLiteral("1"));
    QCOMPARE(tone(1, TopicFiguresModel::LastHour), Tone::Bad);
    // inventory: only dead letters, none lately.
    QCOMPARE(text(2, TopicFiguresModel::Service), QStringLiteral("inventory"));
    QCOMPARE(text(2, TopicFiguresModel::Lag), QStringLiteral("—"));
    QCOMPARE(text(2, TopicFiguresModel::LastHour), QStringLiteral("0"));
    QCOMPARE(tone(2, TopicFiguresModel::LastHour), Tone::Neutral);
  }

  void figuresInWords() {
    QCOMPARE(formatRate(std::nullopt), QStringLiteral("—"));
    QCOMPARE(formatRate(0.004), QStringLiteral("<0.01"));
    QCOMPARE(formatRate(2.5), QStringLiteral("2.50"));
    QCOMPARE(formatRate(1234.4), QStringLiteral("1234"));
    QCOMPARE(formatRatio(0.00001), QStringLiteral("<0.01 %"));
    QCOMPARE(formatRatio(0.5), QStringLiteral("50.0 %"));
    QCOMPARE(formatSeconds(0.00085), QStringLiteral("850 µs"));
    QCOMPARE(formatSeconds(0.0042), QStringLiteral("4.2 ms"));
    QCOMPARE(formatSeconds(2.5), QStringLiteral("2.50 s"));
    QCOMPARE(formatAge(59.4), QStringLiteral("59 s"));
    QCOMPARE(formatAge(7500), QStringLiteral("2 h 5 min"));
    QCOMPARE(formatAge(std::nullopt), QStringLiteral("—"));
  }

  void theFiguresHeadlineAndWhyThereAreNone() {
    const ObservabilityReport report = ObservabilityReport::fromJson(objectOf(testing::kObservability));
    const QString readAt = report.readAt.toLocalTime().toString("HH:mm:ss");
    QCOMPARE(figuresHeadline(report),
             QStringLiteral("Sagas 30.0/min completed, 12.0/min failed · errors over 1 %: payments · payments 1/2 up · "
                            "dead letters in the last hour: 1"));
    QCOMPARE(figuresSource(report), QStringLiteral("Live figures from http://127.0.0.1:9090, last minute to ") + readAt);
    QCOMPARE(figuresTone(report), Tone::Bad);
    const ObservabilityReport nothing = ObservabilityReport::fromJson(QJsonObject{{"prometheus_url", "http://p:9090"}});
    QCOMPARE(figuresHeadline(nothing), QStringLiteral("Sagas: no figures yet · dead letters in the last hour: 0"));
    QCOMPARE(figuresSource(nothing), QStringLiteral("Live figures from http://p:9090, last minute"));
    QCOMPARE(figuresTone(nothing), Tone::Neutral);

    // Not configured is a setting to make (amber); a Prometheus that does not answer is red.
    const ApiError notConfigured = ApiError::fromHttp(503, "Service Unavailable", testing::kPrometheusNotConfigured);
    QVERIFY(isPrometheusNotConfigured(notConfigured));
    QCOMPARE(figuresErrorText(notConfigured),
             QStringLiteral("Prometheus is not configured: set PROMETHEUS_URL on the gateway to show the store's figures"));
    QCOMPARE(figuresErrorTone(notConfigured), Tone::Warning);
    const ApiError unreachable = ApiError::fromHttp(503, "Service Unavailable", testing::kPrometheusUnreachable);
    QVERIFY(!isPrometheusNotConfigured(unreachable));
    QCOMPARE(figuresErrorText(unreachable),
             QStringLiteral("Live figures unavailable: Prometheus at http://127.0.0.1:9090 did not answer within 1500 ms"));
    QCOMPARE(figuresErrorTone(unreachable), Tone::Bad);
    // Any other failure (the gateway down, its console busy) is red and in its own words.
    const ApiError down = ApiError::network("Connection refused");
    QVERIFY(!isPrometheusNotConfigured(down));
    QCOMPARE(figuresErrorText(down), QStringLiteral("Live figures unavailable: Connection refused"));
  }

  void retriesAndRateLimits() {
    const ResilienceReport report = ResilienceReport::fromJson(objectOf(testing::kResilience));
    RetriesModel retries;
    QAbstractItemModelTester t1(&retries, QAbstractItemModelTester::FailureReportingMode::QtTest);
    retries.setRows(report.retries);
    QCOMPARE(retries.rowCount(), 2);
    QCOMPARE(retries.index(0, RetriesModel::Method).data().toString(), QStringLiteral("Authorize"));
    QCOMPARE(retries.index(0, RetriesModel::Retried).data().toLongLong(), 3);

    // login and checkout as listed; "default" is only among the refusals, so it comes last.
    const QList<RateLimitRow> rows = rateLimitRows(report);
    QCOMPARE(rows.size(), 3);
    RateLimitsModel limits;
    QAbstractItemModelTester t2(&limits, QAbstractItemModelTester::FailureReportingMode::QtTest);
    limits.setRows(rows);
    QCOMPARE(limits.index(0, RateLimitsModel::Policy).data().toString(), QStringLiteral("login"));
    QCOMPARE(limits.index(0, RateLimitsModel::Limit).data().toString(), QStringLiteral("5 per 60 s"));
    QCOMPARE(limits.index(0, RateLimitsModel::Rejected).data().toLongLong(), 2);
    QCOMPARE(limits.index(0, RateLimitsModel::Rejected).data(ToneRole).toInt(), int(Tone::Warning));
    QCOMPARE(limits.index(1, RateLimitsModel::Policy).data().toString(), QStringLiteral("checkout"));
    QCOMPARE(limits.index(1, RateLimitsModel::Rejected).data().toLongLong(), 0);
    QCOMPARE(limits.index(1, RateLimitsModel::Rejected).data(ToneRole).toInt(), int(Tone::Neutral));
    QCOMPARE(limits.index(2, RateLimitsModel::Policy).data().toString(), QStringLiteral("default"));
    QCOMPARE(limits.index(2, RateLimitsModel::Limit).data().toString(), QString());
    QCOMPARE(limits.index(2, RateLimitsModel::Rejected).data().toLongLong(), 7);
  }

  void faultsShowWhatTheyDo() {
    FaultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(itemsOf<Fault>(testing::kFaults));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, FaultsModel::Method).data().toString(), QStringLiteral("Authorize"));
    QCOMPARE(model.index(0, FaultsModel::Latency).data().toString(), QStringLiteral("500 ms"));
    QCOMPARE(model.index(0, FaultsModel::Latency).data(SortRole).toLongLong(), 500);
    QCOMPARE(model.index(0, FaultsModel::Latency).data(ToneRole).toInt(), int(Tone::Warning));
    QCOMPARE(model.index(0, FaultsModel::Errors).data(ToneRole).toInt(), int(Tone::Neutral));
    QCOMPARE(model.index(1, FaultsModel::Method).data().toString(), QStringLiteral("* (every RPC)"));
    QCOMPARE(model.index(1, FaultsModel::Method).data(SortRole).toString(), QStringLiteral("*"));
    QCOMPARE(model.index(1, FaultsModel::Errors).data().toString(), QStringLiteral("20 %"));
    QCOMPARE(model.index(1, FaultsModel::Aborts).data().toString(), QStringLiteral("5 %"));
    QCOMPARE(model.index(1, FaultsModel::SetBy).data().toString(), QStringLiteral("operator@storefront.local"));
    QCOMPARE(model.index(1, 0).data(KeyRole).toString(), QStringLiteral("inventory/*"));
  }
};

ADMIN_TEST(ModelsTest);

}  // namespace storefront::admin

#include "models_test.moc"
