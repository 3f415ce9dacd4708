// Orders, newest first, with the customer and where each one is in its life.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class OrdersModel : public TableModel<Order> {
 public:
  enum Column { Created, Id, Customer, Status, Items, Total };
  using TableModel::TableModel;

  // failed -> Bad, cancelled/refunded -> Muted, delivered -> Good; shared with the detail pane.
  static Tone toneOf(const QString& status);

 protected:
  QStringList headers() const override;
  QString keyOf(const Order& row) const override { return row.orderId; }
  QVariant cell(const Order& row, int column, int role) const override;
};

}  // namespace storefront::admin
