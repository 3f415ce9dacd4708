// Shipping's business types and input rules, in plain C++: no gRPC, libpqxx or Kafka here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/errors/errors.h"
#include "shared/types/address.h"
#include "shared/types/money.h"
#include "shared/types/time.h"

namespace storefront::shipping::domain {

// The store's shared value types (shared/types).
using Timestamp = types::Timestamp;
using Money = types::Money;
using Address = types::Address;

struct ShipmentItem {
  std::string product_id;  // UUID
  std::string sku;
  std::string name;
  int quantity = 0;
  bool operator==(const ShipmentItem&) const = default;
};

// The values match the contract's ShipmentStatus numbers, so the API maps them with a cast.
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
inline constexpr std::size_t kMaxRecipientNameLength = 100;
inline constexpr std::size_t kMaxAddressLineLength = 200;
inline constexpr std::size_t kMaxCityLength = 100;
inline constexpr std::size_t kMaxRegionLength = 100;
inline constexpr std::size_t kMaxPostalCodeLength = 20;
inline constexpr std::size_t kMaxCustomerIdLength = 64;
inline constexpr std::size_t kMaxItemNameLength = 200;
inline constexpr std::size_t kMaxCancelReasonLength = 500;
inline constexpr int kMaxItemCount = 999;  // units in one quote or one shipment
inline constexpr std::size_t kMaxShipmentLines = 100;
inline constexpr std::int64_t kMaxSubtotalMinor = 100'000'000'00;  // 100 million in major units
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

bool IsSku(std::string_view text);
// An officially assigned ISO 3166-1 alpha-2 code, upper case ("US", "DE"; not "us", "XX", "UK").
bool IsCountryCode(std::string_view text);
// Countries without a postal code system, where Address.postal_code may be empty.
bool HasNoPostalCodes(std::string_view country);
// A status a shipment can be in (not UNSPECIFIED, not a number outside the enum).
bool IsKnown(ShipmentStatus status);

// Adds a violation named "<prefix>.<field>" for each field of `address` that breaks a rule.
void Validate(const Address& address, std::string_view prefix, Violations& violations);
// customer_id: 1..64 visible ASCII characters (the gateway's session subject).
void ValidateCustomerId(const std::string& customer_id, Violations& violations);
// 1..100 lines of distinct products, each quantity >= 1, at most 999 units in all.
void Validate(const std::vector<ShipmentItem>& items, Violations& violations);

// Sum of the quantities, saturating instead of overflowing on hostile input.
int TotalUnits(const std::vector<ShipmentItem>& items);

}  // namespace storefront::shipping::domain
