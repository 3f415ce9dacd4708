#include "app/pages/order_detail_pane.h"

#include <QDesktopServices>
#include <QJsonArray>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

// Stands in for the browser: QDesktopServices hands it the URLs the pane opens.
class Browser : public QObject {
  Q_OBJECT
 public:
  QList<QUrl> opened;
 public slots:
  void open(const QUrl& url) { opened.append(url); }
};

class OrderDetailPaneTest : public QObject {
  Q_OBJECT

 private slots:
  void rendersTheTimelineAndSagaSteps() {
    OrderDetailPane pane;
    pane.setOrder(Order::fromJson(testing::objectOf(testing::kOrder)));

    QTreeWidget* timeline = pane.timelineView();
    QCOMPARE(timeline->topLevelItemCount(), 4);
    QCOMPARE(timeline->topLevelItem(0)->text(1), QStringLiteral("pending"));
    QCOMPARE(timeline->topLevelItem(0)->text(2), QStringLiteral("order placed"));
    QCOMPARE(timeline->topLevelItem(3)->text(1), QStringLiteral("confirmed"));
    QVERIFY(!timeline->topLevelItem(3)->text(0).isEmpty());  // the time, in local time

    QTreeWidget* saga = pane.sagaView();
    QCOMPARE(saga->topLevelItemCount(), 3);
    QCOMPARE(saga->topLevelItem(1)->text(0), QStringLiteral("authorize_payment"));
    QCOMPARE(saga->topLevelItem(1)->text(1), QStringLiteral("succeeded"));

    QCOMPARE(pane.itemsView()->topLevelItemCount(), 1);
    QCOMPARE(pane.itemsView()->topLevelItem(0)->text(4), QStringLiteral("$99.98"));
    QVERIFY(pane.headingText().contains("9b1d0c7e-1111-4000-8000-00000000abcd"));
    QVERIFY(pane.headingText().contains("confirmed"));
  }

  void actionsFollowWhatTheOrderCanStillDo() {
    OrderDetailPane pane;
    Order order = Order::fromJson(testing::objectOf(testing::kOrder));
    pane.setOrder(order);
    QVERIFY(pane.cancelButton()->isEnabled());  // confirmed, not shipped
    QVERIFY(!pane.refundButton()->isEnabled());  // authorized, nothing captured

    order.status = "delivered";
    order.payment->status = "captured";
    pane.setOrder(order);
    QVERIFY(!pane.cancelButton()->isEnabled());
    QVERIFY(pane.refundButton()->isEnabled());

    QSignalSpy refund(&pane, &OrderDetailPane::refundRequested);
    pane.refundButton()->click();
    QCOMPARE(refund.count(), 1);
  }

  void aCompensatedSagaShowsEveryStep() {
    QJsonObject json = testing::objectOf(testing::kOrder);
    json["status"] = "failed";
    json["failure"] = "shipping_failed";
    json["failure_reason"] = "carrier rejected the address";
    json["saga_steps"] = QJsonArray{
        QJsonObject{{"name", "reserve_stock"}, {"state", "compensated"}, {"detail", "released"}, {"at", "2024-05-02T10:00:05Z"}},
        QJsonObject{{"name", "authorize_payment"}, {"state", "compensated"}, {"detail", "voided"}, {"at", "2024-05-02T10:00:05Z"}},
        QJsonObject{{"name", "create_shipment"}, {"state", "failed"}, {"detail", "address"}, {"at", "2024-05-02T10:00:04Z"}}};
    OrderDetailPane pane;
    pane.setOrder(Order::fromJson(json));
    QCOMPARE(pane.sagaView()->topLevelItemCount(), 3);
    QCOMPARE(pane.sagaView()->topLevelItem(2)->text(1), QStringLiteral("failed"));
    QVERIFY(!pane.cancelButton()->isEnabled());

    pane.clear();
    QCOMPARE(pane.timelineView()->topLevelItemCount(), 0);
    QVERIFY(!pane.order().has_value());
  }

  void theTraceIdIsShownAndOpenTraceOpensItsPageInTheBrowser() {
    Browser browser;
    QDesktopServices::setUrlHandler("http", &browser, "open");
    QDesktopServices::setUrlHandler("https", &browser, "open");
    OrderDetailPane pane;
    QJsonObject json = testing::objectOf(testing::kOrder);
    pane.setOrder(Order::fromJson(json));
    QVERIFY2(pane.traceText().contains("4bf92f3577b34da6a3ce929d0e0e4736"), qPrintable(pane.traceText()));
    QVERIFY(pane.traceButton()->isEnabled());
    QCOMPARE(pane.traceButton()->toolTip(),
             QStringLiteral("http://127.0.0.1:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736"));
    pane.traceButton()->click();
    QCOMPARE(browser.opened, QList<QUrl>{QUrl("http://127.0.0.1:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736")});

    // A trace id without a tracing UI: shown (the logs carry it too), nothing to open.
    json["trace_url"] = QJsonValue::Null;
    pane.setOrder(Order::fromJson(json));
    QVERIFY2(pane.traceText().contains("4bf92f3577b34da6a3ce929d0e0e4736 (no tracing UI configured"),
             qPrintable(pane.traceText()));
    QVERIFY(!pane.traceButton()->isEnabled());

    // An order from before traces were recorded.
    json["trace_id"] = QJsonValue::Null;
    pane.setOrder(Order::fromJson(json));
    QVERIFY2(pane.traceText().contains("Trace: none recorded"), qPrintable(pane.traceText()));
    QVERIFY(!pane.traceButton()->isEnabled());

    // A link that is not http(s) is never handed over, and clearing the pane disables the button.
    json["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736";
    json["trace_url"] = "file:///etc/passwd";
    pane.setOrder(Order::fromJson(json));
    QVERIFY(!pane.traceButton()->isEnabled());
    pane.clear();
    QVERIFY(!pane.traceButton()->isEnabled());
    QCOMPARE(browser.opened.size(), 1);
    QDesktopServices::unsetUrlHandler("http");
    QDesktopServices::unsetUrlHandler("https");
  }
};

ADMIN_TEST(OrderDetailPaneTest);

}  // namespace storefront::admin

#include "order_detail_pane_test.moc"
