#include "app/pages/product_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "app/view_helpers.h"
#include "core/api_client.h"
#include "core/requests.h"

namespace storefront::admin {

ProductDialog::ProductDialog(ApiClient* api, const QList<Category>& categories, std::optional<Product> product,
                             QWidget* parent)
    : QDialog(parent), api_(api), product_(std::move(product)) {
  setWindowTitle(product_ ? tr("Edit %1").arg(product_->sku) : tr("New product"));
  setMinimumWidth(480);

  sku_ = new QLineEdit(this);
  sku_->setPlaceholderText(QStringLiteral("HOM-LP-0001"));
  name_ = new QLineEdit(this);
  description_ = new QPlainTextEdit(this);
  description_->setMaximumHeight(90);
  price_ = new QLineEdit(this);
  price_->setPlaceholderText(QStringLiteral("12.50"));
  currency_ = new QLineEdit(QStringLiteral("USD"), this);
  currency_->setMaximumWidth(60);
  category_ = new QComboBox(this);
  category_->setEditable(true);  // a new category slug can be typed
  for (const auto& c : categories) category_->addItem(c.id);
  category_->setCurrentText(QString());
  imageUrl_ = new QLineEdit(this);
  imageUrl_->setPlaceholderText(QStringLiteral("https://…"));
  active_ = new QCheckBox(tr("Active (shoppers can see and buy it)"), this);
  active_->setChecked(true);

  auto* priceRow = new QHBoxLayout;
  priceRow->addWidget(price_, 1);
  priceRow->addWidget(currency_);
  auto* form = new QFormLayout;
  form->addRow(tr("SKU"), sku_);
  form->addRow(tr("Name"), name_);
  form->addRow(tr("Description"), description_);
  form->addRow(tr("Price"), priceRow);
  form->addRow(tr("Category"), category_);
  form->addRow(tr("Image URL"), imageUrl_);
  form->addRow(QString(), active_);

  if (product_) {
    sku_->setText(product_->sku);
    sku_->setReadOnly(true);  // the API cannot change a SKU
    name_->setText(product_->name);
    description_->setPlainText(product_->description);
    if (product_->price.isValid()) {
      price_->setText(formatPlainAmount(product_->price.amountMinor, product_->price.currency));
      currency_->setText(product_->price.currency);
    }
    category_->setCurrentText(product_->categoryId);
    imageUrl_->setText(product_->imageUrl);
    active_->setChecked(product_->active);
  } else {
    active_->hide();  // new products start active
  }

  problems_ = makeProblemsLabel(this);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  save_ = buttons->addButton(product_ ? tr("Save") : tr("Create"), QDialogButtonBox::AcceptRole);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(problems_);
  layout->addWidget(buttons);

  for (QLineEdit* edit : {sku_, name_, price_, currency_, imageUrl_}) {
    connect(edit, &QLineEdit::textChanged, this, &ProductDialog::revalidate);
  }
  connect(description_, &QPlainTextEdit::textChanged, this, &ProductDialog::revalidate);
  connect(category_, &QComboBox::currentTextChanged, this, &ProductDialog::revalidate);
  connect(save_, &QPushButton::clicked, this, &ProductDialog::submit);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  revalidate();
}

ProductInput ProductDialog::input() const {
  ProductInput in;
  in.sku = sku_->text();
  in.name = name_->text();
  in.description = description_->toPlainText();
  in.price = price_->text();
  in.currency = currency_->text();
  in.categoryId = category_->currentText();
  in.imageUrl = imageUrl_->text();
  in.active = active_->isChecked();
  return in;
}

QStringList ProductDialog::problems() const {
  QStringList out;
  for (const auto& p : validateProduct(input(), !product_).errors) out << p.field + QStringLiteral(": ") + p.detail;
  return out;
}

void ProductDialog::revalidate() {
  if (busy_) return;
  const auto result = validateProduct(input(), !product_);
  save_->setEnabled(result.ok());
  showProblems(problems_, result.errors);
}

void ProductDialog::submit() {
  const auto result = validateProduct(input(), !product_);
  if (!result.ok() || busy_) return;
  busy_ = true;
  save_->setEnabled(false);
  save_->setText(tr("Saving…"));
  auto done = [this](const ApiResult<Product>& saved) {
    busy_ = false;
    save_->setText(product_ ? tr("Save") : tr("Create"));
    if (!saved.ok()) {
      save_->setEnabled(true);
      showProblem(problems_, tr("The gateway refused: %1").arg(saved.error().message()));
      return;
    }
    emit this->saved(saved.value());
    accept();
  };
  if (product_) api_->updateProduct(product_->id, result.value, this, done);
  else api_->createProduct(result.value, this, done);
}

}  // namespace storefront::admin
