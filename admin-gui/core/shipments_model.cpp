#include "core/shipments_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

QStringList ShipmentsModel::headers() const {
  return {"Created", "Shipment", "Order", "Carrier", "Tracking", "Status", "Dispatched", "Delivered"};
}

QVariant ShipmentsModel::cell(const Shipment& s, int column, int role) const {
  if (role == ToneRole && column == Status) {
    if (s.status == u"delivered") return int(Tone::Good);
    if (s.status == u"cancelled") return int(Tone::Muted);
    return int(Tone::Neutral);
  }
  if (role == Qt::ToolTipRole && column == Id) return s.id;
  if (role == Qt::ToolTipRole && column == OrderId) return s.orderId;
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  auto time = [sort](const QDateTime& t) { return sort ? QVariant(t) : QVariant(formatTimestamp(t)); };
  switch (column) {
    case Created: return time(s.createdAt);
    case Id: return sort ? s.id : shortId(s.id);
    case OrderId: return sort ? s.orderId : shortId(s.orderId);
    case Carrier: return s.service.isEmpty() ? s.carrier : s.carrier + u' ' + s.service;
    case Tracking: return s.trackingNumber;
    case Status: return s.status;
    case Dispatched: return time(s.dispatchedAt);
    case Delivered: return time(s.deliveredAt);
  }
  return {};
}

}  // namespace storefront::admin
