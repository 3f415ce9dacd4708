#include "repo/order_events.h"

#include <stdexcept>

#include "domain/inventory.h"
#include "repo/pg_inventory_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::inventory::repo {
namespace {

namespace ev = storefront::events::v1;
using domain::ReleaseReason;
using domain::ReservationState;

// The order an event is about, lower case; a missing or garbage id is poison.
std::string OrderIdOf(const std::string& order_id, const events::Envelope& event) {
  if (!domain::IsUuid(order_id)) {
    throw std::invalid_argument(event.event_type() + " " + event.event_id() +
                                ": order_id must be a UUID, got '" + order_id.substr(0, 64) + "'");
  }
  return domain::NormalizeUuid(order_id);
}

}  // namespace

void OrderEventHandlers::OnOrderConfirmed(pqxx::work& txn, const events::Envelope& event) const {
  const auto order = events::PayloadOf<ev::OrderConfirmed>(event);
  const std::string order_id = OrderIdOf(order.order_id(), event);
  auto id = FindReservationIdByOrder(txn, order_id);
  if (!id) {
    log::Warn("order confirmed without a stock reservation; nothing to commit",
              {{"order_id", order_id}, {"event_id", event.event_id()}});
    return;
  }
  const auto now = clock_();
  auto reservation = ChangeReservationIn(txn, *id, now, domain::CommitDecision(now));
  if (reservation && reservation->state == ReservationState::kReleased) {
    // Not poison: retrying cannot change it, and the inbox should record that it was seen.
    log::Error("order confirmed after its stock reservation was released; the units were not committed",
               {{"order_id", order_id},
                {"reservation_id", reservation->id},
                {"release_reason", std::string(domain::Name(reservation->release_reason))},
                {"event_id", event.event_id()}});
  }
}

void OrderEventHandlers::OnOrderFailed(pqxx::work& txn, const events::Envelope& event) const {
  const auto order = events::PayloadOf<ev::OrderFailed>(event);
  Release(txn, event, OrderIdOf(order.order_id(), event), ReleaseReason::kCheckoutFailed);
}

void OrderEventHandlers::OnOrderCancelled(pqxx::work& txn, const events::Envelope& event) const {
  const auto order = events::PayloadOf<ev::OrderCancelled>(event);
  Release(txn, event, OrderIdOf(order.order_id(), event), ReleaseReason::kOrderCancelled);
}

void OrderEventHandlers::Release(pqxx::work& txn, const events::Envelope& event, const std::string& order_id,
                                 ReleaseReason reason) const {
  auto id = FindReservationIdByOrder(txn, order_id);
  if (!id) {
    // Normal for an order that failed before (or while) reserving: there is nothing held.
    log::Info("no stock reservation to release for the order",
              {{"order_id", order_id}, {"event_type", event.event_type()}, {"event_id", event.event_id()}});
    return;
  }
  const auto now = clock_();
  ChangeReservationIn(txn, *id, now, domain::ReleaseDecision(now, reason));
}

void OrderEventHandlers::RegisterWith(events::Consumer& consumer) const {
  consumer.On(std::string(events::types::kOrderConfirmed),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderConfirmed(txn, event); });
  consumer.On(std::string(events::types::kOrderFailed),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderFailed(txn, event); });
  consumer.On(std::string(events::types::kOrderCancelled),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderCancelled(txn, event); });
}

}  // namespace storefront::inventory::repo
