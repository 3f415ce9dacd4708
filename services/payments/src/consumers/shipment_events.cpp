#include "consumers/shipment_events.h"

#include "consumers/log_fields.h"
#include "repo/pg_payment_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::payments::consumers {

void ShipmentEventHandlers::OnShipmentDispatched(pqxx::work& txn, const storefront::events::Envelope& event) const {
  const auto payload = storefront::events::PayloadOf<storefront::events::v1::ShipmentDispatched>(event);
  const std::string order_id = storefront::events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgPaymentRepository repository(txn);
  // Records the capture as an intent; the sweeper calls the processor once this transaction has
  // committed.
  domain::Payments payments(repository, processor_, clock_, types::NewUuid,
                            {.processor_calls = domain::ProcessorCalls::kBySweeper});
  const auto result = payments.CaptureOrder(order_id);
  const auto fields = LogFields(event, order_id, result);
  switch (result.outcome) {
    case domain::OrderPaymentOutcome::kDone:
      log::Info("shipment dispatched: capture recorded", fields);
      break;
    case domain::OrderPaymentOutcome::kAlreadyDone:
      log::Info("shipment dispatched: payment was already captured", fields);
      break;
    case domain::OrderPaymentOutcome::kNothingToDo:
      log::Warn("shipment dispatched but the order has no authorized payment to capture", fields);
      break;
  }
}

void ShipmentEventHandlers::RegisterOn(storefront::events::Consumer& consumer) const {
  consumer.On(std::string(storefront::events::types::kShipmentDispatched),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnShipmentDispatched(txn, event); });
}

}  // namespace storefront::payments::consumers
