#include "core/dto.h"

#include <QTest>

#include "core/testing/samples.h"
#include "core/testing/test_registry.h"
#include "core/timestamp.h"

namespace storefront::admin {

using testing::objectOf;

class DtoTest : public QObject {
  Q_OBJECT

 private slots:
  void sessionAndTheRoleInItsToken() {
    const Session s = Session::fromJson(objectOf(testing::kLogin));
    QCOMPARE(s.accessToken, QStringLiteral("tok-123"));
    QCOMPARE(s.expiresInSeconds, 3600);
    QCOMPARE(s.role(), QString());  // not a JWT
    const QByteArray claims = QByteArray(R"({"sub":"u1","role":"operator"})").toBase64(
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const Session jwt{"eyJhbGciOiJIUzI1NiJ9." + QString::fromLatin1(claims) + ".sig", "Bearer", 3600};
    QCOMPARE(jwt.role(), QStringLiteral("operator"));
  }

  void product() {
    const Product p = Product::fromJson(objectOf(testing::kProduct));
    QCOMPARE(p.id, QStringLiteral("3f2c1a9e-0000-4000-8000-000000000001"));
    QCOMPARE(p.sku, QStringLiteral("HOM-LP-0001"));
    QCOMPARE(p.price, (Money{4999, "USD"}));
    QCOMPARE(p.categoryId, QStringLiteral("home"));
    QVERIFY(p.active);
    QCOMPARE(p.createdAt, QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC));
    QCOMPARE(p.updatedAt, QDateTime(QDate(2024, 5, 2), QTime(10, 30, 0, 123), Qt::UTC));
  }

  void timestampsAcceptAnyFractionAndOffset() {
    QCOMPARE(parseTimestamp(QJsonValue("2024-05-02T10:30:00.123456789Z")),
             QDateTime(QDate(2024, 5, 2), QTime(10, 30, 0, 123), Qt::UTC));
    QCOMPARE(parseTimestamp(QJsonValue("2024-05-02T12:30:00+02:00")),
             QDateTime(QDate(2024, 5, 2), QTime(10, 30), Qt::UTC));
    QVERIFY(!parseTimestamp(QJsonValue()).isValid());
    QVERIFY(!parseTimestamp(QJsonValue("yesterday")).isValid());
    QCOMPARE(toRfc3339(QDateTime(QDate(2024, 5, 2), QTime(10, 30), Qt::UTC)),
             QStringLiteral("2024-05-02T10:30:00Z"));
  }

  void stockLevelAndAdjustment() {
    const StockLevel level = StockLevel::fromJson(objectOf(testing::kStockLevel));
    QCOMPARE(level.onHand, 12);
    QCOMPARE(level.reserved, 3);
    QCOMPARE(level.available, 9);
    QCOMPARE(level.lowStockThreshold, 10);
    QVERIFY(level.isLow());

    const AdjustmentResult result = AdjustmentResult::fromJson(objectOf(testing::kAdjustmentResult));
    QCOMPARE(result.level.onHand, 17);
    QCOMPARE(result.adjustment.delta, 5);
    QCOMPARE(result.adjustment.reason, QStringLiteral("restock"));
    QCOMPARE(result.adjustment.actor, QStringLiteral("operator@storefront.local"));
    QCOMPARE(result.adjustment.onHandAfter, 17);
  }

  void orderWithTimelineAndSagaSteps() {
    const Order o = Order::fromJson(objectOf(testing::kOrder));
    QCOMPARE(o.status, QStringLiteral("confirmed"));
    QVERIFY(o.failure.isEmpty());
    QCOMPARE(o.items.size(), 1);
    QCOMPARE(o.items[0].quantity, 2);
    QCOMPARE(o.items[0].lineTotal, (Money{9998, "USD"}));
    QCOMPARE(o.total, (Money{10498, "USD"}));
    QCOMPARE(o.shippingAddress.oneLine(), QStringLiteral("Ada Lovelace, 1 Main St, London, NW1 6XE, GB"));
    QVERIFY(o.payment.has_value());
    QCOMPARE(o.payment->cardLast4, QStringLiteral("4242"));
    QVERIFY(o.shipment.has_value());
    QCOMPARE(o.shipment->trackingNumber, QStringLiteral("TRK1"));
    QCOMPARE(o.timeline.size(), 4);
    QCOMPARE(o.timeline[2].status, QStringLiteral("payment_authorized"));
    QCOMPARE(o.timeline[2].note, QStringLiteral("card authorized"));
    QCOMPARE(o.sagaSteps.size(), 3);
    QCOMPARE(o.sagaSteps[1].name, QStringLiteral("authorize_payment"));
    QCOMPARE(o.sagaSteps[1].state, QStringLiteral("succeeded"));
    QCOMPARE(o.customerEmail, QStringLiteral("ada@example.com"));
    QVERIFY(o.canCancel());
    QVERIFY(!o.canRefund());  // authorized, not captured yet
  }

  void anOrderCarriesItsTraceAndOnlyAWebLinkIsOpened() {
    QJsonObject json = objectOf(testing::kOrder);
    const Order o = Order::fromJson(json);
    QCOMPARE(o.traceId, QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
    QCOMPARE(o.traceLink(), QUrl("http://127.0.0.1:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736"));

    json["trace_id"] = QJsonValue::Null;  // placed before traces were recorded
    json["trace_url"] = QJsonValue::Null;
    const Order untraced = Order::fromJson(json);
    QVERIFY(untraced.traceId.isEmpty());
    QVERIFY(!untraced.traceLink().isValid());

    // The console hands a browser nothing but an http(s) link with a host.
    for (const char* url : {"file:///etc/passwd", "javascript:alert(1)", "zipkin traces", "http://", "https:x"}) {
      json["trace_url"] = url;
      QVERIFY2(!Order::fromJson(json).traceLink().isValid(), url);
    }
    json["trace_url"] = "https://tracing.example/trace/4bf92f3577b34da6a3ce929d0e0e4736";
    QCOMPARE(Order::fromJson(json).traceLink().host(), QStringLiteral("tracing.example"));
  }

  void nullPaymentAndShipmentStayEmpty() {
    QJsonObject json = objectOf(testing::kOrder);
    json["payment"] = QJsonValue::Null;
    json["shipment"] = QJsonValue::Null;
    json["status"] = "failed";
    json["failure"] = "payment_declined";
    const Order o = Order::fromJson(json);
    QVERIFY(!o.payment.has_value());
    QVERIFY(!o.shipment.has_value());
    QCOMPARE(o.failure, QStringLiteral("payment_declined"));
    QVERIFY(!o.canCancel());
    QVERIFY(!o.canRefund());
  }

  void shipmentAndItsNextStatus() {
    Shipment s = Shipment::fromJson(objectOf(testing::kShipment));
    QCOMPARE(s.carrier, QStringLiteral("DHL"));
    QVERIFY(!s.dispatchedAt.isValid());
    QCOMPARE(s.nextStatus(), QStringLiteral("dispatched"));
    s.status = "dispatched";
    QCOMPARE(s.nextStatus(), QStringLiteral("delivered"));
    s.status = "delivered";
    QVERIFY(s.nextStatus().isEmpty());
  }

  void systemHealth() {
    const SystemHealth h = SystemHealth::fromJson(objectOf(testing::kHealth));
    QCOMPARE(h.status, QStringLiteral("degraded"));
    QCOMPARE(h.components.size(), 3);
    QVERIFY(h.components[0].isUp());
    QVERIFY(!h.components[2].isUp());
    QCOMPARE(h.components[2].kind, QStringLiteral("broker"));
  }

  void healthReportsTheGatewaysBreakerWhenItHasOne() {
    const SystemHealth h = SystemHealth::fromJson(objectOf(testing::kHealthWithBreakers));
    QCOMPARE(h.components[0].breaker, QStringLiteral("closed"));
    QCOMPARE(h.components[1].breaker, QStringLiteral("open"));
    QCOMPARE(h.components[2].breaker, QStringLiteral("half_open"));
    QVERIFY(h.components[3].breaker.isEmpty());  // the database has no breaker
    QVERIFY(SystemHealth::fromJson(objectOf(testing::kHealth)).components[0].breaker.isEmpty());
  }

  void resilienceReport() {
    const ResilienceReport r = ResilienceReport::fromJson(objectOf(testing::kResilience));
    QCOMPARE(r.upstreams.size(), 4);

    const UpstreamResilience& payments = r.upstreams[0];
    QCOMPARE(payments.caller, QStringLiteral("gateway"));
    QCOMPARE(payments.upstream, QStringLiteral("payments"));
    QVERIFY(payments.answered());
    QVERIFY(payments.breaker.has_value());
    QVERIFY(payments.breaker->isOpen());
    QCOMPARE(payments.breaker->calls, 12);
    QCOMPARE(payments.breaker->failures, 9);
    QCOMPARE(payments.breaker->rejected, 31);
    QCOMPARE(payments.breaker->retryAfterSeconds, 12);
    QVERIFY(payments.bulkhead.has_value());
    QCOMPARE(payments.bulkhead->limit, 64);
    QVERIFY(!payments.bulkhead->isFull());
    QVERIFY(r.upstreams[1].bulkhead->isFull());
    QCOMPARE(r.upstreams[1].bulkhead->rejected, 5);

    QCOMPARE(r.retries.size(), 2);
    QCOMPARE(r.retries[0].method, QStringLiteral("Authorize"));
    QCOMPARE(r.retries[0].retriedAttempts, 3);

    QCOMPARE(r.rateLimitPolicies.size(), 2);
    QCOMPARE(r.rateLimitPolicies[0].name, QStringLiteral("login"));
    QCOMPARE(r.rateLimitPolicies[0].limit, 5);
    QCOMPARE(r.rateLimitPolicies[0].windowSeconds, 60);
    QCOMPARE(r.rateLimitRejected.size(), 2);
    QCOMPARE(r.rateLimitRejected[0].policy, QStringLiteral("default"));
    QCOMPARE(r.rateLimitRejected[0].rejected, 7);
    QCOMPARE(r.rateLimitRejected[1].policy, QStringLiteral("login"));
    QCOMPARE(r.rateLimitRejected[1].rejected, 2);

    QCOMPARE(r.faults.size(), 1);
    QVERIFY(r.faults[0].everyMethod());
    QCOMPARE(r.faults[0].errorPercent, 50);
  }

  void aPartialBreakerAndAMissingBulkheadLeaveDefaults() {
    const UpstreamResilience inventory = ResilienceReport::fromJson(objectOf(testing::kResilience)).upstreams[2];
    QVERIFY(inventory.breaker.has_value());
    QCOMPARE(inventory.breaker->state, QStringLiteral("half_open"));
    QCOMPARE(inventory.breaker->calls, 1);
    QCOMPARE(inventory.breaker->rejected, 0);           // missing member
    QCOMPARE(inventory.breaker->retryAfterSeconds, 0);  // missing member
    QVERIFY(!inventory.bulkhead.has_value());

    const ResilienceReport empty = ResilienceReport::fromJson(QJsonObject{});
    QVERIFY(empty.upstreams.isEmpty());
    QVERIFY(empty.retries.isEmpty());
    QVERIFY(empty.rateLimitPolicies.isEmpty());
    QVERIFY(empty.rateLimitRejected.isEmpty());
    QVERIFY(empty.faults.isEmpty());
  }

  void aCallerThatDidNotAnswerCarriesOnlyItsError() {
    const UpstreamResilience checkout = ResilienceReport::fromJson(objectOf(testing::kResilience)).upstreams[3];
    QCOMPARE(checkout.caller, QStringLiteral("checkout"));
    QVERIFY(!checkout.answered());
    QCOMPARE(checkout.error, QStringLiteral("no answer within 2000 ms"));
    QVERIFY(checkout.upstream.isEmpty());
    QVERIFY(!checkout.breaker.has_value());
    QVERIFY(!checkout.bulkhead.has_value());
  }

  void faultAndItsEffectInWords() {
    const Fault f = Fault::fromJson(objectOf(testing::kFault));
    QCOMPARE(f.service, QStringLiteral("payments"));
    QCOMPARE(f.method, QStringLiteral("Authorize"));
    QVERIFY(!f.everyMethod());
    QCOMPARE(f.latencyMs, 500);
    QCOMPARE(f.setBy, QStringLiteral("operator@storefront.local"));
    QCOMPARE(f.setAt, QDateTime(QDate(2026, 12, 7), QTime(10, 0), Qt::UTC));
    QCOMPARE(f.effect(), QStringLiteral("+500 ms"));
    const Fault g = Fault::fromJson(objectOf(testing::kFaults)["items"].toArray()[1].toObject());
    QCOMPARE(g.effect(), QStringLiteral("20 % errors, 5 % aborts"));
    QCOMPARE(Fault::fromJson(QJsonObject{{"service", "cart"}}).effect(), QStringLiteral("nothing"));
  }

  void eventDeadLetterTopicAndSales() {
    const Event e = Event::fromJson(objectOf(testing::kEvents)["items"].toArray()[0].toObject());
    QCOMPARE(e.offset, 42);
    QCOMPARE(e.eventType, QStringLiteral("order.confirmed"));
    QCOMPARE(e.payload["order_id"].toString(), QStringLiteral("o1"));

    const DeadLetter d = DeadLetter::fromJson(objectOf(testing::kDeadLetters)["items"].toArray()[0].toObject());
    QCOMPARE(d.partition, 1);
    QCOMPARE(d.offset, 7);
    QCOMPARE(d.consumerGroup, QStringLiteral("inventory"));

    const Topic t = Topic::fromJson(objectOf(testing::kTopics)["items"].toArray()[0].toObject());
    QCOMPARE(t.consumers, (QStringList{"inventory", "shipping"}));

    const SalesReport r = SalesReport::fromJson(objectOf(testing::kSales));
    QCOMPARE(r.granularity, QStringLiteral("hour"));
    QCOMPARE(r.buckets.size(), 2);
    QCOMPARE(r.buckets[0].orders, 3);
    QCOMPARE(r.buckets[0].revenue, (Money{15000, "USD"}));
  }

  void liveFiguresKeepTheirNullsApart() {
    const ObservabilityReport r = ObservabilityReport::fromJson(objectOf(testing::kObservability));
    QCOMPARE(r.prometheusUrl, QStringLiteral("http://127.0.0.1:9090"));
    QCOMPARE(r.traceUiUrl, QStringLiteral("http://127.0.0.1:9411/zipkin/traces/"));
    QCOMPARE(r.readAt, QDateTime(QDate(2026, 12, 7), QTime(10, 0, 5), Qt::UTC));
    QCOMPARE(r.services.size(), 3);
    QCOMPARE(r.services[1].job, QStringLiteral("payments"));
    QCOMPARE(r.services[1].instancesUp, std::optional<qint64>(1));
    QCOMPARE(r.services[1].instances, std::optional<qint64>(2));
    QCOMPARE(r.services[1].errorRatio, std::optional<double>(0.06));
    QCOMPARE(r.services[1].p99Seconds, std::optional<double>(1.2));
    // No traffic: a rate of 0, and no ratio or p99 at all (null is not 0).
    QCOMPARE(r.services[2].requestRate, std::optional<double>(0));
    QVERIFY(!r.services[2].errorRatio.has_value());
    QVERIFY(!r.services[2].p99Seconds.has_value());
    QCOMPARE(r.outbox.size(), 2);
    QCOMPARE(r.outbox[1].unpublishedRows, std::optional<qint64>(12));
    QCOMPARE(r.outbox[1].oldestAgeSeconds, std::optional<double>(75));
    QCOMPARE(r.consumerLag[0].topic, QStringLiteral("storefront.checkout.v1"));
    QCOMPARE(r.consumerLag[0].lag, std::optional<qint64>(150));
    QCOMPARE(r.deadLetters[0].total, std::optional<qint64>(3));
    QCOMPARE(r.deadLetters[0].lastHour, std::optional<qint64>(1));
    QCOMPARE(r.sagasCompletedRate, std::optional<double>(0.5));
    QCOMPARE(r.sagasFailedRate, std::optional<double>(0.2));

    // A report with nothing known yet, and figures that are not numbers, stay unknown.
    const ObservabilityReport empty = ObservabilityReport::fromJson(
        objectOf(R"({"services": [{"job": "cart", "request_rate": "fast", "instances": null}], "sagas": {}})"));
    QCOMPARE(empty.services.size(), 1);
    QVERIFY(!empty.services[0].requestRate.has_value());
    QVERIFY(!empty.services[0].instances.has_value());
    QVERIFY(!empty.sagasCompletedRate.has_value());
    QVERIFY(!empty.readAt.isValid());
  }

  void missingMembersLeaveDefaults() {
    const Product p = Product::fromJson(QJsonObject{{"id", "x"}});
    QCOMPARE(p.id, QStringLiteral("x"));
    QVERIFY(!p.price.isValid());
    QVERIFY(p.active);
    const Order o = Order::fromJson(QJsonObject{});
    QVERIFY(o.timeline.isEmpty());
    QVERIFY(!o.total.isValid());
  }

  void amountsBeyondDoublePrecisionSurvive() {
    // 2^53 + 1 cannot be a double; Qt 6 keeps JSON integers as qint64.
    const Money m = Money::fromJson(objectOf(R"({"amount_minor": 9007199254740993, "currency": "USD"})"));
    QCOMPARE(m.amountMinor, Q_INT64_C(9007199254740993));
  }
};

ADMIN_TEST(DtoTest);

}  // namespace storefront::admin

#include "dto_test.moc"
