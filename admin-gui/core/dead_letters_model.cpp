#include "core/dead_letters_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

QStringList DeadLettersModel::headers() const {
  return {"Dead-lettered", "Original topic", "Type", "Consumer group", "Error", "Partition:offset"};
}

QString DeadLettersModel::keyOf(const DeadLetter& d) const {
  return QString::number(d.partition) + u'/' + QString::number(d.offset);
}

QVariant DeadLettersModel::cell(const DeadLetter& d, int column, int role) const {
  if (role == ToneRole && column == Error) return int(Tone::Bad);
  if (role == Qt::ToolTipRole && column == Error) return d.error;
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case At: return sort ? QVariant(d.at) : QVariant(formatTimestamp(d.at));
    case OriginalTopic: return d.originalTopic;
    case Type: return d.eventType;
    case ConsumerGroup: return d.consumerGroup;
    case Error: return d.error;
    case Position:
      return sort ? QVariant(d.partition * (qint64(1) << 40) + d.offset)
                  : QVariant(QString::number(d.partition) + u':' + QString::number(d.offset));
  }
  return {};
}

}  // namespace storefront::admin
