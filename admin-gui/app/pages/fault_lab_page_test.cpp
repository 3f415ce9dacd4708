// FaultLabPage against FakeGateway: Apply sends the PUT the form describes, Clear all asks first
// and then sends the DELETE, and a refusal is shown in words on the page.
#include "app/pages/fault_lab_page.h"

#include <QComboBox>
#include <QJsonDocument>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include "core/testing/fake_gateway.h"
#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

using testing::FakeGateway;

namespace {

// The confirmation the page has open, if any (a closed one may still await deletion).
QMessageBox* openConfirmation(QWidget* page) {
  for (QMessageBox* box : page->findChildren<QMessageBox*>()) {
    if (box->isVisible()) return box;
  }
  return nullptr;
}

}  // namespace

class FaultLabPageTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<FakeGateway> gateway_;
  std::unique_ptr<ApiClient> api_;
  std::unique_ptr<FaultLabPage> page_;

  // Opens the page on the two sample faults; later reads of the list get `later` if given.
  void openPage(const QByteArray& later = {}) {
    gateway_->on("GET", "/api/v1/admin/faults", FakeGateway::json(200, testing::kFaults));
    if (!later.isEmpty()) gateway_->on("GET", "/api/v1/admin/faults", FakeGateway::json(200, later));
    page_ = std::make_unique<FaultLabPage>(api_.get());
    page_->show();
    QSignalSpy settled(page_.get(), &Page::settled);
    page_->refresh();
    QVERIFY(settled.wait(5000));
    QCOMPARE(page_->model()->rowCount(), 2);
  }

  int requestsTo(const QByteArray& method, const QString& path) const {
    int count = 0;
    for (const auto& r : gateway_->requests()) count += r.method == method && r.path == path ? 1 : 0;
    return count;
  }

 private slots:
  void init() {
    gateway_ = std::make_unique<FakeGateway>();
    QVERIFY(gateway_->listen());
    api_ = std::make_unique<ApiClient>();
    api_->setBaseUrl(gateway_->url());
  }
  void cleanup() {
    page_.reset();
    api_.reset();
    gateway_.reset();
  }

  void aFreshFormOffersEveryMethodAndCannotApplyNothing() {
    openPage();
    QCOMPARE(page_->serviceCombo()->currentText(), QStringLiteral("catalog"));
    QCOMPARE(page_->methodCombo()->currentText(), QStringLiteral("*"));
    QVERIFY(!page_->applyButton()->isEnabled());  // all zeros
    QVERIFY(page_->problemsText().isEmpty());     // not shouted at before typing
    QVERIFY(!page_->clearSelectedButton()->isEnabled());
    QVERIFY(page_->clearAllButton()->isEnabled());

    page_->serviceCombo()->setCurrentText("payments");
    QCOMPARE(page_->methodCombo()->itemText(0), QStringLiteral("*"));
    QVERIFY(page_->methodCombo()->findText("Authorize") > 0);
    page_->errorSpin()->setValue(10);
    QVERIFY(page_->applyButton()->isEnabled());
    page_->errorSpin()->setValue(0);
    QVERIFY(!page_->applyButton()->isEnabled());
    QVERIFY2(page_->problemsText().contains("to remove a fault, clear it"), qPrintable(page_->problemsText()));
    page_->methodCombo()->setCurrentText("Authorize/Capture");
    QVERIFY2(page_->problemsText().contains("method: must be *"), qPrintable(page_->problemsText()));
  }

  void applySendsThePutTheFormDescribes() {
    openPage();
    gateway_->on("PUT", "/api/v1/admin/faults/payments/Authorize", FakeGateway::json(200, testing::kFault));
    QSignalSpy notices(page_.get(), &Page::notice);
    page_->serviceCombo()->setCurrentText("payments");
    page_->methodCombo()->setCurrentText("Authorize");
    page_->latencySpin()->setValue(500);
    page_->abortSpin()->setValue(5);
    QVERIFY(page_->applyButton()->isEnabled());

    page_->applyButton()->click();
    QVERIFY(!page_->applyButton()->isEnabled());  // in flight: no second one on top
    QVERIFY(notices.wait(5000));
    QCOMPARE(requestsTo("PUT", "/api/v1/admin/faults/payments/Authorize"), 1);
    const auto put = std::find_if(gateway_->requests().begin(), gateway_->requests().end(),
                                  [](const auto& r) { return r.method == "PUT"; });
    QCOMPARE(put->headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(QJsonDocument::fromJson(put->body).object(),
             (QJsonObject{{"latency_ms", 500}, {"error_percent", 0}, {"abort_percent", 5}}));
    QCOMPARE(notices[0][0].toString(), QStringLiteral("Fault on payments/Authorize: +500 ms"));
    QTRY_COMPARE(requestsTo("GET", "/api/v1/admin/faults"), 2);  // the list is read again
    QVERIFY(page_->problemsText().isEmpty());
  }

  void aRefusalIsShownOnThePageAndInTheMessageArea() {
    openPage();
    gateway_->on("PUT", "/api/v1/admin/faults/payments/Authorise",
                 FakeGateway::problem(400, testing::kInvalidFaultProblem));
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);  // what the main window's message area shows
    page_->serviceCombo()->setCurrentText("payments");
    page_->methodCombo()->setCurrentText("Authorise");
    page_->latencySpin()->setValue(500);
    page_->applyButton()->click();
    QVERIFY(failures.wait(5000));
    QTRY_VERIFY(page_->applyButton()->isEnabled());  // the operator may correct and retry
    QCOMPARE(page_->problemsText(),
             QStringLiteral("The gateway refused the fault: Invalid request (method: payments has no RPC named Authorise)"));
    QCOMPARE(failures.count(), 1);
    QCOMPARE(page_->model()->rowCount(), 2);  // nothing was added
  }

  void selectingAFaultFillsTheFormAndClearSelectedDeletesIt() {
    openPage();
    gateway_->on("DELETE", "/api/v1/admin/faults/inventory/*", FakeGateway::noContent());
    // Sorted by service: inventory/* first, then payments/Authorize.
    page_->view()->selectRow(0);
    QCOMPARE(page_->serviceCombo()->currentText(), QStringLiteral("inventory"));
    QCOMPARE(page_->methodCombo()->currentText(), QStringLiteral("*"));
    QCOMPARE(page_->errorSpin()->value(), 20);
    QCOMPARE(page_->abortSpin()->value(), 5);
    QVERIFY(page_->clearSelectedButton()->isEnabled());

    QSignalSpy notices(page_.get(), &Page::notice);
    page_->clearSelectedButton()->click();
    QVERIFY(notices.wait(5000));
    QCOMPARE(notices[0][0].toString(), QStringLiteral("Fault on inventory/* cleared"));
    const auto del = std::find_if(gateway_->requests().begin(), gateway_->requests().end(),
                                  [](const auto& r) { return r.method == "DELETE"; });
    QVERIFY(del != gateway_->requests().end());
    QCOMPARE(del->rawPath, QByteArray("/api/v1/admin/faults/inventory/*"));
  }

  void clearAllAsksFirstAndThenSendsTheDelete() {
    openPage(R"({"items": []})");
    gateway_->on("DELETE", "/api/v1/admin/faults", FakeGateway::noContent());

    page_->clearAllButton()->click();
    QMessageBox* confirm = openConfirmation(page_.get());
    QVERIFY(confirm);
    QVERIFY2(confirm->text().contains("every fault in every service"), qPrintable(confirm->text()));
    QCOMPARE(api_->requestsInFlight(), 0);  // nothing is sent before the answer
    confirm->button(QMessageBox::Cancel)->click();
    QCOMPARE(api_->requestsInFlight(), 0);
    QCOMPARE(requestsTo("DELETE", "/api/v1/admin/faults"), 0);
    QVERIFY(!openConfirmation(page_.get()));

    page_->clearAllButton()->click();
    confirm = openConfirmation(page_.get());
    QVERIFY(confirm);
    QSignalSpy notices(page_.get(), &Page::notice);
    confirm->button(QMessageBox::Yes)->click();
    QCOMPARE(api_->requestsInFlight(), 1);
    QVERIFY(notices.wait(5000));
    QCOMPARE(notices[0][0].toString(), QStringLiteral("Every fault cleared"));
    QCOMPARE(requestsTo("DELETE", "/api/v1/admin/faults"), 1);
    QCOMPARE(page_->model()->rowCount(), 0);
    QTRY_VERIFY2(page_->stateText().contains("no faults switched on"), qPrintable(page_->stateText()));
  }

  void aFailedClearAllIsShownInWords() {
    openPage();
    gateway_->on("DELETE", "/api/v1/admin/faults",
                 FakeGateway::problem(403, R"({"title":"Forbidden","status":403,"detail":"operator role required"})"));
    page_->clearAllButton()->click();
    QMessageBox* confirm = openConfirmation(page_.get());
    QVERIFY(confirm);
    QSignalSpy failures(api_.get(), &ApiClient::requestFailed);
    confirm->button(QMessageBox::Yes)->click();
    QVERIFY(failures.wait(5000));
    QTRY_COMPARE(page_->problemsText(), QStringLiteral("Could not clear the faults: Forbidden: operator role required"));
    QCOMPARE(page_->model()->rowCount(), 2);  // still on, as far as anyone knows
  }

  void aListThatCannotBeReadIsOnTheStateLine() {
    gateway_->on("GET", "/api/v1/admin/faults",
                 FakeGateway::problem(403, R"({"title":"Forbidden","status":403,"detail":"operator role required"})"));
    FaultLabPage page(api_.get());
    QSignalSpy settled(&page, &Page::settled);
    page.refresh();
    QVERIFY(settled.wait(5000));
    QVERIFY2(page.stateText().contains("Forbidden: operator role required"), qPrintable(page.stateText()));
  }
};

ADMIN_TEST(FaultLabPageTest);

}  // namespace storefront::admin

#include "fault_lab_page_test.moc"
