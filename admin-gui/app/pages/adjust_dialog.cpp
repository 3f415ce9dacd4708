#include "app/pages/adjust_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUuid>
#include <QVBoxLayout>

#include "app/view_helpers.h"
#include "core/api_client.h"

namespace storefront::admin {

AdjustDialog::AdjustDialog(ApiClient* api, const StockLevel& level, const QString& productLabel, QWidget* parent)
    : QDialog(parent), api_(api), level_(level), idempotencyKey_(QUuid::createUuid().toString(QUuid::WithoutBraces)) {
  setWindowTitle(tr("Adjust stock"));
  setMinimumWidth(420);

  auto* current = new QLabel(tr("<b>%1</b><br>%2 on hand, %3 reserved, %4 available")
                                 .arg(productLabel.toHtmlEscaped())
                                 .arg(level.onHand)
                                 .arg(level.reserved)
                                 .arg(level.available),
                             this);
  delta_ = new QSpinBox(this);
  delta_->setRange(-1'000'000, 1'000'000);
  delta_->setValue(0);
  reason_ = new QComboBox(this);
  for (const QString& reason : adjustmentReasons()) reason_->addItem(reason);
  note_ = new QLineEdit(this);
  note_->setPlaceholderText(tr("e.g. pallet 7 received"));
  after_ = new QLabel(this);

  auto* form = new QFormLayout;
  form->addRow(tr("Change (+/-)"), delta_);
  form->addRow(tr("Reason"), reason_);
  form->addRow(tr("Note"), note_);
  form->addRow(tr("On hand after"), after_);

  problems_ = makeProblemsLabel(this);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  save_ = buttons->addButton(tr("Adjust"), QDialogButtonBox::AcceptRole);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(current);
  layout->addLayout(form);
  layout->addWidget(problems_);
  layout->addWidget(buttons);

  connect(delta_, &QSpinBox::valueChanged, this, &AdjustDialog::revalidate);
  connect(reason_, &QComboBox::currentIndexChanged, this, &AdjustDialog::revalidate);
  connect(note_, &QLineEdit::textChanged, this, &AdjustDialog::revalidate);
  connect(save_, &QPushButton::clicked, this, &AdjustDialog::submit);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  revalidate();
}

AdjustmentRequest AdjustDialog::request() const {
  return {delta_->value(), reason_->currentText(), note_->text().trimmed(), idempotencyKey_};
}

QString AdjustDialog::problemsText() const { return problems_->isHidden() ? QString() : problems_->text(); }

void AdjustDialog::revalidate() {
  if (busy_) return;
  const auto errors = validateAdjustment(request(), level_.onHand);
  after_->setText(QString::number(level_.onHand + delta_->value()));
  save_->setEnabled(errors.isEmpty());
  // A fresh dialog (delta 0) is not an error yet; say what is wrong once something was typed.
  const bool untouched = delta_->value() == 0 && note_->text().isEmpty();
  showProblems(problems_, untouched ? QList<FieldError>() : errors);
}

void AdjustDialog::submit() {
  const AdjustmentRequest adjustment = request();
  if (busy_ || !validateAdjustment(adjustment, level_.onHand).isEmpty()) return;
  busy_ = true;
  save_->setEnabled(false);
  save_->setText(tr("Adjusting…"));
  api_->adjustStock(level_.productId, adjustment, this, [this](const ApiResult<AdjustmentResult>& result) {
    busy_ = false;
    save_->setText(tr("Adjust"));
    if (!result.ok()) {
      save_->setEnabled(true);  // retrying reuses the same Idempotency-Key
      showProblem(problems_, tr("The gateway refused: %1").arg(result.error().message()));
      return;
    }
    emit adjusted(result.value());
    accept();
  });
}

}  // namespace storefront::admin
