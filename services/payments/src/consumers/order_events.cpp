#include "consumers/order_events.h"

#include "consumers/log_fields.h"
#include "repo/pg_payment_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::payments::consumers {

void OrderEventHandlers::OnOrderCancelled(pqxx::work& txn, const storefront::events::Envelope& event) const {
  const auto payload = storefront::events::PayloadOf<storefront::events::v1::OrderCancelled>(event);
  const std::string order_id = storefront::events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgPaymentRepository repository(txn);
  domain::Payments payments(repository, processor_, clock_);
  const auto result = payments.ReleaseOrder(order_id, payload.reason());
  const auto fields = LogFields(event, order_id, result);
  if (result.outcome == domain::OrderPaymentOutcome::kDone) {
    log::Info(result.payment->status == domain::PaymentStatus::kVoided ? "order cancelled: authorization voided"
                                                                       : "order cancelled: payment refunded",
              fields);
  } else {
    log::Info("order cancelled: no authorized or captured payment to release", fields);
  }
}

void OrderEventHandlers::RegisterOn(storefront::events::Consumer& consumer) const {
  consumer.On(std::string(storefront::events::types::kOrderCancelled),
              [this](pqxx::work& txn, const storefront::events::Envelope& event) { OnOrderCancelled(txn, event); });
}

}  // namespace storefront::payments::consumers
