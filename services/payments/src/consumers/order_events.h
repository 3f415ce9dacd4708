// Payments' reaction to checkout's order events (storefront.checkout.order.v1, consumer group
// "payments"):
//
//   OrderFailed     the order has ended: record it, so that a late Authorize (one that outlived
//   OrderCancelled  checkout's deadline) is refused, then void an authorized payment
//                   ("void:<order_id>") or refund a captured one in full ("refund:<order_id>");
//                   an order with nothing to release is logged; an authorization still PENDING is
//                   voided by whoever records its approval (domain::Payments::CloseOrder)
//
// The handler runs inside the consumer's transaction, the one that also records the event in
// payments.inbox: the use case (domain::Payments::CloseOrder, which decides voids and refunds
// with the RPCs' own code) works over a repository bound to that transaction, so the closure,
// the key claim and the processor intent of the void or refund, and the inbox row commit
// together or not at all, and the order's lock is held until then. It never calls the card
// processor (ProcessorCalls::kBySweeper): the sweeper carries the intent out once the
// transaction has committed, and records the payment's change, its ledger row and its outbox
// event then. A capture, void or refund of the payment still in progress throws Unavailable,
// which the consumer retries without counting it as a failure. The idempotency keys make a
// redelivered event a replay even if the inbox were bypassed. A payload without a valid order id
// throws std::invalid_argument (events::RequireUuid), which the consumer retries and then
// dead-letters. Shipping's events are in consumers/shipment_events.h.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "domain/payments.h"
#include "shared/events/consumer.h"

namespace storefront::payments::consumers {

class OrderEventHandlers {
 public:
  explicit OrderEventHandlers(domain::CardProcessor& processor, domain::Clock clock = types::SystemNow)
      : processor_(processor), clock_(std::move(clock)) {}

  void OnOrderFailed(pqxx::work& txn, const storefront::events::Envelope& event) const;
  void OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const;

  // Registers the handlers; `this` must outlive the consumer.
  void RegisterOn(storefront::events::Consumer& consumer) const;

 private:
  void Close(pqxx::work& txn, const storefront::events::Envelope& event, const std::string& order_id,
             domain::OrderEnd end, const std::string& reason) const;

  domain::CardProcessor& processor_;
  domain::Clock clock_;
};

}  // namespace storefront::payments::consumers
