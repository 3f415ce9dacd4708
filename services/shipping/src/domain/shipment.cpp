#include "domain/shipment.h"

#include <algorithm>
#include <set>

#include "shared/types/uuid.h"

namespace storefront::shipping::domain {
bool IsKnown(ShipmentStatus status) {
  switch (status) {
    case ShipmentStatus::kLabelCreated:
    case ShipmentStatus::kDispatched:
    case ShipmentStatus::kDelivered:
    case ShipmentStatus::kCancelled:
      return true;
    default:
      return false;
  }
}

void Validate(const std::vector<ShipmentItem>& items, Violations& v) {
  if (items.empty() || items.size() > kMaxShipmentLines) {
    v.Add("items", "must hold 1 to 100 lines");
    if (items.size() > kMaxShipmentLines) return;  // do not name a thousand bad lines
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const std::string p = "items[" + std::to_string(i) + "].";
    if (!types::IsUuid(item.product_id)) {
      v.Add(p + "product_id", "must be a product UUID");
    } else if (!seen.insert(item.product_id).second) {
      v.Add(p + "product_id", "appears on another line; send each product once with its total quantity");
    }
    if (!types::IsSku(item.sku)) v.Add(p + "sku", "must be 3 to 32 characters of A-Z, 0-9 and -");
    types::RequiredText(item.name, kMaxItemNameLength, p + "name", v);
    if (item.quantity < 1 || item.quantity > kMaxItemCount) v.Add(p + "quantity", "must be between 1 and 999");
  }
  if (TotalUnits(items) > kMaxItemCount) v.Add("items", "must hold at most 999 units in all");
}

int TotalUnits(const std::vector<ShipmentItem>& items) {
  std::int64_t total = 0;
  for (const auto& item : items) total += std::max(item.quantity, 0);
  return static_cast<int>(std::min<std::int64_t>(total, 1'000'000'000));
}

}  // namespace storefront::shipping::domain
