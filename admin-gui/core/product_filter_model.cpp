#include "core/product_filter_model.h"

#include "core/products_model.h"

namespace storefront::admin {

ProductFilterModel::ProductFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(SortRole);
  setSortCaseSensitivity(Qt::CaseInsensitive);
  setDynamicSortFilter(true);
}

void ProductFilterModel::setText(const QString& text) {
  text_ = text.trimmed();
  invalidateRowsFilter();
}

void ProductFilterModel::setCategory(const QString& category) {
  category_ = category;
  invalidateRowsFilter();
}

void ProductFilterModel::setShowInactive(bool show) {
  showInactive_ = show;
  invalidateRowsFilter();
}

bool ProductFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  auto* products = dynamic_cast<const ProductsModel*>(sourceModel());
  if (!products || sourceParent.isValid()) return true;
  const Product& p = products->rowAt(sourceRow);
  if (!showInactive_ && !p.active) return false;
  if (!category_.isEmpty() && p.categoryId != category_) return false;
  if (text_.isEmpty()) return true;
  return p.sku.contains(text_, Qt::CaseInsensitive) || p.name.contains(text_, Qt::CaseInsensitive);
}

}  // namespace storefront::admin
