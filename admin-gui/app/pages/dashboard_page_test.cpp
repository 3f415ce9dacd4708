// DashboardPage against FakeGateway: the Resilience panel shows the report the gateway gives on
// each refresh, an open breaker in words and red, and a report it cannot get as an error.
#include "app/pages/dashboard_page.h"

#include <QImage>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "app/pages/resilience_panel.h"
#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::FakeGateway;

namespace {

// Everything the dashboard asks for but resilience, answered with a calm sample.
void serveTheRest(FakeGateway& gateway) {
  gateway.on("GET", "/api/v1/admin/sales", FakeGateway::json(200, testing::kSales));
  gateway.on("GET", "/api/v1/admin/orders", FakeGateway::json(200, R"({"items": [], "next_cursor": null})"));
  gateway.on("GET", "/api/v1/admin/inventory/low-stock", FakeGateway::json(200, R"({"items": [], "next_cursor": null})"));
  gateway.on("GET", "/api/v1/admin/system/health", FakeGateway::json(200, testing::kHealthWithBreakers));
}

}  // namespace

class DashboardPageTest : public QObject {
  Q_OBJECT

 private slots:
  void theResiliencePanelShowsAnOpenBreakerInWordsAndRed() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    serveTheRest(gateway);
    gateway.on("GET", "/api/v1/admin/resilience", FakeGateway::json(200, testing::kResilience));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    DashboardPage page(&api);
    page.resize(1200, 900);
    page.show();
    QSignalSpy settled(&page, &Page::settled);
    page.refresh();
    QVERIFY(settled.wait(5000));
    QVERIFY2(page.stateText().startsWith("Updated"), qPrintable(page.stateText()));

    ResiliencePanel* panel = page.resilience();
    QVERIFY(panel->isVisible());
    QAbstractItemModel* shown = panel->breakersView()->model();
    QCOMPARE(shown->rowCount(), 4);
    const QModelIndex payments = shown->index(0, ResilienceModel::Breaker);
    QCOMPARE(shown->index(0, ResilienceModel::Upstream).data().toString(), QStringLiteral("payments"));
    QCOMPARE(payments.data().toString(), QStringLiteral("open"));

    // As painted: the open breaker's word in red, the closed one's in the normal text colour.
    QTableView* view = panel->breakersView();
    const QImage painted = view->viewport()->grab().toImage();
    auto redPixels = [&](const QModelIndex& index) {
      const QRect cell = view->visualRect(index);
      int red = 0;
      for (int y = cell.top(); y <= cell.bottom(); ++y) {
        for (int x = cell.left(); x <= cell.right(); ++x) {
          const QColor c = painted.pixelColor(x, y);
          red += c.red() > 140 && c.green() < 90 && c.blue() < 90 ? 1 : 0;
        }
      }
      return red;
    };
    QCOMPARE(shown->index(1, ResilienceModel::Breaker).data().toString(), QStringLiteral("closed"));
    QVERIFY(redPixels(payments) > 0);
    QCOMPARE(redPixels(shown->index(1, ResilienceModel::Breaker)), 0);

    // The service that did not answer says why.
    QCOMPARE(shown->index(3, ResilienceModel::Caller).data().toString(), QStringLiteral("checkout"));
    QCOMPARE(shown->index(3, ResilienceModel::Detail).data().toString(), QStringLiteral("no answer within 2000 ms"));

    QVERIFY2(panel->headline().startsWith("Breakers: 1 open, 1 half-open, 1 closed · no answer from checkout"),
             qPrintable(panel->headline()));
    QVERIFY2(panel->faultsText().startsWith("Faults on: payments/* 50 % errors"), qPrintable(panel->faultsText()));
    QCOMPARE(panel->retries()->rowCount(), 2);
    QCOMPARE(panel->rateLimits()->rowCount(), 3);
  }

  void eachRefreshAsksAgainAndAFailureEmptiesThePanel() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    serveTheRest(gateway);
    gateway.on("GET", "/api/v1/admin/resilience", FakeGateway::json(200, testing::kResilience));
    gateway.on("GET", "/api/v1/admin/resilience",
               FakeGateway::problem(502, R"({"title":"Bad gateway","status":502,"detail":"checkout did not answer"})"));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    DashboardPage page(&api);
    QSignalSpy settled(&page, &Page::settled);
    page.refresh();
    QVERIFY(settled.wait(5000));
    QCOMPARE(page.resilience()->breakers()->rowCount(), 4);

    page.refresh();  // the next auto-refresh tick
    QVERIFY(settled.wait(5000));
    int asked = 0;
    for (const auto& request : gateway.requests()) asked += request.path == u"/api/v1/admin/resilience" ? 1 : 0;
    QCOMPARE(asked, 2);
    QCOMPARE(page.resilience()->breakers()->rowCount(), 0);  // no stale "closed" rows
    QCOMPARE(page.resilience()->headline(), QStringLiteral("Resilience unknown: Bad gateway: checkout did not answer"));
    QVERIFY2(page.stateText().contains("Bad gateway: checkout did not answer"), qPrintable(page.stateText()));
  }
};

ADMIN_TEST(DashboardPageTest);

}  // namespace storefront::admin

#include "dashboard_page_test.moc"
