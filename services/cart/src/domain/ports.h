// Every interface the cart's use cases need: the cart store (PostgreSQL in production,
// repo/pg_cart_repository) and the catalog service (gRPC, clients/grpc_product_catalog). The
// domain sees only these, so it is unit tested with their mocks (domain/mocks.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/cart.h"

namespace storefront::cart::domain {

// A product as the catalog describes it now.
struct CatalogProduct {
  std::string id;
  std::string sku;
  std::string name;
  Money price;
  bool active = true;
};

// The catalog service, seen from the cart.
class ProductCatalog {
 public:
  virtual ~ProductCatalog() = default;
  // nullopt when the catalog has no such product; throws Unavailable when the catalog cannot be
  // asked (down, too slow). request_id travels with the call so both services log it.
  virtual std::optional<CatalogProduct> Find(const std::string& product_id, const std::string& request_id) = 0;
};

// How an AddItem ended. The rules that depend on the cart's current contents are applied by the
// repository inside the transaction that changes it, where no concurrent call can interleave;
// it reports which one refused and the domain turns that into an error.
enum class AddResult {
  kAdded,
  kQuantityLimit,     // the line would exceed kMaxQuantity
  kLineLimit,         // a new line would exceed kMaxLines
  kCurrencyMismatch,  // a new line in a currency other than the cart's
};

struct AddOutcome {
  AddResult result = AddResult::kAdded;
  Cart cart;  // after the change; unchanged when refused
};

// Every write takes the cart's lock first, so writes to one cart run one after another.
class CartRepository {
 public:
  virtual ~CartRepository() = default;
  // The customer's cart; empty (updated_at unset) when they never wrote to it. Writes nothing.
  virtual Cart Get(const std::string& customer_id) = 0;
  // Atomically adds `quantity` to the product's line, creating it from `line` when absent. An
  // existing line keeps its sku, name and price. Refuses (changing nothing) as AddResult says.
  virtual AddOutcome AddItem(const std::string& customer_id, const LineSnapshot& line, int quantity) = 0;
  // Sets an existing line's quantity; nullopt when the product is not in the cart.
  virtual std::optional<Cart> SetQuantity(const std::string& customer_id, const std::string& product_id,
                                          int quantity) = 0;
  // Removes the line if present; the cart either way.
  virtual Cart RemoveItem(const std::string& customer_id, const std::string& product_id) = 0;
  virtual Cart Clear(const std::string& customer_id) = 0;
  // Removes the lines of those products (lower-case UUIDs) and leaves every other line; no cart
  // row is created. With `version` (a cart's updated_at as it was read), only lines unchanged
  // since that version go: a line added or changed after it stays. Removing what is not there
  // changes nothing, not even updated_at. Returns how many lines went.
  virtual int RemoveProducts(const std::string& customer_id, const std::vector<std::string>& product_ids,
                             std::optional<types::Timestamp> version) = 0;
};

}  // namespace storefront::cart::domain
