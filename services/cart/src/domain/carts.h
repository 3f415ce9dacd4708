// The cart's use cases. They depend only on the two ports in domain/ports.h, CartRepository and
// ProductCatalog, so they are unit tested with mocks of both (domain/mocks.h).
#pragma once

#include <string>
#include <vector>

#include "domain/cart.h"
#include "domain/ports.h"

namespace storefront::cart::domain {

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
  // Checkout confirmed an order (consumers/order_events): takes the ordered products, lower-case
  // UUIDs, out of the customer's cart and leaves whatever else the shopper put in it. A shopper
  // without a cart stays without. `cart_version` is the version of the cart the order was priced
  // from: a line the shopper added or changed since (the next purchase, begun before this one's
  // confirmation arrived) stays; none (an order from before versions were recorded) removes every
  // ordered line. Returns how many lines went. The event's ids were checked by the consumer,
  // which dead-letters an event it cannot read.
  int RemoveOrderedProducts(const std::string& customer_id, const std::vector<std::string>& product_ids,
                            std::optional<types::Timestamp> cart_version);

 private:
  CartRepository& repository_;
  ProductCatalog& catalog_;
};

}  // namespace storefront::cart::domain
