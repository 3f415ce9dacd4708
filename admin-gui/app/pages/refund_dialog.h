// Refunds an order, fully (amount left empty) or in part, with a reason. Checked as typed
// (core/requests.h validateRefund); one Idempotency-Key per dialog, so a retried refund is
// paid once.
#pragma once

#include <QDialog>

#include "core/dto.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace storefront::admin {

class ApiClient;

class RefundDialog : public QDialog {
  Q_OBJECT

 public:
  RefundDialog(ApiClient* api, const Order& order, QWidget* parent = nullptr);

 signals:
  void refunded(const storefront::admin::Order& order);

 private:
  void revalidate();
  void submit();

  ApiClient* api_;
  Order order_;
  QString idempotencyKey_;
  QLineEdit* amount_;
  QLineEdit* reason_;
  QLabel* problems_;
  QPushButton* save_;
  bool busy_ = false;
};

}  // namespace storefront::admin
