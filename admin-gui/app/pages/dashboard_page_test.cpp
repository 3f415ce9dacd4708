// DashboardPage against FakeGateway: the Resilience panel shows the report the gateway gives on
// each refresh, an open breaker in words and red, and a report it cannot get as an error; the Live
// figures panel shows Prometheus' figures through the gateway, a failing service in red, and says
// whether Prometheus is not configured (amber) or not answering (red).
#include "app/pages/dashboard_page.h"

#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "app/pages/live_figures_panel.h"
#include "app/pages/resilience_panel.h"
#include "app/view_helpers.h"
#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::FakeGateway;

namespace {

// How many pixels of `index`'s cell, as painted, are the red of a bad figure.
int redPixels(QTableView* view, const QModelIndex& index) {
  const QImage painted = view->viewport()->grab().toImage();
  const QRect cell = view->visualRect(index);
  int red = 0;
  for (int y = cell.top(); y <= cell.bottom(); ++y) {
    for (int x = cell.left(); x <= cell.right(); ++x) {
      const QColor c = painted.pixelColor(x, y);
      red += c.red() > 140 && c.green() < 90 && c.blue() < 90 ? 1 : 0;
    }
  }
  return red;
}

// Everything the dashboard asks for but resilience and the live figures, answered with a calm sample.
void serveTheCalmParts(FakeGateway& gateway) {
  gateway.on("GET", "/api/v1/admin/sales", FakeGateway::json(200, testing::kSales));
  gateway.on("GET", "/api/v1/admin/orders", FakeGateway::json(200, R"({"items": [], "next_cursor": null})"));
  gateway.on("GET", "/api/v1/admin/inventory/low-stock", FakeGateway::json(200, R"({"items": [], "next_cursor": null})"));
  gateway.on("GET", "/api/v1/admin/system/health", FakeGateway::json(200, testing::kHealthWithBreakers));
}

// Everything the dashboard asks for but resilience.
void serveTheRest(FakeGateway& gateway) {
  serveTheCalmParts(gateway);
  gateway.on("GET", "/api/v1/admin/observability", FakeGateway::json(200, testing::kObservability));
}

// A dashboard against `gateway`, shown `width` pixels wide and refreshed once; settled() says
// whether that refresh finished.
class ShownDashboard {
 public:
  ShownDashboard(FakeGateway& gateway, int width) : page_(&api_) {
    api_.setBaseUrl(gateway.url());
    page_.resize(width, 900);
    page_.show();
    QSignalSpy settled(&page_, &Page::settled);
    page_.refresh();
    settled_ = settled.wait(5000);
  }
  DashboardPage& page() { return page_; }
  bool settled() const { return settled_; }

 private:
  ApiClient api_;
  DashboardPage page_;
  bool settled_ = false;
};

}  // namespace

class DashboardPageTest : public QObject {
  Q_OBJECT

 private slots:
  void theResiliencePanelShowsAnOpenBreakerInWordsAndRed() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    serveTheRest(gateway);
    gateway.on("GET", "/api/v1/admin/resilience", FakeGateway::json(200, testing::kResilience));
    ShownDashboard shown_dashboard(gateway, 1200);
    QVERIFY(shown_dashboard.settled());
    DashboardPage& page = shown_dashboard.page();
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
    QCOMPARE(shown->index(1, ResilienceModel::Breaker).data().toString(), QStringLiteral("closed"));
    QVERIFY(redPixels(view, payments) > 0);
    QCOMPARE(redPixels(view, shown->index(1, ResilienceModel::Breaker)), 0);

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

  void theLiveFiguresShowPrometheusThroughTheGatewayAFailingServiceInRed() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    serveTheRest(gateway);
    gateway.on("GET", "/api/v1/admin/resilience", FakeGateway::json(200, testing::kResilience));
    ShownDashboard shown_dashboard(gateway, 1280);
    QVERIFY(shown_dashboard.settled());
    DashboardPage& page = shown_dashboard.page();
    QVERIFY2(page.stateText().startsWith("Updated"), qPrintable(page.stateText()));

    LiveFiguresPanel* figures = page.liveFigures();
    QVERIFY(figures->isVisible());
    QAbstractItemModel* services = figures->servicesView()->model();
    QCOMPARE(services->rowCount(), 4);
    QCOMPARE(services->index(1, ServiceFiguresModel::Service).data().toString(), QStringLiteral("payments"));
    const QModelIndex failing = services->index(1, ServiceFiguresModel::Errors);
    QCOMPARE(failing.data().toString(), QStringLiteral("6.00 %"));
    QVERIFY(redPixels(figures->servicesView(), failing) > 0);
    QCOMPARE(redPixels(figures->servicesView(), services->index(0, ServiceFiguresModel::Errors)), 0);
    QCOMPARE(figures->topicsView()->model()->rowCount(), 3);
    QVERIFY2(figures->headline().startsWith("Sagas 30.0/min completed, 12.0/min failed · errors over 1 %: payments"),
             qPrintable(figures->headline()));
    QCOMPARE(figures->headlineLabel()->palette().color(QPalette::WindowText), toneColor(Tone::Bad));
    QVERIFY2(figures->title().startsWith("Live figures from http://127.0.0.1:9090, last minute to "),
             qPrintable(figures->title()));
  }

  void withoutPrometheusThePanelSaysWhyAndAsksAgainNextTime() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    serveTheCalmParts(gateway);
    gateway.on("GET", "/api/v1/admin/resilience", FakeGateway::json(200, testing::kResilience));
    gateway.on("GET", "/api/v1/admin/observability", FakeGateway::json(200, testing::kObservability));
    gateway.on("GET", "/api/v1/admin/observability", FakeGateway::problem(503, testing::kPrometheusNotConfigured));
    gateway.on("GET", "/api/v1/admin/observability", FakeGateway::problem(503, testing::kPrometheusUnreachable));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    DashboardPage page(&api);
    QSignalSpy settled(&page, &Page::settled);
    LiveFiguresPanel* figures = page.liveFigures();

    page.refresh();
    QVERIFY(settled.wait(5000));
    QCOMPARE(figures->services()->rowCount(), 4);

    page.refresh();  // the gateway has lost its PROMETHEUS_URL: old figures go, the setting is named
    QVERIFY(settled.wait(5000));
    QCOMPARE(figures->services()->rowCount(), 0);
    QCOMPARE(figures->topics()->rowCount(), 0);
    QCOMPARE(figures->headline(),
             QStringLiteral("Prometheus is not configured: set PROMETHEUS_URL on the gateway to show the store's figures"));
    QCOMPARE(figures->headlineLabel()->palette().color(QPalette::WindowText), toneColor(Tone::Warning));
    QVERIFY2(page.stateText().contains("PROMETHEUS_URL"), qPrintable(page.stateText()));

    page.refresh();  // configured, but Prometheus does not answer
    QVERIFY(settled.wait(5000));
    QCOMPARE(figures->headline(),
             QStringLiteral("Live figures unavailable: Prometheus at http://127.0.0.1:9090 did not answer within 1500 ms"));
    QCOMPARE(figures->headlineLabel()->palette().color(QPalette::WindowText), toneColor(Tone::Bad));
    int asked = 0;
    for (const auto& request : gateway.requests()) asked += request.path == u"/api/v1/admin/observability" ? 1 : 0;
    QCOMPARE(asked, 3);
    QCOMPARE(page.resilience()->breakers()->rowCount(), 4);  // the rest of the dashboard is unaffected
  }
};

ADMIN_TEST(DashboardPageTest);

}  // namespace storefront::admin

#include "dashboard_page_test.moc"
