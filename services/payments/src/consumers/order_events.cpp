#include "consumers/order_events.h"

#include "consumers/log_fields.h"
#include "repo/pg_payment_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::payments::consumers {

namespace ev = storefront::events::v1;

void OrderEventHandlers::OnOrderFailed(pqxx::work& txn, const storefront::events::Envelope& event) const {
  const auto payload = storefront::events::PayloadOf<ev::OrderFailed>(event);
  Close(txn, event, storefront::events::RequireUuid(event, "order_id", payload.order_id()), domain::OrderEnd::kFailed,
        payload.reason());
}

void OrderEventHandlers::OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const {
  const auto payload = storefront::events::PayloadOf<ev::OrderCancelled>(event);
  Close(txn, event, storefront::events::RequireUuid(event, "order_id", payload.order_id()),
        domain::OrderEnd::kCancelled, payload.reason());
}

void OrderEventHandlers::Close(pqxx::work& txn, const storefront::events::Envelope& event, const std::string& order_id,
                               domain::OrderEnd end, const std::string& reason) const {
  repo::PgPaymentRepository repository(txn);
  // Records what is to be done (the closure, and the void or the refund as an intent); the
  // sweeper calls the processor once this transaction has committed.
  domain::Payments payments(repository, processor_, clock_, types::NewUuid,
                            {.processor_calls = domain::ProcessorCalls::kBySweeper});
  const auto result = payments.CloseOrder(order_id, end, reason);
  auto fields = LogFields(event, order_id, result);
  fields["ended"] = domain::ToString(end);
  if (result.outcome == domain::OrderPaymentOutcome::kDone) {
    log::Info(result.operation == domain::Operation::kVoid ? "order ended: void of the authorization recorded"
                                                           : "order ended: refund of the payment recorded",
              fields);
  } else if (result.payment && result.payment->status == domain::PaymentStatus::kPending) {
    log::Info("order ended while its authorization is being resolved: it is voided once recorded", fields);
  } else {
    log::Info("order ended: no authorized or captured payment to release", fields);
  }
}

void OrderEventHandlers::RegisterOn(storefront::events::Consumer& consumer) const {
  consumer.On(std::string(storefront::events::types::kOrderFailed),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderFailed(txn, event); });
  consumer.On(std::string(storefront::events::types::kOrderCancelled),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderCancelled(txn, event); });
}

}  // namespace storefront::payments::consumers
