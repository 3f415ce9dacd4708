// Shipping's reactions to checkout's order events (storefront.checkout.order.v1, consumer group
// "shipping"):
//
//   OrderConfirmed  the order's shipment is scheduled to dispatch, then deliver, by itself
//   OrderFailed     the order is closed: no shipment can be created for it any more, and its
//   OrderCancelled  shipment is cancelled (ShipmentCancelled), unless it is already with the
//                   carrier: then it goes on, and the warning is logged (domain::Shipping::EndOrder)
//
// Each handler runs inside the consumer's transaction, the one that also records the event in
// shipping.inbox: the use case runs over a repository bound to that transaction, so the change,
// the event it announces (outbox) and the inbox row commit together or not at all; the order's
// lock, taken in that transaction, is held until it commits. An order without a shipment is
// logged, not retried: checkout may confirm, fail or cancel an order whose shipment step never
// ran. A payload without a valid order id throws std::invalid_argument, which the consumer
// retries and then dead-letters.
#pragma once

#include <pqxx/pqxx>

#include "domain/shipping.h"
#include "shared/events/consumer.h"

namespace storefront::shipping::consumers {

class OrderEventHandlers {
 public:
  OrderEventHandlers(domain::Clock clock, domain::ProgressionDelays delays)
      : clock_(std::move(clock)), delays_(delays) {}

  void OnOrderConfirmed(pqxx::work& txn, const storefront::events::Envelope& event) const;
  void OnOrderFailed(pqxx::work& txn, const storefront::events::Envelope& event) const;
  void OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const;

  // Registers the three handlers; `this` must outlive the consumer.
  void RegisterOn(storefront::events::Consumer& consumer) const;

 private:
  domain::Clock clock_;
  domain::ProgressionDelays delays_;
};

}  // namespace storefront::shipping::consumers
