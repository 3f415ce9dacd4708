// Asks for the gateway URL, email and password, and signs in without blocking: the dialog stays
// responsive (and cancellable) while the login request is in flight. Fields are checked as they
// are typed (core/requests.h validateSignIn); the Sign in button is enabled only when they pass.
// On success the password is wiped from the field; the token stays inside ApiClient.
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace storefront::admin {

class ApiClient;

class SignInDialog : public QDialog {
  Q_OBJECT

 public:
  explicit SignInDialog(ApiClient* api, QWidget* parent = nullptr);

  void setGatewayUrl(const QString& url);
  void setEmail(const QString& email);
  void setPassword(const QString& password);
  QString gatewayUrl() const;
  QString email() const;
  // A line above the form, e.g. "Your session has expired".
  void setNotice(const QString& notice);

  // The problems that keep the Sign in button disabled, one "field: detail" per entry.
  QStringList problems() const;
  QPushButton* signInButton() const { return signIn_; }
  QString message() const;  // what the message line says now
  bool isBusy() const { return busy_; }

 public slots:
  // Validates, then logs in asynchronously; accept() on success.
  void submit();

 signals:
  void signedIn();
  void signInFailed(const QString& message);

 private:
  void revalidate();
  void setBusy(bool busy);

  ApiClient* api_;
  QLabel* notice_;
  QLineEdit* url_;
  QLineEdit* email_;
  QLineEdit* password_;
  QLabel* message_;
  QDialogButtonBox* buttons_;
  QPushButton* signIn_;
  bool busy_ = false;
  bool touched_ = false;  // no red text before the operator has typed anything
};

}  // namespace storefront::admin
