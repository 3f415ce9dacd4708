#include "consumers/event_handlers.h"

#include <stdexcept>

#include "repo/pg_payment_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::payments::consumers {
namespace {

namespace ev = storefront::events::v1;
using domain::OrderPaymentOutcome;

// Checkout's order ids are UUIDs; anything else in an event is garbage.
void RequireOrderId(const std::string& order_id, const storefront::events::Envelope& event) {
  if (!domain::IsUuid(order_id)) {
    throw std::invalid_argument(event.event_type() + " " + event.event_id() + ": order_id is not a UUID");
  }
}

nlohmann::json Fields(const storefront::events::Envelope& event, const std::string& order_id,
                      const domain::OrderPaymentResult& result) {
  nlohmann::json fields = {{"event_id", event.event_id()}, {"order_id", order_id}};
  if (result.payment) {
    fields["payment_id"] = result.payment->id;
    fields["status"] = domain::ToString(result.payment->status);
  }
  return fields;
}

}  // namespace

void EventHandlers::OnShipmentDispatched(pqxx::work& txn, const storefront::events::Envelope& event) const {
  auto payload = storefront::events::PayloadOf<ev::ShipmentDispatched>(event);
  RequireOrderId(payload.order_id(), event);
  repo::PgPaymentRepository repository(txn);
  domain::Payments payments(repository, processor_, clock_);
  auto result = payments.CaptureOrder(payload.order_id());
  auto fields = Fields(event, payload.order_id(), result);
  switch (result.outcome) {
    case OrderPaymentOutcome::kDone:
      log::Info("shipment dispatched: payment captured", fields);
      break;
    case OrderPaymentOutcome::kAlreadyDone:
      log::Info("shipment dispatched: payment was already captured", fields);
      break;
    case OrderPaymentOutcome::kNothingToDo:
      log::Warn("shipment dispatched but the order has no authorized payment to capture", fields);
      break;
  }
}

void EventHandlers::OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const {
  auto payload = storefront::events::PayloadOf<ev::OrderCancelled>(event);
  RequireOrderId(payload.order_id(), event);
  repo::PgPaymentRepository repository(txn);
  domain::Payments payments(repository, processor_, clock_);
  auto result = payments.ReleaseOrder(payload.order_id(), payload.reason());
  auto fields = Fields(event, payload.order_id(), result);
  if (result.outcome == OrderPaymentOutcome::kDone) {
    log::Info(result.payment->status == domain::PaymentStatus::kVoided ? "order cancelled: authorization voided"
                                                                       : "order cancelled: payment refunded",
              fields);
  } else {
    log::Info("order cancelled: no authorized or captured payment to release", fields);
  }
}

void EventHandlers::RegisterOn(storefront::events::Consumer& consumer) const {
  consumer.On(std::string(storefront::events::types::kShipmentDispatched),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnShipmentDispatched(txn, event); });
  consumer.On(std::string(storefront::events::types::kOrderCancelled),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderCancelled(txn, event); });
}

}  // namespace storefront::payments::consumers
