// The cart's business types and rules, in plain C++: no gRPC or libpqxx here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/errors/errors.h"
#include "shared/types/money.h"
#include "shared/types/text.h"
#include "shared/types/time.h"

namespace storefront::cart::domain {

using Timestamp = types::Timestamp;
using Money = types::Money;

// What the catalog said about a product when it was added: the line keeps it, so the shopper
// sees the price they saw, not whatever the catalog says today.
struct LineSnapshot {
  std::string product_id;  // lowercase UUID
  std::string sku;
  std::string name;
  Money unit_price;
  bool operator==(const LineSnapshot&) const = default;
};

struct CartItem {
  std::string product_id;
  std::string sku;
  std::string name;
  int quantity = 0;
  Money unit_price;
  Timestamp added_at;

  Money LineTotal() const { return {unit_price.amount_minor * quantity, unit_price.currency}; }
};

struct Cart {
  std::string customer_id;
  std::vector<CartItem> items;  // in the order they were first added
  std::optional<Timestamp> updated_at;  // nullopt for a cart never written

  // The cart's currency: that of its lines, or "" while it is empty.
  std::string Currency() const { return items.empty() ? std::string() : items.front().unit_price.currency; }
  // Sum of the line totals, in the cart's currency ({0, ""} for an empty cart).
  Money Subtotal() const;
  // Sum of the quantities, for the cart badge.
  int ItemCount() const;
  const CartItem* Find(std::string_view product_id) const;
};

// Limits, shared by validation, the repository and documentation.
inline constexpr int kMinQuantity = 1;
inline constexpr int kMaxQuantity = 99;
inline constexpr std::size_t kMaxLines = 50;
// The catalog's own ceiling on a price: 50 lines x 99 x this still fits an int64 many times over,
// so totals can never overflow.
inline constexpr std::int64_t kMaxUnitPriceMinor = 100'000'000'00;

// customer_id is the kernel's (shared/types/text.h): the gateway's session subject, never free text.
using types::IsCustomerId;
using types::ValidateCustomerId;

// Adds a violation for each field that breaks its rule.
void ValidateProductId(const std::string& product_id, Violations& violations);
void ValidateQuantity(int quantity, Violations& violations);

}  // namespace storefront::cart::domain
