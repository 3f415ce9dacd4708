#include "app/pages/adjust_dialog.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include "core/api_client.h"
#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

class AdjustDialogTest : public QObject {
  Q_OBJECT

 private:
  StockLevel level_ = StockLevel::fromJson(testing::objectOf(testing::kStockLevel));  // 12 on hand

 private slots:
  void aZeroChangeCannotBeSaved() {
    ApiClient api;
    AdjustDialog dialog(&api, level_, "HOM-LP-0001 — Desk lamp");
    QCOMPARE(dialog.deltaSpin()->value(), 0);
    QVERIFY(!dialog.saveButton()->isEnabled());
    QVERIFY(dialog.problemsText().isEmpty());  // not shouted at before typing
  }

  void aRestockWithAPositiveChangeCanBeSaved() {
    ApiClient api;
    AdjustDialog dialog(&api, level_, "lamp");
    dialog.reasonCombo()->setCurrentText("restock");
    dialog.deltaSpin()->setValue(5);
    QVERIFY(dialog.saveButton()->isEnabled());
    QVERIFY(dialog.problemsText().isEmpty());
    QCOMPARE(dialog.request().delta, 5);
    QCOMPARE(dialog.request().reason, QStringLiteral("restock"));
    QVERIFY(!dialog.request().idempotencyKey.isEmpty());
  }

  void theReasonMustMatchTheDirection() {
    ApiClient api;
    AdjustDialog dialog(&api, level_, "lamp");
    dialog.reasonCombo()->setCurrentText("restock");
    dialog.deltaSpin()->setValue(-2);
    QVERIFY(!dialog.saveButton()->isEnabled());
    QVERIFY(dialog.problemsText().contains("must be positive for restock"));
    dialog.reasonCombo()->setCurrentText("damaged");
    QVERIFY(dialog.saveButton()->isEnabled());
  }

  void onHandCannotGoBelowZero() {
    ApiClient api;
    AdjustDialog dialog(&api, level_, "lamp");
    dialog.reasonCombo()->setCurrentText("count");
    dialog.deltaSpin()->setValue(-13);
    QVERIFY(!dialog.saveButton()->isEnabled());
    QVERIFY(dialog.problemsText().contains("below zero (12 on hand)"));
    dialog.deltaSpin()->setValue(-12);
    QVERIFY(dialog.saveButton()->isEnabled());
  }

  void aLongNoteIsRefused() {
    ApiClient api;
    AdjustDialog dialog(&api, level_, "lamp");
    dialog.deltaSpin()->setValue(1);
    dialog.noteEdit()->setText(QString(501, u'x'));
    QVERIFY(!dialog.saveButton()->isEnabled());
    QVERIFY(dialog.problemsText().contains("note: must be at most 500 characters"));
  }

  void theKeyStaysTheSameForTheWholeDialog() {
    ApiClient api;
    AdjustDialog dialog(&api, level_, "lamp");
    const QString key = dialog.request().idempotencyKey;
    dialog.deltaSpin()->setValue(3);
    QCOMPARE(dialog.request().idempotencyKey, key);
    AdjustDialog other(&api, level_, "lamp");
    QVERIFY(other.request().idempotencyKey != key);
  }

  void aRefusalStaysInTheDialogAndTheRetryReusesTheKey() {
    testing::FakeGateway gateway;
    QVERIFY(gateway.listen());
    gateway.on("POST", "/api/v1/admin/inventory/p1/adjustments",
               testing::FakeGateway::problem(503, R"({"title":"Service unavailable","status":503,)"
                                                  R"("detail":"the inventory service is unavailable; try again shortly"})"));
    gateway.on("POST", "/api/v1/admin/inventory/p1/adjustments",
               testing::FakeGateway::json(201, testing::kAdjustmentResult));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    AdjustDialog dialog(&api, level_, "lamp");
    QSignalSpy adjusted(&dialog, &AdjustDialog::adjusted);
    QSignalSpy received(&gateway, &testing::FakeGateway::requestReceived);
    dialog.deltaSpin()->setValue(5);

    dialog.saveButton()->click();
    QVERIFY(!dialog.saveButton()->isEnabled());  // in flight: no double submit
    QVERIFY(received.wait());
    QTRY_VERIFY(dialog.saveButton()->isEnabled());
    QVERIFY2(dialog.problemsText().contains("Service unavailable: the inventory service is unavailable"),
             qPrintable(dialog.problemsText()));
    QCOMPARE(adjusted.count(), 0);

    dialog.saveButton()->click();
    QVERIFY(adjusted.wait());
    QCOMPARE(adjusted[0][0].value<AdjustmentResult>().level.onHand, 17);
    QCOMPARE(gateway.requests().size(), 2);
    QCOMPARE(gateway.requests()[0].headers.value("idempotency-key"), gateway.requests()[1].headers.value("idempotency-key"));
    QCOMPARE(gateway.requests()[0].headers.value("idempotency-key"), dialog.request().idempotencyKey.toUtf8());
  }
};

ADMIN_TEST(AdjustDialogTest);

}  // namespace storefront::admin

#include "adjust_dialog_test.moc"
