// How the cart reacts to checkout's order events (topic storefront.checkout.order.v1, consumer
// group "cart"). Checkout no longer empties the cart itself: once an order is confirmed, the cart
// drops the lines of the products that were ordered, and only those, so whatever the shopper put in
// the cart after checking out stays there. Cart publishes nothing.
//
// The handler decodes the event and runs the use case (domain::Carts::RemoveOrderedProducts) over
// a repository bound to the consumer's transaction, the one in which the library records the event
// id in cart.inbox. It is idempotent in effect besides: removing lines already gone changes
// nothing. A product the shopper removed and added again between checkout and the confirmation is
// removed too: the cart cannot tell that line from the one that was ordered.
// A payload that does not parse, or whose customer_id or a product_id is malformed, throws
// (std::runtime_error, std::invalid_argument): after max_attempts the library dead-letters it.
#pragma once

#include <pqxx/pqxx>

#include "domain/ports.h"
#include "shared/events/consumer.h"

namespace storefront::cart::consumers {

class OrderEventHandlers {
 public:
  // The catalog completes the use cases' dependencies; reacting to an order never asks it.
  explicit OrderEventHandlers(domain::ProductCatalog& catalog) : catalog_(catalog) {}

  // storefront.checkout.order.confirmed.v1: removes the ordered products' lines from the
  // customer's cart. Returns how many lines went (0 when the cart no longer held any of them).
  int OnOrderConfirmed(pqxx::work& txn, const events::Envelope& event) const;

  // Registers the handler above; `this` must outlive the consumer.
  void RegisterOn(events::Consumer& consumer) const;

 private:
  domain::ProductCatalog& catalog_;
};

}  // namespace storefront::cart::consumers
