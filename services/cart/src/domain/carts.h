// The cart's use cases. They depend only on two interfaces, CartRepository (PostgreSQL in
// production, repo/pg_cart_repository) and ProductCatalog (the catalog service over gRPC,
// clients/catalog_client), so they are unit tested with mocks of both.
#pragma once

#include <optional>
#include <string>

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
};

struct AddItemRequest {
  std::string customer_id;
  std::string product_id;
  int quantity = 0;
  std::string request_id;  // forwarded to the catalog, for the logs
};

class Carts {
 public:
  Carts(CartRepository& repository, ProductCatalog& catalog) : repository_(repository), catalog_(catalog) {}

  Cart GetCart(const std::string& customer_id);
  // Looks the product up in the catalog (price and name are never taken from the client), then
  // adds to its line. Not idempotent: see UpdateItemQuantity.
  Cart AddItem(const AddItemRequest& request);
  // Sets an absolute quantity (1..99) of a line already in the cart; safe to retry. Keeps the
  // line's price: only AddItem of a new line reads the catalog.
  Cart UpdateItemQuantity(const std::string& customer_id, const std::string& product_id, int quantity);
  // Removing a product that is not in the cart succeeds.
  Cart RemoveItem(const std::string& customer_id, const std::string& product_id);
  Cart ClearCart(const std::string& customer_id);

 private:
  CartRepository& repository_;
  ProductCatalog& catalog_;
};

}  // namespace storefront::cart::domain
