// OrdersPage against FakeGateway: what the gateway says reaches the page in words, and the
// filters become query parameters.
#include "app/pages/orders_page.h"

#include <QComboBox>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

#include "app/pages/order_detail_pane.h"
#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::FakeGateway;

class OrdersPageTest : public QObject {
  Q_OBJECT

 private slots:
  void aRefusalIsShownInWordsOnThePage() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    gateway.on("GET", "/api/v1/admin/orders",
               FakeGateway::problem(403, R"({"title":"Forbidden","status":403,"detail":"operator role required"})"));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    OrdersPage page(&api);
    QSignalSpy settled(&page, &Page::settled);
    page.refresh();
    QVERIFY(page.isLoading());
    QVERIFY(settled.wait(5000));
    QVERIFY2(page.stateText().contains("Forbidden: operator role required"), qPrintable(page.stateText()));
  }

  void theNewestOrderIsShownWithItsTimelineAndFiltersGoToTheGateway() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    const QByteArray list = "{\"items\": [" + testing::kOrder + "], \"next_cursor\": null}";
    gateway.on("GET", "/api/v1/admin/orders", FakeGateway::json(200, list));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    OrdersPage page(&api);
    QSignalSpy settled(&page, &Page::settled);
    page.refresh();
    QVERIFY(settled.wait(5000));
    QVERIFY2(page.stateText().contains("1 orders"), qPrintable(page.stateText()));
    QCOMPARE(page.detail()->timelineView()->topLevelItemCount(), 4);

    page.findChild<QComboBox*>()->setCurrentIndex(4);  // "Any status", pending, reserved, payment_authorized, confirmed
    QVERIFY(settled.wait(5000));
    QCOMPARE(gateway.lastRequest().query.queryItemValue("status"), QStringLiteral("confirmed"));
  }

  void aTickDuringARefreshIsSkipped() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    FakeGateway::Response slow;
    slow.neverAnswer = true;
    gateway.on("GET", "/api/v1/admin/orders", slow);
    ApiClient api;
    api.setBaseUrl(gateway.url());
    api.setTimeout(std::chrono::milliseconds(300));
    OrdersPage page(&api);
    QSignalSpy settled(&page, &Page::settled);
    page.refresh();
    page.refresh();  // the auto-refresh tick while the first is in flight
    QCOMPARE(api.requestsInFlight(), 1);
    QVERIFY(settled.wait(5000));
    QVERIFY2(page.stateText().contains("did not answer"), qPrintable(page.stateText()));
    QCOMPARE(gateway.requests().size(), 1);
  }
};

ADMIN_TEST(OrdersPageTest);

}  // namespace storefront::admin

#include "orders_page_test.moc"
