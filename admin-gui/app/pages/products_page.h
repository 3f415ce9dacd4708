// The catalogue, inactive products included: a sortable table filtered in a
// QSortFilterProxyModel (core/product_filter_model.h) by text, category and active state, and
// the buttons to create, edit and deactivate a product.
#pragma once

#include "app/pages/page.h"
#include "core/product_filter_model.h"
#include "core/products_model.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;

namespace storefront::admin {

class ProductsPage : public Page {
  Q_OBJECT

 public:
  explicit ProductsPage(ApiClient* api, QWidget* parent = nullptr);

  ProductsModel* model() { return &model_; }
  QLineEdit* filterEdit() const { return filter_; }
  QComboBox* categoryCombo() const { return category_; }
  QCheckBox* inactiveCheck() const { return showInactive_; }
  QTableView* view() const { return view_; }

 protected:
  void load() override;

 private:
  std::optional<Product> selected() const;
  void setCategories(const QList<Category>& categories);
  void openEditor(std::optional<Product> product);
  void deactivateSelected();
  void updateButtons();

  ProductsModel model_;
  ProductFilterModel proxy_;
  QList<Category> categories_;
  QLineEdit* filter_;
  QComboBox* category_;
  QCheckBox* showInactive_;
  QTableView* view_;
  QPushButton* edit_;
  QPushButton* deactivate_;
};

}  // namespace storefront::admin
