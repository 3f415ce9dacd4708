// Each service, database and broker the gateway checks, up or down, and the state of the
// gateway's circuit breaker towards each service when the gateway reports one.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class HealthModel : public TableModel<HealthComponent> {
 public:
  enum Column { Name, Kind, Status, Breaker, Detail };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const HealthComponent& row) const override { return row.kind + u'/' + row.name; }
  QVariant cell(const HealthComponent& row, int column, int role) const override;
};

}  // namespace storefront::admin
