// Checkout's reaction to shipping's shipment events (storefront.shipping.shipment.v1, consumer
// group "checkout"): the read model of the orders it placed.
//
//   ShipmentDispatched  order SHIPPED (from CONFIRMED)
//   ShipmentDelivered   order DELIVERED (from CONFIRMED or SHIPPED)
//   ShipmentCancelled   the shipment's status
//
// Each handler decodes the payload and runs the use case (domain::OrderTracking) over a store
// bound to the consumer's transaction, the one that also records the event in checkout.inbox,
// so the change and the inbox row commit together or not at all. A payload without a valid
// order id throws std::invalid_argument, which the consumer retries and then dead-letters.
// Payments' events move the same read model (consumers/payment_events.h).
#pragma once

#include <pqxx/pqxx>

#include "shared/events/consumer.h"

namespace storefront::checkout::consumers {

class ShipmentEventHandlers {
 public:
  void OnShipmentDispatched(pqxx::work& txn, const events::Envelope& event) const;
  void OnShipmentDelivered(pqxx::work& txn, const events::Envelope& event) const;
  void OnShipmentCancelled(pqxx::work& txn, const events::Envelope& event) const;

  // Registers every handler above; `this` must outlive the consumer.
  void RegisterOn(events::Consumer& consumer) const;
};

}  // namespace storefront::checkout::consumers
