// Filtering and sorting of the products table, kept out of the widget (qBittorrent's shape):
// free text over SKU and name, one category, and whether inactive products show. Sorting uses
// SortRole, so prices sort by minor units.
#pragma once

#include <QSortFilterProxyModel>

namespace storefront::admin {

class ProductFilterModel : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit ProductFilterModel(QObject* parent = nullptr);

  void setText(const QString& text);          // case-insensitive substring of SKU or name
  void setCategory(const QString& category);  // "" for every category
  void setShowInactive(bool show);

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString text_;
  QString category_;
  bool showInactive_ = true;
};

}  // namespace storefront::admin
