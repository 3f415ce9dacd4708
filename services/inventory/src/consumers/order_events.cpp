#include "consumers/order_events.h"

#include "repo/pg_inventory_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::inventory::consumers {
namespace {

namespace ev = storefront::events::v1;
using domain::ReleaseReason;
using domain::ReservationState;

}  // namespace

void OrderEventHandlers::OnOrderConfirmed(pqxx::work& txn, const events::Envelope& event) const {
  const auto order = events::PayloadOf<ev::OrderConfirmed>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", order.order_id());
  repo::PgInventoryRepository repository(txn);
  auto reservation = domain::Inventory(repository, clock_).CommitOrderReservation(order_id);
  if (!reservation) {
    log::Warn("order confirmed without a stock reservation; nothing to commit",
              {{"order_id", order_id}, {"event_id", event.event_id()}});
    return;
  }
  if (reservation->state == ReservationState::kReleased) {
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
  Release(txn, event, events::RequireUuid(event, "order_id", order.order_id()), ReleaseReason::kCheckoutFailed);
}

void OrderEventHandlers::OnOrderCancelled(pqxx::work& txn, const events::Envelope& event) const {
  const auto order = events::PayloadOf<ev::OrderCancelled>(event);
  Release(txn, event, events::RequireUuid(event, "order_id", order.order_id()), ReleaseReason::kOrderCancelled);
}

void OrderEventHandlers::Release(pqxx::work& txn, const events::Envelope& event, const std::string& order_id,
                                 ReleaseReason reason) const {
  repo::PgInventoryRepository repository(txn);
  if (!domain::Inventory(repository, clock_).ReleaseOrderReservation(order_id, reason)) {
    // Normal for an order that failed before (or while) reserving: there is nothing held.
    log::Info("no stock reservation to release for the order",
              {{"order_id", order_id}, {"event_type", event.event_type()}, {"event_id", event.event_id()}});
  }
}

void OrderEventHandlers::RegisterOn(events::Consumer& consumer) const {
  consumer.On(std::string(events::types::kOrderConfirmed),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderConfirmed(txn, event); });
  consumer.On(std::string(events::types::kOrderFailed),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderFailed(txn, event); });
  consumer.On(std::string(events::types::kOrderCancelled),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderCancelled(txn, event); });
}

}  // namespace storefront::inventory::consumers
