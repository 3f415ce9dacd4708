// The newest events of one topic, as the broker holds them.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class EventsModel : public TableModel<Event> {
 public:
  enum Column { Occurred, Type, Aggregate, Producer, Position };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const Event& row) const override;
  QVariant cell(const Event& row, int column, int role) const override;
};

}  // namespace storefront::admin
