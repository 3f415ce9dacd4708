// Shipments and how far each has gone: label created, dispatched, delivered.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class ShipmentsModel : public TableModel<Shipment> {
 public:
  enum Column { Created, Id, OrderId, Carrier, Tracking, Status, Dispatched, Delivered };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const Shipment& row) const override { return row.id; }
  QVariant cell(const Shipment& row, int column, int role) const override;
};

}  // namespace storefront::admin
