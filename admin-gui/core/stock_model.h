// Stock levels of every tracked product. A level carries only the product id, so the page hands
// over "SKU — name" labels from the catalogue once it has them.
#pragma once

#include <QHash>

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class StockModel : public TableModel<StockLevel> {
 public:
  enum Column { Product, OnHand, Reserved, Available, Threshold, State, Updated };
  using TableModel::TableModel;

  void setProductLabels(QHash<QString, QString> labels);
  QString labelOf(const QString& productId) const;

 protected:
  QStringList headers() const override;
  QString keyOf(const StockLevel& row) const override { return row.productId; }
  QVariant cell(const StockLevel& row, int column, int role) const override;

 private:
  QHash<QString, QString> labels_;
};

}  // namespace storefront::admin
