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
