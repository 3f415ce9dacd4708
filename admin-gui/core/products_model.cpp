#include "core/products_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

QStringList ProductsModel::headers() const { return {"SKU", "Name", "Category", "Price", "Status", "Updated"}; }

QVariant ProductsModel::cell(const Product& p, int column, int role) const {
  if (role == ToneRole) return int(p.active ? Tone::Neutral : Tone::Muted);
  if (role == Qt::TextAlignmentRole && column == Price) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && column == Name) return p.description.left(300);
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Sku: return p.sku;
    case Name: return p.name;
    case Category: return p.categoryId;
    case Price: return sort ? QVariant(p.price.amountMinor) : QVariant(formatMoney(p.price));
    case Status: return p.active ? QStringLiteral("active") : QStringLiteral("inactive");
    case Updated: return sort ? QVariant(p.updatedAt) : QVariant(formatTimestamp(p.updatedAt));
  }
  return {};
}

}  // namespace storefront::admin
