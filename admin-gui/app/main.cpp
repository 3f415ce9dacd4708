// storefront-admin: the composition root. Reads the command line and QSettings, builds the API
// client, the sign-in dialog and the main window, and wires them; everything else lives in
// admin_core (no widgets) and in the pages.
#include <QApplication>
#include <QCommandLineParser>
#include <QDebug>
#include <QTimer>

#include <memory>

#include "app/main_window.h"
#include "app/pages/page.h"
#include "app/preferences.h"
#include "app/screenshot.h"
#include "app/sign_in_dialog.h"
#include "core/api_client.h"

using namespace storefront::admin;

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Storefront"));
  QApplication::setApplicationName(QStringLiteral("storefront-admin"));
  QApplication::setApplicationDisplayName(QStringLiteral("Storefront operator console"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("The Storefront operator console."));
  parser.addHelpOption();
  const QCommandLineOption url("url", "Gateway URL (default: the last one used, or http://127.0.0.1:8080).", "URL");
  const QCommandLineOption email("email", "Email to sign in with.", "EMAIL");
  const QCommandLineOption passwordEnv("password-env", "Read the password from environment variable VAR "
                                                       "(so it never appears in the process list).", "VAR");
  const QCommandLineOption autologin("autologin", "Sign in at once with --email and --password-env.");
  const QCommandLineOption page("page", "Page to open: signin, " + MainWindow::pageNames().join(", ") + ".",
                                "NAME", "dashboard");
  const QCommandLineOption screenshot("screenshot", "Save a PNG of the page (or the sign-in dialog) once its data "
                                                    "or its error is shown.", "FILE");
  const QCommandLineOption quitAfter("quit-after-screenshot", "Exit once the screenshot is saved.");
  const QCommandLineOption timeout("screenshot-timeout", "Take the screenshot anyway after this many seconds.",
                                   "SECONDS", "15");
  const QCommandLineOption noSignIn("no-sign-in", "Open the main window without signing in: requests go without a "
                                                  "token and the pages show the gateway's answer (a preview of the "
                                                  "layout and of how errors look).");
  parser.addOptions({url, email, passwordEnv, autologin, page, screenshot, quitAfter, timeout, noSignIn});
  parser.process(app);

  const QString pageName = parser.value(page);
  if (pageName != u"signin" && !MainWindow::pageNames().contains(pageName)) {
    qCritical().noquote() << "storefront-admin: unknown page" << pageName;
    return 2;
  }

  Preferences preferences;
  ApiClient api;
  MainWindow window(&api, &preferences);
  SignInDialog signIn(&api);

  // Errors also go to stderr, so a scripted run (tools/screenshots.sh) leaves a trail.
  QObject::connect(&api, &ApiClient::requestFailed,
                   [](const ApiError& error) { qWarning().noquote() << "storefront-admin:" << error.describe(); });

  const QString gatewayUrl = parser.isSet(url) ? parser.value(url) : preferences.gatewayUrl();
  signIn.setGatewayUrl(gatewayUrl);
  signIn.setEmail(parser.isSet(email) ? parser.value(email) : preferences.email());
  if (parser.isSet(passwordEnv)) signIn.setPassword(qEnvironmentVariable(qPrintable(parser.value(passwordEnv))));

  QObject::connect(&signIn, &SignInDialog::signedIn, &window, [&] {
    preferences.setGatewayUrl(signIn.gatewayUrl());
    preferences.setEmail(signIn.email());
    window.show();
    if (pageName != u"signin") window.showPage(pageName);
    window.startSession();
  });
  QObject::connect(&signIn, &QDialog::rejected, &app, &QApplication::quit);
  QObject::connect(&window, &MainWindow::signInRequested, &signIn, [&](const QString& notice) {
    signIn.setNotice(notice);
    signIn.open();
  });

  std::unique_ptr<Screenshot> shot;
  if (parser.isSet(screenshot)) {
    shot = std::make_unique<Screenshot>(parser.value(screenshot),
                                        std::chrono::seconds(std::max(1, parser.value(timeout).toInt())),
                                        parser.isSet(quitAfter));
    shot->setFallback([&]() -> QWidget* { return window.isVisible() ? static_cast<QWidget*>(&window) : &signIn; });
    if (pageName == u"signin") {
      // The dialog as an operator first sees it (or with the error, if --autologin failed).
      QTimer::singleShot(0, &signIn, [&] {
        if (!parser.isSet(autologin)) shot->capture(&signIn, "sign-in dialog");
      });
      QObject::connect(&signIn, &SignInDialog::signInFailed, shot.get(),
                       [&] { shot->capture(&signIn, "sign-in failed"); });
      QObject::connect(&signIn, &SignInDialog::signedIn, shot.get(), [&] { shot->capture(&window, "signed in"); });
    } else {
      QObject::connect(&window, &MainWindow::pageSettled, shot.get(), [&] { shot->capture(&window, "page loaded"); });
      QObject::connect(&signIn, &SignInDialog::signInFailed, shot.get(),
                       [&] { shot->capture(&signIn, "sign-in failed"); });
    }
    shot->start();
  }

  if (parser.isSet(noSignIn)) {
    api.setBaseUrl(QUrl(gatewayUrl));
    window.show();
    window.showPage(pageName == u"signin" ? QStringLiteral("dashboard") : pageName);
    window.currentPage()->refresh();
  } else {
    signIn.show();
    if (parser.isSet(autologin)) QTimer::singleShot(0, &signIn, &SignInDialog::submit);
  }
  return app.exec();
}
