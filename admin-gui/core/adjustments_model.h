// One product's stock adjustments, newest first: who changed what, why, and the level after.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class AdjustmentsModel : public TableModel<Adjustment> {
 public:
  enum Column { When, Change, Reason, Note, Actor, OnHandAfter };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const Adjustment& row) const override { return row.id; }
  QVariant cell(const Adjustment& row, int column, int role) const override;
};

}  // namespace storefront::admin
