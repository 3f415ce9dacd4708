// Adjusts one product's stock with a reason. The checks of core/requests.h validateAdjustment
// run as the operator types (non-zero delta, restock adds, damaged removes, never below zero
// on hand); Save is enabled only when they pass. The Idempotency-Key is made once per dialog, so
// pressing Save again after a timeout cannot apply the adjustment twice.
#pragma once

#include <QDialog>

#include "core/dto.h"
#include "core/requests.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace storefront::admin {

class ApiClient;

class AdjustDialog : public QDialog {
  Q_OBJECT

 public:
  AdjustDialog(ApiClient* api, const StockLevel& level, const QString& productLabel, QWidget* parent = nullptr);

  QSpinBox* deltaSpin() const { return delta_; }
  QComboBox* reasonCombo() const { return reason_; }
  QLineEdit* noteEdit() const { return note_; }
  QPushButton* saveButton() const { return save_; }
  QString problemsText() const;
  AdjustmentRequest request() const;

 signals:
  void adjusted(const storefront::admin::AdjustmentResult& result);

 private:
  void revalidate();
  void submit();

  ApiClient* api_;
  StockLevel level_;
  QString idempotencyKey_;
  QSpinBox* delta_;
  QComboBox* reason_;
  QLineEdit* note_;
  QLabel* after_;
  QLabel* problems_;
  QPushButton* save_;
  bool busy_ = false;
};

}  // namespace storefront::admin
