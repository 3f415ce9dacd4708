#include "app/sign_in_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include "app/view_helpers.h"
#include "core/api_client.h"
#include "core/requests.h"

namespace storefront::admin {

SignInDialog::SignInDialog(ApiClient* api, QWidget* parent) : QDialog(parent), api_(api) {
  setWindowTitle(tr("Sign in — Storefront operator console"));
  setMinimumWidth(460);

  auto* heading = new QLabel(tr("<b>Storefront operator console</b><br>Sign in with an operator account."), this);
  notice_ = new QLabel(this);
  notice_->setWordWrap(true);
  notice_->hide();

  url_ = new QLineEdit(this);
  url_->setPlaceholderText(QStringLiteral("http://127.0.0.1:8080"));
  email_ = new QLineEdit(this);
  email_->setPlaceholderText(QStringLiteral("operator@storefront.local"));
  password_ = new QLineEdit(this);
  password_->setEchoMode(QLineEdit::Password);

  auto* form = new QFormLayout;
  form->addRow(tr("Gateway URL"), url_);
  form->addRow(tr("Email"), email_);
  form->addRow(tr("Password"), password_);

  message_ = makeProblemsLabel(this);

  buttons_ = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  signIn_ = buttons_->addButton(tr("Sign in"), QDialogButtonBox::AcceptRole);
  signIn_->setDefault(true);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(notice_);
  layout->addLayout(form);
  layout->addWidget(message_);
  layout->addStretch();
  layout->addWidget(buttons_);

  for (QLineEdit* edit : {url_, email_, password_}) {
    connect(edit, &QLineEdit::textEdited, this, [this] {
      touched_ = true;
      revalidate();
    });
  }
  connect(signIn_, &QPushButton::clicked, this, &SignInDialog::submit);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  revalidate();
}

void SignInDialog::setGatewayUrl(const QString& url) {
  url_->setText(url);
  revalidate();
}
void SignInDialog::setEmail(const QString& email) {
  email_->setText(email);
  revalidate();
}
void SignInDialog::setPassword(const QString& password) {
  password_->setText(password);
  revalidate();
}
QString SignInDialog::gatewayUrl() const { return url_->text().trimmed(); }
QString SignInDialog::email() const { return email_->text().trimmed(); }
QString SignInDialog::message() const { return message_->isHidden() ? QString() : message_->text(); }

void SignInDialog::setNotice(const QString& notice) {
  notice_->setText(notice);
  notice_->setVisible(!notice.isEmpty());
}

QStringList SignInDialog::problems() const {
  QStringList out;
  for (const auto& p : validateSignIn({url_->text(), email_->text(), password_->text()})) {
    out << p.field + QStringLiteral(": ") + p.detail;
  }
  return out;
}

void SignInDialog::revalidate() {
  const QStringList current = problems();
  signIn_->setEnabled(current.isEmpty() && !busy_);
  // Show what is wrong once the operator has typed, but not the empty password of a fresh form.
  if (!busy_) showProblem(message_, touched_ ? current.join(u'\n') : QString());
}

void SignInDialog::setBusy(bool busy) {
  busy_ = busy;
  for (QLineEdit* edit : {url_, email_, password_}) edit->setEnabled(!busy);
  signIn_->setText(busy ? tr("Signing in…") : tr("Sign in"));
  signIn_->setEnabled(!busy && problems().isEmpty());
}

void SignInDialog::submit() {
  if (busy_) return;
  touched_ = true;
  const QStringList current = problems();
  if (!current.isEmpty()) {
    showProblem(message_, current.join(u'\n'));
    emit signInFailed(current.join(u'\n'));
    return;
  }
  showProblem(message_, QString());
  setBusy(true);
  api_->setBaseUrl(QUrl(gatewayUrl()));
  api_->login(email(), password_->text(), this, [this](const ApiResult<Session>& result) {
    setBusy(false);
    if (!result.ok()) {
      const QString text = tr("Sign-in failed: %1").arg(result.error().message());
      showProblem(message_, text);
      emit signInFailed(text);
      return;
    }
    const QString role = result.value().role();
    if (!role.isEmpty() && role != u"operator") {
      api_->signOut();
      const QString text = tr("This account is a %1; the console needs an operator account.").arg(role);
      showProblem(message_, text);
      emit signInFailed(text);
      return;
    }
    password_->clear();
    touched_ = false;
    revalidate();
    emit signedIn();
    accept();
  });
}

}  // namespace storefront::admin
