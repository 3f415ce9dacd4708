// The faults switched on in the fault lab, one row per service and method.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class FaultsModel : public TableModel<Fault> {
 public:
  enum Column { Service, Method, Latency, Errors, Aborts, SetBy, SetAt };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const Fault& row) const override { return row.service + u'/' + row.method; }
  QVariant cell(const Fault& row, int column, int role) const override;
};

}  // namespace storefront::admin
