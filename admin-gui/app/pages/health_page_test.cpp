// HealthPage shows the Breaker column only when the gateway reports breakers.
#include "app/pages/health_page.h"

#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::FakeGateway;

class HealthPageTest : public QObject {
  Q_OBJECT

 private slots:
  void theBreakerColumnAppearsWhenTheGatewayReportsBreakers() {
    FakeGateway gateway;
    QVERIFY(gateway.listen());
    gateway.on("GET", "/api/v1/admin/system/health", FakeGateway::json(200, testing::kHealth));
    gateway.on("GET", "/api/v1/admin/system/health", FakeGateway::json(200, testing::kHealthWithBreakers));
    ApiClient api;
    api.setBaseUrl(gateway.url());
    HealthPage page(&api);
    QSignalSpy settled(&page, &Page::settled);

    page.refresh();
    QVERIFY(settled.wait(5000));
    QVERIFY(page.view()->isColumnHidden(HealthModel::Breaker));

    page.refresh();
    QVERIFY(settled.wait(5000));
    QVERIFY(!page.view()->isColumnHidden(HealthModel::Breaker));
    QCOMPARE(page.view()->model()->index(1, HealthModel::Breaker).data().toString(), QStringLiteral("open"));
  }
};

ADMIN_TEST(HealthPageTest);

}  // namespace storefront::admin

#include "health_page_test.moc"
