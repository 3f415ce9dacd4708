// How inventory reacts to checkout's order events (topic storefront.checkout.order.v1, consumer
// group "inventory"). Checkout confirms an order locally and announces it; inventory then sells
// the units it held for that order, or gives them back when the order failed or was cancelled.
//
// Each handler decodes the event and calls a use case of domain::Inventory over a repository bound
// to the consumer's transaction (the library records the event id in inventory.inbox in the same
// one), so the change, its outbox events and the dedupe row commit or roll back together. The use
// cases apply the saga decisions of the gRPC path (domain::CommitDecision, ReleaseDecision). They
// are idempotent in effect as well: a committed reservation committed again, or a released one
// released again, is unchanged and announces nothing.
//
//  OrderConfirmed  commit the order's reservation. No reservation: a warning, nothing changes.
//                  Already RELEASED (or overdue, so it expires now): an error in the log and no
//                  commit, because those units may already be sold to someone else. This is the
//                  known limitation of confirming on an event: the hold must outlive the saga plus
//                  the consumer's lag (checkout picks the TTL when it reserves).
//  OrderFailed     release with reason CHECKOUT_FAILED (no reservation: nothing to release).
//  OrderCancelled  release with reason ORDER_CANCELLED; a COMMITTED reservation puts its units
//                  back on hand.
// A payload that does not parse or whose order_id is not a UUID throws (std::runtime_error,
// std::invalid_argument): after max_attempts the library dead-letters it.
#pragma once

#include <pqxx/pqxx>

#include "domain/inventory.h"
#include "shared/events/consumer.h"

namespace storefront::inventory::consumers {

class OrderEventHandlers {
 public:
  // `clock` decides whether a reservation is overdue, as for the gRPC calls.
  explicit OrderEventHandlers(domain::Clock clock) : clock_(std::move(clock)) {}

  void OnOrderConfirmed(pqxx::work& txn, const events::Envelope& event) const;
  void OnOrderFailed(pqxx::work& txn, const events::Envelope& event) const;
  void OnOrderCancelled(pqxx::work& txn, const events::Envelope& event) const;

  // Registers the three handlers; `this` must outlive the consumer's thread.
  void RegisterOn(events::Consumer& consumer) const;

 private:
  void Release(pqxx::work& txn, const events::Envelope& event, const std::string& order_id,
               domain::ReleaseReason reason) const;

  domain::Clock clock_;
};

}  // namespace storefront::inventory::consumers
