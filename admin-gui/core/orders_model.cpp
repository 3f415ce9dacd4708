#include "core/orders_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

Tone OrdersModel::toneOf(const QString& status) {
  if (status == u"failed") return Tone::Bad;
  if (status == u"cancelled" || status == u"refunded") return Tone::Muted;
  if (status == u"delivered") return Tone::Good;
  return Tone::Neutral;
}

QStringList OrdersModel::headers() const { return {"Created", "Order", "Customer", "Status", "Items", "Total"}; }

QVariant OrdersModel::cell(const Order& o, int column, int role) const {
  if (role == ToneRole) return int(column == Status ? toneOf(o.status) : Tone::Neutral);
  if (role == Qt::TextAlignmentRole && (column == Items || column == Total)) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == Qt::ToolTipRole && column == Id) return o.orderId;
  if (role == Qt::ToolTipRole && column == Status && !o.failureReason.isEmpty()) return o.failureReason;
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Created: return sort ? QVariant(o.createdAt) : QVariant(formatTimestamp(o.createdAt));
    case Id: return sort ? o.orderId : shortId(o.orderId);
    case Customer: return o.customerEmail;
    case Status: return o.failure.isEmpty() ? o.status : o.status + QStringLiteral(" (") + o.failure + u')';
    case Items: {
      int units = 0;
      for (const auto& item : o.items) units += item.quantity;
      return units;
    }
    case Total: return sort ? QVariant(o.total.amountMinor) : QVariant(formatMoney(o.total));
  }
  return {};
}

}  // namespace storefront::admin
