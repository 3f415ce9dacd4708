#include "app/pages/products_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>

#include "app/pages/product_dialog.h"
#include "app/view_helpers.h"

namespace storefront::admin {

ProductsPage::ProductsPage(ApiClient* api, QWidget* parent) : Page(api, tr("Products"), parent) {
  proxy_.setSourceModel(&model_);

  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("Filter by SKU or name"));
  filter_->setClearButtonEnabled(true);
  category_ = new QComboBox(this);
  category_->addItem(tr("All categories"), QString());
  showInactive_ = new QCheckBox(tr("Show inactive"), this);
  showInactive_->setChecked(true);
  auto* create = new QPushButton(tr("New product…"), this);
  edit_ = new QPushButton(tr("Edit…"), this);
  deactivate_ = new QPushButton(tr("Deactivate"), this);

  auto* bar = new QHBoxLayout;
  bar->addWidget(filter_, 1);
  bar->addWidget(category_);
  bar->addWidget(showInactive_);
  bar->addStretch();
  bar->addWidget(create);
  bar->addWidget(edit_);
  bar->addWidget(deactivate_);
  body()->addLayout(bar);

  view_ = new QTableView(this);
  view_->setModel(&proxy_);
  setUpTable(view_);
  view_->sortByColumn(ProductsModel::Sku, Qt::AscendingOrder);
  view_->setColumnWidth(ProductsModel::Name, 260);
  body()->addWidget(view_, 1);

  connect(filter_, &QLineEdit::textChanged, &proxy_, &ProductFilterModel::setText);
  connect(category_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_.setCategory(category_->currentData().toString()); });
  connect(showInactive_, &QCheckBox::toggled, &proxy_, &ProductFilterModel::setShowInactive);
  connect(create, &QPushButton::clicked, this, [this] { openEditor(std::nullopt); });
  connect(edit_, &QPushButton::clicked, this, [this] { openEditor(selected()); });
  connect(view_, &QTableView::doubleClicked, this, [this] { openEditor(selected()); });
  connect(deactivate_, &QPushButton::clicked, this, &ProductsPage::deactivateSelected);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ProductsPage::updateButtons);
  connect(&model_, &QAbstractItemModel::dataChanged, this, &ProductsPage::updateButtons);
  updateButtons();
}

void ProductsPage::load() {
  expect(2);
  api_->listProducts({}, this, [this](const ApiResult<ListResult<Product>>& result) {
    if (result.ok()) {
      model_.setRows(result.value().items);
      setSummary(tr("%1 products%2").arg(result.value().items.size())
                     .arg(result.value().truncated ? tr(" (first pages only)") : QString()));
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
  api_->listCategories(this, [this](const ApiResult<QList<Category>>& result) {
    if (result.ok()) setCategories(result.value());
    partDone(result.ok() ? nullptr : &result.error());
  });
}

void ProductsPage::setCategories(const QList<Category>& categories) {
  categories_ = categories;
  const QString current = category_->currentData().toString();
  QSignalBlocker block(category_);  // rebuilding the list is not the operator choosing
  category_->clear();
  category_->addItem(tr("All categories"), QString());
  for (const auto& c : categories) category_->addItem(c.name.isEmpty() ? c.id : c.name, c.id);
  category_->setCurrentIndex(std::max(0, category_->findData(current)));
}

std::optional<Product> ProductsPage::selected() const {
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return std::nullopt;
  return model_.rowAt(proxy_.mapToSource(rows.first()).row());
}

void ProductsPage::updateButtons() {
  const auto product = selected();
  edit_->setEnabled(product.has_value());
  deactivate_->setEnabled(product && product->active);
}

void ProductsPage::openEditor(std::optional<Product> product) {
  auto* dialog = new ProductDialog(api_, categories_, product, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &ProductDialog::saved, this, [this](const Product& saved) {
    model_.upsert(saved);
    emit notice(tr("Product %1 saved").arg(saved.sku));
  });
  dialog->open();
}

void ProductsPage::deactivateSelected() {
  const auto product = selected();
  if (!product) return;
  auto* confirm = new QMessageBox(QMessageBox::Question, tr("Deactivate product"),
                                  tr("Deactivate %1 (%2)? Shoppers will no longer see it.").arg(product->sku, product->name),
                                  QMessageBox::Yes | QMessageBox::Cancel, this);
  confirm->setAttribute(Qt::WA_DeleteOnClose);
  const QString id = product->id;
  connect(confirm, &QMessageBox::accepted, this, [this, id] {
    api_->deactivateProduct(id, this, [this](const ApiResult<Product>& result) {
      if (!result.ok()) return;  // ApiClient::requestFailed already put it in the message area
      model_.upsert(result.value());
      emit notice(tr("Product %1 deactivated").arg(result.value().sku));
    });
  });
  confirm->open();
}

}  // namespace storefront::admin
