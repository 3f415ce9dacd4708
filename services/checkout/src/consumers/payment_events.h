// Checkout's reaction to payments' payment events (storefront.payments.payment.v1, consumer group
// "checkout"): the payment's status in the read model of the orders it placed.
//
//   PaymentCaptured / PaymentVoided / PaymentRefunded  the payment's status
//
// As in consumers/shipment_events.h: each handler decodes the payload and runs the use case
// (domain::OrderTracking) over a store bound to the consumer's transaction, so the change and the
// inbox row commit together. A payload without a valid order id throws std::invalid_argument,
// which the consumer retries and then dead-letters.
#pragma once

#include <pqxx/pqxx>

#include "shared/events/consumer.h"

namespace storefront::checkout::consumers {

class PaymentEventHandlers {
 public:
  void OnPaymentCaptured(pqxx::work& txn, const events::Envelope& event) const;
  void OnPaymentVoided(pqxx::work& txn, const events::Envelope& event) const;
  void OnPaymentRefunded(pqxx::work& txn, const events::Envelope& event) const;

  // Registers every handler above; `this` must outlive the consumer.
  void RegisterOn(events::Consumer& consumer) const;
};

}  // namespace storefront::checkout::consumers
