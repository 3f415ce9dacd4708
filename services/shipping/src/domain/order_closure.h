// The record that an order has ended (checkout's OrderFailed or OrderCancelled), kept by shipping
// so that no shipment is created for the order afterwards. Checkout cannot know whether a
// CreateShipment that timed out reached shipping: it fails the order, and this record is what
// turns such a "maybe" into "no". Stored in shipping.closed_orders (migrations/V003); the rule
// itself is Shipping::CreateShipment and Shipping::EndOrder (domain/shipping.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/shipment.h"
#include "shared/types/enum_names.h"

namespace storefront::shipping::domain {

enum class OrderEnding { kFailed, kCancelled };

inline constexpr types::EnumNames<OrderEnding, 2> kOrderEndingNames{
    {{OrderEnding::kFailed, "FAILED"}, {OrderEnding::kCancelled, "CANCELLED"}}};

// "FAILED", "CANCELLED": for messages and the database column.
constexpr std::string_view Name(OrderEnding ending) { return types::NameOf(kOrderEndingNames, ending); }

// Inverse of Name; nullopt for anything else.
constexpr std::optional<OrderEnding> OrderEndingFromName(std::string_view name) {
  return types::ValueOf(kOrderEndingNames, name);
}

struct OrderClosure {
  std::string order_id;
  OrderEnding ending = OrderEnding::kFailed;
  std::string reason;  // checkout's, fitted to kMaxCancelReasonLength
  Timestamp closed_at;
  bool operator==(const OrderClosure&) const = default;
};

}  // namespace storefront::shipping::domain
