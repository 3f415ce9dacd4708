#include "core/requests.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include "core/testing/test_registry.h"

namespace storefront::admin {
namespace {

QStringList fieldsOf(const QList<FieldError>& errors) {
  QStringList fields;
  for (const auto& e : errors) fields << e.field;
  return fields;
}

ProductInput validProduct() {
  ProductInput input;
  input.sku = "HOM-LP-0001";
  input.name = "Desk lamp";
  input.price = "49.99";
  input.categoryId = "home";
  return input;
}

}  // namespace

class RequestsTest : public QObject {
  Q_OBJECT

 private slots:
  void signIn() {
    QVERIFY(validateSignIn({"http://127.0.0.1:8080", "op@storefront.local", "secret"}).isEmpty());
    QCOMPARE(fieldsOf(validateSignIn({"127.0.0.1:8080", "op", ""})),
             (QStringList{"gateway_url", "email", "password"}));
    QCOMPARE(fieldsOf(validateSignIn({"ftp://host", "a@b", "x"})), QStringList{"gateway_url"});
  }

  void aValidProductBecomesADraft() {
    const auto result = validateProduct(validProduct(), true);
    QVERIFY(result.ok());
    QCOMPARE(result.value.price, (Money{4999, "USD"}));
    const QJsonObject body = result.value.toCreateJson();
    QCOMPARE(body["sku"].toString(), QStringLiteral("HOM-LP-0001"));
    QCOMPARE(body["price"].toObject()["amount_minor"].toInteger(), 4999);
    QCOMPARE(body["category_id"].toString(), QStringLiteral("home"));
  }

  void productRulesNameEachBadField() {
    ProductInput input;
    input.sku = "bad sku";
    input.name = "   ";
    input.price = "-1";
    input.categoryId = "Home Goods";
    input.imageUrl = "ftp://x";
    QCOMPARE(fieldsOf(validateProduct(input, true).errors),
             (QStringList{"sku", "name", "price", "category_id", "image_url"}));
  }

  void priceMustBeANonNegativeAmount() {
    ProductInput input = validProduct();
    for (const char* bad : {"abc", "-0.01", "1.999", ""}) {
      input.price = bad;
      QCOMPARE(fieldsOf(validateProduct(input, true).errors), QStringList{"price"});
    }
    input.price = "0";
    QVERIFY(validateProduct(input, true).ok());
  }

  void theSkuIsOnlyCheckedWhenCreating() {
    ProductInput input = validProduct();
    input.sku.clear();
    QVERIFY(!validateProduct(input, true).ok());
    QVERIFY(validateProduct(input, false).ok());
  }

  void adjustments() {
    auto errors = [](qint64 delta, const QString& reason, qint64 onHand, const QString& note = {}) {
      return fieldsOf(validateAdjustment({delta, reason, note, "key"}, onHand));
    };
    QVERIFY(errors(5, "restock", 0).isEmpty());
    QVERIFY(errors(-2, "damaged", 10).isEmpty());
    QVERIFY(errors(-3, "count", 3).isEmpty());
    QCOMPARE(errors(0, "count", 10), QStringList{"delta"});
    QCOMPARE(errors(-11, "count", 10), QStringList{"delta"});  // below zero on hand
    QCOMPARE(errors(-1, "restock", 10), QStringList{"delta"});
    QCOMPARE(errors(3, "damaged", 10), QStringList{"delta"});
    QCOMPARE(errors(1, "stolen", 10), QStringList{"reason"});
    QCOMPARE(errors(1, "count", 10, QString(501, u'x')), QStringList{"note"});
    QCOMPARE(errors(2000000, "restock", 0), QStringList{"delta"});
  }

  void adjustmentBody() {
    const QJsonObject body = AdjustmentRequest{-2, "damaged", "dropped", "k1"}.toJson();
    QCOMPARE(body, (QJsonObject{{"delta", -2}, {"reason", "damaged"}, {"note", "dropped"}}));
  }

  void refunds() {
    const Money total{10498, "USD"};
    auto full = validateRefund("", "customer asked", total);
    QVERIFY(full.ok());
    QVERIFY(!full.value.amount.has_value());
    QVERIFY(!full.value.toJson().contains("amount"));

    auto partial = validateRefund("10.00", "damaged in transit", total);
    QVERIFY(partial.ok());
    QCOMPARE(*partial.value.amount, (Money{1000, "USD"}));
    QCOMPARE(partial.value.toJson()["amount"].toObject()["amount_minor"].toInteger(), 1000);

    QCOMPARE(fieldsOf(validateRefund("200.00", "x", total).errors), QStringList{"amount"});
    QCOMPARE(fieldsOf(validateRefund("0", "x", total).errors), QStringList{"amount"});
    QCOMPARE(fieldsOf(validateRefund("", " ", total).errors), QStringList{"reason"});
  }

  void aFaultBodyCarriesTheThreeNumbers() {
    const FaultRequest request{"payments", "Authorize", 500, 10, 5};
    QCOMPARE(request.toJson(), (QJsonObject{{"latency_ms", 500}, {"error_percent", 10}, {"abort_percent", 5}}));
    QVERIFY(validateFault(request).isEmpty());
    QVERIFY(validateFault({"inventory", "*", 0, 100, 0}).isEmpty());
    QVERIFY(validateFault({"shipping", "*", 30000, 0, 100}).isEmpty());
  }

  void faultRulesNameEachBadField() {
    QCOMPARE(fieldsOf(validateFault({"billing", "Authorize", 1, 0, 0})), QStringList{"service"});
    QCOMPARE(fieldsOf(validateFault({"payments", "", 1, 0, 0})), QStringList{"method"});
    QCOMPARE(fieldsOf(validateFault({"payments", "Authorize/Capture", 1, 0, 0})), QStringList{"method"});
    QCOMPARE(fieldsOf(validateFault({"payments", "**", 1, 0, 0})), QStringList{"method"});
    QCOMPARE(fieldsOf(validateFault({"payments", "*", 30001, 101, -1})),
             (QStringList{"latency_ms", "error_percent", "abort_percent"}));
    QCOMPARE(fieldsOf(validateFault({"payments", "*", -1, 0, 0})), QStringList{"latency_ms"});
  }

  void aFaultOfAllZerosIsRefusedByTheConsole() {
    const auto errors = validateFault({"payments", "*", 0, 0, 0});
    QCOMPARE(fieldsOf(errors), QStringList{"fault"});
    QVERIFY(errors[0].detail.contains("clear it"));
  }

  // The form offers each service's RPCs; they must be the ones its .proto declares, or a learner
  // picks a method the service answers with a 400.
  void theOfferedMethodsAreTheProtosRpcs() {
    static const QRegularExpression kRpc(QStringLiteral(R"(^\s*rpc\s+(\w+)\s*\()"),
                                         QRegularExpression::MultilineOption);
    for (const QString& service : faultServices()) {
      QFile proto(QStringLiteral(STOREFRONT_PROTO_DIR "/storefront/%1/v1/%1.proto").arg(service));
      QVERIFY2(proto.open(QIODevice::ReadOnly), qPrintable(proto.fileName()));
      QStringList declared;
      auto it = kRpc.globalMatch(QString::fromUtf8(proto.readAll()));
      while (it.hasNext()) declared << it.next().captured(1);
      QVERIFY2(!declared.isEmpty(), qPrintable(service));
      QCOMPARE(faultMethods(service), declared);
    }
    QVERIFY(faultMethods("billing").isEmpty());
  }
};

ADMIN_TEST(RequestsTest);

}  // namespace storefront::admin

#include "requests_test.moc"
