// Payments' reactions to other services' events (consumer group "payments"):
//
//   storefront.shipping.shipment.v1  ShipmentDispatched  capture the order's authorized payment
//                                                        in full (key "capture:<order_id>")
//   storefront.checkout.order.v1     OrderCancelled      void an authorized payment
//                                                        ("void:<order_id>") or refund a captured
//                                                        one in full ("refund:<order_id>")
//
// Each handler runs inside the consumer's transaction, the one that also records the event in
// payments.inbox: the use case (domain::Payments, the same code the RPCs run) works over a
// repository bound to that transaction, so the payment's change, its ledger row, its outbox
// event and the inbox row commit together or not at all. The card processor is called inside
// that transaction, as the RPCs call it inside theirs (README: the trade-off); a processor
// outage throws Unavailable, which the consumer retries without counting it as a failure.
// The idempotency keys make a redelivered event a replay even if the inbox were bypassed.
// An order with nothing to capture or release is logged, not retried; a payload without a
// valid order id throws std::invalid_argument, which the consumer retries and dead-letters.
#pragma once

#include <pqxx/pqxx>

#include "domain/card_processor.h"
#include "domain/payments.h"
#include "shared/events/consumer.h"

namespace storefront::payments::consumers {

class EventHandlers {
 public:
  EventHandlers(domain::CardProcessor& processor, domain::Clock clock = domain::SystemNow)
      : processor_(processor), clock_(std::move(clock)) {}

  void OnShipmentDispatched(pqxx::work& txn, const storefront::events::Envelope& event) const;
  void OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const;

  // Registers both handlers; `this` must outlive the consumer.
  void RegisterOn(storefront::events::Consumer& consumer) const;

 private:
  domain::CardProcessor& processor_;
  domain::Clock clock_;
};

}  // namespace storefront::payments::consumers
