#include "consumers/order_events.h"

#include "repo/pg_shipment_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::shipping::consumers {
namespace {

namespace ev = storefront::events::v1;
using domain::OrderEventOutcome;

nlohmann::json Fields(const storefront::events::Envelope& event, const std::string& order_id,
                      const domain::OrderEventResult& result) {
  nlohmann::json fields = {{"event_id", event.event_id()}, {"order_id", order_id}};
  if (result.shipment) {
    fields["shipment_id"] = result.shipment->id;
    fields["status"] = domain::Name(result.shipment->status);
  }
  return fields;
}

}  // namespace

void OrderEventHandlers::OnOrderConfirmed(pqxx::work& txn, const storefront::events::Envelope& event) const {
  auto payload = storefront::events::PayloadOf<ev::OrderConfirmed>(event);
  const auto order_id = storefront::events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgShipmentRepository repository(txn);
  // No shipment is created here, so the random digits are never drawn.
  domain::Shipping shipping(repository, clock_, domain::SecureRandomDigits(), delays_);
  auto result = shipping.StartProgression(order_id);
  auto fields = Fields(event, order_id, result);
  switch (result.outcome) {
    case OrderEventOutcome::kApplied:
      fields["dispatch_in_ms"] = delays_.dispatch.count();
      log::Info("order confirmed: shipment scheduled to dispatch", fields);
      break;
    case OrderEventOutcome::kNoShipment:
      log::Warn("order confirmed but it has no shipment; nothing to schedule", fields);
      break;
    default:
      log::Info("order confirmed: shipment already scheduled, under way or cancelled", fields);
      break;
  }
}

void OrderEventHandlers::OnOrderFailed(pqxx::work& txn, const storefront::events::Envelope& event) const {
  auto payload = storefront::events::PayloadOf<ev::OrderFailed>(event);
  const auto order_id = storefront::events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgShipmentRepository repository(txn);
  domain::Shipping shipping(repository, clock_, domain::SecureRandomDigits(), delays_);
  auto result = shipping.EndOrder(order_id, domain::OrderEnding::kFailed, payload.reason());
  auto fields = Fields(event, order_id, result);
  fields["failed_step"] = payload.failed_step();
  fields["closed_now"] = result.closed;  // false: a redelivery, or the order had already ended
  switch (result.outcome) {
    case OrderEventOutcome::kApplied:
      log::Info("order failed: closed, and its shipment cancelled", fields);
      break;
    case OrderEventOutcome::kUnchanged:
      log::Info("order failed: closed; its shipment was already cancelled", fields);
      break;
    case OrderEventOutcome::kWithCarrier:
      // Only an operator dispatches the shipment of an order that was never confirmed (the
      // progression starts at OrderConfirmed). Payments captures on ShipmentDispatched only an
      // authorized payment, and a failed order's authorization is voided: the parcel goes out
      // unpaid, for people to sort out (README, "Closed orders").
      fields["tracking_number"] = result.shipment->tracking_number;
      log::Warn("order failed but its shipment was already dispatched; a parcel cannot be recalled, it goes on",
                fields);
      break;
    case OrderEventOutcome::kNoShipment:
      log::Info("order failed: closed before any shipment; none will be created for it", fields);
      break;
  }
}

void OrderEventHandlers::OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const {
  auto payload = storefront::events::PayloadOf<ev::OrderCancelled>(event);
  const auto order_id = storefront::events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgShipmentRepository repository(txn);
  domain::Shipping shipping(repository, clock_, domain::SecureRandomDigits(), delays_);
  auto result = shipping.EndOrder(order_id, domain::OrderEnding::kCancelled, payload.reason());
  auto fields = Fields(event, order_id, result);
  fields["closed_now"] = result.closed;
  switch (result.outcome) {
    case OrderEventOutcome::kApplied:
      log::Info("order cancelled: shipment cancelled", fields);
      break;
    case OrderEventOutcome::kUnchanged:
      log::Info("order cancelled: shipment was already cancelled", fields);
      break;
    case OrderEventOutcome::kWithCarrier:
      fields["tracking_number"] = result.shipment->tracking_number;
      log::Warn("order cancelled after its shipment was dispatched; the parcel goes on", fields);
      break;
    case OrderEventOutcome::kNoShipment:
      log::Warn("order cancelled but it has no shipment; nothing to cancel", fields);
      break;
  }
}

void OrderEventHandlers::RegisterOn(storefront::events::Consumer& consumer) const {
  consumer.On(std::string(storefront::events::types::kOrderConfirmed),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderConfirmed(txn, event); });
  consumer.On(std::string(storefront::events::types::kOrderFailed),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderFailed(txn, event); });
  consumer.On(std::string(storefront::events::types::kOrderCancelled),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderCancelled(txn, event); });
}

}  // namespace storefront::shipping::consumers
