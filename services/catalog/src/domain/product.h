// The catalog's business types and rules, in plain C++: no gRPC, libpqxx or Kafka here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/errors/errors.h"
#include "shared/paging/page_size.h"
#include "shared/types/money.h"
#include "shared/types/text.h"
#include "shared/types/time.h"

namespace storefront::catalog::domain {

using paging::kDefaultPageSize;  // shared/paging/page_size.h
using paging::kMaxPageSize;

using Timestamp = types::Timestamp;
using Money = types::Money;

struct Product {
  std::string id;  // UUID
  std::string sku;
  std::string name;
  std::string description;
  Money price;
  std::string category_id;
  std::string image_url;
  bool active = true;
  Timestamp created_at;
  Timestamp updated_at;
};

struct Category {
  std::string id;  // slug
  std::string name;
  std::string description;
  int active_product_count = 0;
};

struct NewProduct {
  std::string sku;
  std::string name;
  std::string description;
  Money price;
  std::string category_id;
  std::string image_url;
};

// An update: only the fields that are set change.
struct ProductPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Money> price;
  std::optional<std::string> category_id;
  std::optional<std::string> image_url;
  std::optional<bool> active;
  bool empty() const { return !name && !description && !price && !category_id && !image_url && !active; }
};

// What an update did to a product, for the events it announces
// (proto/storefront/events/v1/catalog_events.proto): ProductChanged when `changed_fields` is not
// empty, ProductDeactivated when `deactivated`. An update that changed nothing announces nothing.
struct ProductChange {
  // storefront.catalog.v1.Product field names in field order: "name", "description", "price",
  // "category_id", "image_url", and "active" for a reactivation. A deactivation is not listed:
  // it has its own event.
  std::vector<std::string> changed_fields;
  bool deactivated = false;  // active went from true to false
  bool operator==(const ProductChange&) const = default;
};

ProductChange Compare(const Product& before, const Product& after);

// Limits, shared by validation and documentation.
inline constexpr std::size_t kMaxQueryLength = 200;
inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxDescriptionLength = 5000;
inline constexpr std::size_t kMaxImageUrlLength = 2048;
inline constexpr std::int64_t kMaxPriceMinor = 100'000'000'00;  // 100 million in major units

using types::IsSku;  // shared/types/text.h
bool IsCategoryId(std::string_view text);

// Adds a violation for each field of `product` that breaks a rule.
void Validate(const NewProduct& product, Violations& violations);
void Validate(const ProductPatch& patch, Violations& violations);

}  // namespace storefront::catalog::domain
