#include "consumers/event_handlers.h"

#include "domain/order_tracking.h"
#include "repo/pg_order_tracking.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::checkout::consumers {
namespace {

namespace ev = storefront::events::v1;

// The payload of `event` and the order it names (lower case), or an exception that makes it poison.
template <typename Payload>
std::pair<Payload, std::string> Decode(const events::Envelope& event) {
  auto payload = events::PayloadOf<Payload>(event);
  std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  return {std::move(payload), std::move(order_id)};
}

}  // namespace

void EventHandlers::OnShipmentDispatched(pqxx::work& txn, const events::Envelope& event) const {
  auto [payload, order_id] = Decode<ev::ShipmentDispatched>(event);
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).ShipmentDispatched(order_id, payload.carrier(), payload.tracking_number());
}

void EventHandlers::OnShipmentDelivered(pqxx::work& txn, const events::Envelope& event) const {
  auto [payload, order_id] = Decode<ev::ShipmentDelivered>(event);
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).ShipmentDelivered(order_id);
}

void EventHandlers::OnShipmentCancelled(pqxx::work& txn, const events::Envelope& event) const {
  auto [payload, order_id] = Decode<ev::ShipmentCancelled>(event);
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).ShipmentCancelled(order_id);
}

void EventHandlers::OnPaymentCaptured(pqxx::work& txn, const events::Envelope& event) const {
  auto [payload, order_id] = Decode<ev::PaymentCaptured>(event);
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).PaymentCaptured(order_id);
}

void EventHandlers::OnPaymentVoided(pqxx::work& txn, const events::Envelope& event) const {
  auto [payload, order_id] = Decode<ev::PaymentVoided>(event);
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).PaymentVoided(order_id);
}

void EventHandlers::OnPaymentRefunded(pqxx::work& txn, const events::Envelope& event) const {
  auto [payload, order_id] = Decode<ev::PaymentRefunded>(event);
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).PaymentRefunded(order_id, payload.fully_refunded());
}

void EventHandlers::RegisterOn(events::Consumer& consumer) const {
  using Handler = void (EventHandlers::*)(pqxx::work&, const events::Envelope&) const;
  const std::pair<std::string_view, Handler> handlers[] = {
      {events::types::kShipmentDispatched, &EventHandlers::OnShipmentDispatched},
      {events::types::kShipmentDelivered, &EventHandlers::OnShipmentDelivered},
      {events::types::kShipmentCancelled, &EventHandlers::OnShipmentCancelled},
      {events::types::kPaymentCaptured, &EventHandlers::OnPaymentCaptured},
      {events::types::kPaymentVoided, &EventHandlers::OnPaymentVoided},
      {events::types::kPaymentRefunded, &EventHandlers::OnPaymentRefunded},
  };
  for (const auto& [type, handler] : handlers) {
    consumer.On(std::string(type),
                [this, handler](pqxx::work& txn, const events::Envelope& event) { (this->*handler)(txn, event); });
  }
}

}  // namespace storefront::checkout::consumers
