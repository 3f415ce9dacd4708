#include "core/stock_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

void StockModel::setProductLabels(QHash<QString, QString> labels) {
  labels_ = std::move(labels);
  if (rowCount() > 0) emit dataChanged(index(0, Product), index(rowCount() - 1, Product));
}

QString StockModel::labelOf(const QString& productId) const { return labels_.value(productId, productId); }

QStringList StockModel::headers() const {
  return {"Product", "On hand", "Reserved", "Available", "Low at", "State", "Updated"};
}

QVariant StockModel::cell(const StockLevel& s, int column, int role) const {
  if (role == ToneRole) {
    if (s.available <= 0) return int(Tone::Bad);
    return int(s.isLow() ? Tone::Warning : Tone::Neutral);
  }
  if (role == Qt::TextAlignmentRole && column >= OnHand && column <= Threshold) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == Qt::ToolTipRole && column == Product) return s.productId;
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Product: return labelOf(s.productId);
    case OnHand: return s.onHand;
    case Reserved: return s.reserved;
    case Available: return s.available;
    case Threshold: return s.lowStockThreshold;
    case State:
      if (s.available <= 0) return QStringLiteral("out of stock");
      return s.isLow() ? QStringLiteral("low") : QStringLiteral("ok");
    case Updated: return sort ? QVariant(s.updatedAt) : QVariant(formatTimestamp(s.updatedAt));
  }
  return {};
}

}  // namespace storefront::admin
