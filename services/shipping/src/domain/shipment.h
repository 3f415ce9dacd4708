// Shipping's business types and input rules, in plain C++: no gRPC, libpqxx or Kafka here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/errors/errors.h"
#include "shared/paging/page_size.h"
#include "shared/types/address.h"
#include "shared/types/money.h"
#include "shared/types/text.h"
#include "shared/types/time.h"

namespace storefront::shipping::domain {

using paging::kDefaultPageSize;  // shared/paging/page_size.h
using paging::kMaxPageSize;

// The store's shared value types (shared/types).
using Timestamp = types::Timestamp;
using Money = types::Money;
using Address = types::Address;
using types::IsCountryCode;
using types::Validate;
using types::ValidateCustomerId;

struct ShipmentItem {
  std::string product_id;  // UUID
  std::string sku;
  std::string name;
  int quantity = 0;
  bool operator==(const ShipmentItem&) const = default;
};

// The API maps these to the contract's ShipmentStatus one by one (api/shipping_api.cpp): the numbers need not match.
enum class ShipmentStatus {
  kUnspecified = 0,
  kLabelCreated = 1,
  kDispatched = 2,
  kDelivered = 3,
  kCancelled = 4,
};

struct Shipment {
  std::string id;  // UUID, assigned by the repository
  std::string order_id;
  std::string customer_id;
  std::string tracking_number;
  std::string carrier;
  std::string service;
  std::string shipping_option_id;
  ShipmentStatus status = ShipmentStatus::kLabelCreated;
  Address address;
  std::vector<ShipmentItem> items;  // in the order checkout sent them
  std::string cancel_reason;        // CANCELLED only
  Timestamp created_at;
  std::optional<Timestamp> dispatched_at;
  std::optional<Timestamp> delivered_at;
  std::optional<Timestamp> cancelled_at;
  Timestamp updated_at;
  // When the automatic progression (domain/progression.h) takes this shipment's next step;
  // unset when nothing is scheduled. Not part of the gRPC contract.
  std::optional<Timestamp> next_step_at;
  // The W3C traceparent of the request that created it, set by the repository; the events of
  // steps taken in the background carry it. Not part of the gRPC contract.
  std::string traceparent;
};

// Limits, shared by validation, the migration's CHECKs and the README.
// (The address's, the customer id's and the SKU's are the kernel's: shared/types/address.h, text.h.)
inline constexpr std::size_t kMaxItemNameLength = 200;
inline constexpr std::size_t kMaxCancelReasonLength = 500;
inline constexpr int kMaxItemCount = 999;  // units in one quote or one shipment
inline constexpr std::size_t kMaxShipmentLines = 100;
inline constexpr std::int64_t kMaxSubtotalMinor = 100'000'000'00;  // 100 million in major units

// A status a shipment can be in (not UNSPECIFIED, not a number outside the enum).
bool IsKnown(ShipmentStatus status);

// 1..100 lines of distinct products, each quantity >= 1, at most 999 units in all.
void Validate(const std::vector<ShipmentItem>& items, Violations& violations);

// Sum of the quantities, saturating instead of overflowing on hostile input.
int TotalUnits(const std::vector<ShipmentItem>& items);

}  // namespace storefront::shipping::domain
