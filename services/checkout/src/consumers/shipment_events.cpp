#include "consumers/shipment_events.h"

#include "domain/order_tracking.h"
#include "repo/pg_order_tracking.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::checkout::consumers {

namespace ev = storefront::events::v1;

void ShipmentEventHandlers::OnShipmentDispatched(pqxx::work& txn, const events::Envelope& event) const {
  const auto payload = events::PayloadOf<ev::ShipmentDispatched>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).ShipmentDispatched(order_id, payload.carrier(), payload.tracking_number());
}

void ShipmentEventHandlers::OnShipmentDelivered(pqxx::work& txn, const events::Envelope& event) const {
  const auto payload = events::PayloadOf<ev::ShipmentDelivered>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).ShipmentDelivered(order_id);
}

void ShipmentEventHandlers::OnShipmentCancelled(pqxx::work& txn, const events::Envelope& event) const {
  const auto payload = events::PayloadOf<ev::ShipmentCancelled>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).ShipmentCancelled(order_id);
}

void ShipmentEventHandlers::RegisterOn(events::Consumer& consumer) const {
  using Handler = void (ShipmentEventHandlers::*)(pqxx::work&, const events::Envelope&) const;
  const std::pair<std::string_view, Handler> handlers[] = {
      {events::types::kShipmentDispatched, &ShipmentEventHandlers::OnShipmentDispatched},
      {events::types::kShipmentDelivered, &ShipmentEventHandlers::OnShipmentDelivered},
      {events::types::kShipmentCancelled, &ShipmentEventHandlers::OnShipmentCancelled},
  };
  for (const auto& [type, handler] : handlers) {
    consumer.On(std::string(type),
                [this, handler](pqxx::work& txn, const events::Envelope& event) { (this->*handler)(txn, event); });
  }
}

}  // namespace storefront::checkout::consumers
