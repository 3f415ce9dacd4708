#include "app/sign_in_dialog.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "core/api_client.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

class SignInDialogTest : public QObject {
  Q_OBJECT

 private slots:
  void signInIsEnabledOnlyWhenEveryFieldPasses() {
    ApiClient api;
    SignInDialog dialog(&api);
    QVERIFY(!dialog.signInButton()->isEnabled());  // empty form
    QCOMPARE(dialog.message(), QString());         // but no red text before typing

    dialog.setGatewayUrl("http://127.0.0.1:8080");
    dialog.setEmail("op@storefront.local");
    dialog.setPassword("secret");
    QVERIFY(dialog.problems().isEmpty());
    QVERIFY(dialog.signInButton()->isEnabled());

    dialog.setGatewayUrl("127.0.0.1:8080");  // no scheme
    QVERIFY(!dialog.signInButton()->isEnabled());
    QCOMPARE(dialog.problems(), QStringList{"gateway_url: must be an http(s) URL such as http://127.0.0.1:8080"});
  }

  void typingShowsWhatIsWrong() {
    ApiClient api;
    SignInDialog dialog(&api);
    dialog.setGatewayUrl("http://127.0.0.1:8080");
    auto* email = dialog.findChildren<QLineEdit*>().at(1);
    QTest::keyClicks(email, "not-an-email");
    QVERIFY(dialog.message().contains("email: must be an email address"));
    QVERIFY(dialog.message().contains("password: is required"));
    QVERIFY(!dialog.signInButton()->isEnabled());
  }

  void submittingAnInvalidFormSendsNothingAndSaysWhy() {
    ApiClient api;
    SignInDialog dialog(&api);
    QSignalSpy failed(&dialog, &SignInDialog::signInFailed);
    dialog.setGatewayUrl("ftp://example.com");
    dialog.submit();
    QCOMPARE(failed.count(), 1);
    QCOMPARE(api.requestsInFlight(), 0);
    QVERIFY(dialog.message().contains("gateway_url"));
  }

  void anUnreachableGatewayIsSaidInWordsAndTheFormComesBack() {
    ApiClient api;
    api.setTimeout(std::chrono::milliseconds(3000));
    SignInDialog dialog(&api);
    dialog.setGatewayUrl("http://127.0.0.1:1");  // nothing listens on port 1
    dialog.setEmail("op@storefront.local");
    dialog.setPassword("secret");
    QSignalSpy failed(&dialog, &SignInDialog::signInFailed);
    dialog.submit();
    QVERIFY(dialog.isBusy());  // submit() returned at once; the login is in flight
    QVERIFY(failed.wait(5000));
    QVERIFY(!dialog.isBusy());
    QVERIFY2(dialog.message().startsWith("Sign-in failed: Cannot reach the gateway"), qPrintable(dialog.message()));
    QVERIFY(dialog.signInButton()->isEnabled());
  }
};

ADMIN_TEST(SignInDialogTest);

}  // namespace storefront::admin

#include "sign_in_dialog_test.moc"
