// Messages a consumer gave up on, with the error that made it stop; each can be replayed.
#pragma once

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

class DeadLettersModel : public TableModel<DeadLetter> {
 public:
  enum Column { At, OriginalTopic, Type, ConsumerGroup, Error, Position };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const DeadLetter& row) const override;
  QVariant cell(const DeadLetter& row, int column, int role) const override;
};

}  // namespace storefront::admin
