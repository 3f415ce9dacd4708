#include "core/events_model.h"

#include <QJsonDocument>

#include "core/timestamp.h"

namespace storefront::admin {

QStringList EventsModel::headers() const { return {"Occurred", "Type", "Aggregate", "Producer", "Partition:offset"}; }

// A broker position is unique; event_id may repeat when an event was replayed.
QString EventsModel::keyOf(const Event& e) const {
  return e.topic + u'/' + QString::number(e.partition) + u'/' + QString::number(e.offset);
}

QVariant EventsModel::cell(const Event& e, int column, int role) const {
  if (role == Qt::ToolTipRole) {
    return QString::fromUtf8(QJsonDocument(e.payload).toJson(QJsonDocument::Indented)).left(2000);
  }
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Occurred: return sort ? QVariant(e.occurredAt) : QVariant(formatTimestamp(e.occurredAt));
    case Type: return e.eventType;
    case Aggregate: return e.aggregateId.isEmpty() ? e.key : e.aggregateId;
    case Producer: return e.producer;
    case Position:
      return sort ? QVariant(e.partition * (qint64(1) << 40) + e.offset)
                  : QVariant(QString::number(e.partition) + u':' + QString::number(e.offset));
  }
  return {};
}

}  // namespace storefront::admin
