#include "app/pages/refund_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUuid>
#include <QVBoxLayout>

#include "app/view_helpers.h"
#include "core/api_client.h"
#include "core/requests.h"

namespace storefront::admin {

RefundDialog::RefundDialog(ApiClient* api, const Order& order, QWidget* parent)
    : QDialog(parent), api_(api), order_(order), idempotencyKey_(QUuid::createUuid().toString(QUuid::WithoutBraces)) {
  setWindowTitle(tr("Refund order %1").arg(shortId(order.orderId)));
  setMinimumWidth(420);
  auto* summary = new QLabel(tr("Order total %1, paid by %2 ending %3.")
                                 .arg(formatMoney(order.total),
                                      order.payment ? order.payment->cardBrand : tr("card"),
                                      order.payment ? order.payment->cardLast4 : QStringLiteral("????")),
                             this);
  amount_ = new QLineEdit(this);
  amount_->setPlaceholderText(tr("empty: refund everything captured"));
  reason_ = new QLineEdit(this);
  auto* form = new QFormLayout;
  form->addRow(tr("Amount (%1)").arg(order.total.currency), amount_);
  form->addRow(tr("Reason"), reason_);
  problems_ = makeProblemsLabel(this);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  save_ = buttons->addButton(tr("Refund"), QDialogButtonBox::AcceptRole);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary);
  layout->addLayout(form);
  layout->addWidget(problems_);
  layout->addWidget(buttons);

  connect(amount_, &QLineEdit::textChanged, this, &RefundDialog::revalidate);
  connect(reason_, &QLineEdit::textChanged, this, &RefundDialog::revalidate);
  connect(save_, &QPushButton::clicked, this, &RefundDialog::submit);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  revalidate();
}

void RefundDialog::revalidate() {
  if (busy_) return;
  const auto result = validateRefund(amount_->text(), reason_->text(), order_.total);
  save_->setEnabled(result.ok());
  const bool untouched = amount_->text().isEmpty() && reason_->text().isEmpty();
  showProblems(problems_, untouched ? QList<FieldError>() : result.errors);
}

void RefundDialog::submit() {
  auto result = validateRefund(amount_->text(), reason_->text(), order_.total);
  if (busy_ || !result.ok()) return;
  result.value.idempotencyKey = idempotencyKey_;
  busy_ = true;
  save_->setEnabled(false);
  api_->refundOrder(order_.orderId, result.value, this, [this](const ApiResult<Order>& refunded) {
    busy_ = false;
    if (!refunded.ok()) {
      save_->setEnabled(true);
      showProblem(problems_, tr("The gateway refused: %1").arg(refunded.error().message()));
      return;
    }
    emit this->refunded(refunded.value());
    accept();
  });
}

}  // namespace storefront::admin
