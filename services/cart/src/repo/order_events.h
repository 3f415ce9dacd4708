// How the cart reacts to checkout's order events (topic storefront.checkout.order.v1, consumer
// group "cart"). Checkout no longer empties the cart itself: once an order is confirmed, the cart
// drops the lines of the products that were ordered, and only those, so whatever the shopper put in
// the cart after checking out stays there. Cart publishes nothing.
//
// The handler runs on the consumer's transaction (the library records the event id in cart.inbox
// in the same one) and is idempotent in effect besides: removing lines already gone changes
// nothing. A product the shopper removed and added again between checkout and the confirmation is
// removed too: the cart cannot tell that line from the one that was ordered.
// A payload that does not parse, or whose customer_id or a product_id is malformed, throws
// (std::runtime_error, std::invalid_argument): after max_attempts the library dead-letters it.
#pragma once

#include <pqxx/pqxx>

#include "shared/events/consumer.h"

namespace storefront::cart::repo {

// storefront.checkout.order.confirmed.v1: removes the ordered products' lines from the
// customer's cart. Returns how many lines went (0 when the cart no longer held any of them).
int ApplyOrderConfirmed(pqxx::work& txn, const events::Envelope& event);

// Registers the handler above with the consumer.
void RegisterOrderHandlers(events::Consumer& consumer);

}  // namespace storefront::cart::repo
