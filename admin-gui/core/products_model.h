// Every product, inactive ones included, as the operator's catalogue table.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class ProductsModel : public TableModel<Product> {
 public:
  enum Column { Sku, Name, Category, Price, Status, Updated };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const Product& row) const override { return row.id; }
  QVariant cell(const Product& row, int column, int role) const override;
};

}  // namespace storefront::admin
