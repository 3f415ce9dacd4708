// Payments' reaction to shipping's shipment events (storefront.shipping.shipment.v1, consumer
// group "payments"):
//
//   ShipmentDispatched  capture the order's authorized payment in full ("capture:<order_id>");
//                       an order with nothing to capture is logged as a warning, not retried
//
// As in consumers/order_events.h: the use case (domain::Payments::CaptureOrder) runs over a
// repository bound to the consumer's transaction, so the capture's key claim and processor intent
// and the inbox row commit together; the sweeper carries the capture out after the commit (and
// writes its ledger row and event then). An authorization still PENDING throws Unavailable,
// retried; a payload without a valid order id throws std::invalid_argument and is dead-lettered.
#pragma once

#include <pqxx/pqxx>

#include "domain/payments.h"
#include "shared/events/consumer.h"

namespace storefront::payments::consumers {

class ShipmentEventHandlers {
 public:
  explicit ShipmentEventHandlers(domain::CardProcessor& processor, domain::Clock clock = types::SystemNow)
      : processor_(processor), clock_(std::move(clock)) {}

  void OnShipmentDispatched(pqxx::work& txn, const storefront::events::Envelope& event) const;

  // Registers the handler; `this` must outlive the consumer.
  void RegisterOn(storefront::events::Consumer& consumer) const;

 private:
  domain::CardProcessor& processor_;
  domain::Clock clock_;
};

}  // namespace storefront::payments::consumers
