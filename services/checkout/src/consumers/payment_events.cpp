#include "consumers/payment_events.h"

#include "domain/order_tracking.h"
#include "repo/pg_order_tracking.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/payments_events.pb.h"

namespace storefront::checkout::consumers {

namespace ev = storefront::events::v1;

void PaymentEventHandlers::OnPaymentCaptured(pqxx::work& txn, const events::Envelope& event) const {
  const auto payload = events::PayloadOf<ev::PaymentCaptured>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).PaymentCaptured(order_id);
}

void PaymentEventHandlers::OnPaymentVoided(pqxx::work& txn, const events::Envelope& event) const {
  const auto payload = events::PayloadOf<ev::PaymentVoided>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).PaymentVoided(order_id);
}

void PaymentEventHandlers::OnPaymentRefunded(pqxx::work& txn, const events::Envelope& event) const {
  const auto payload = events::PayloadOf<ev::PaymentRefunded>(event);
  const std::string order_id = events::RequireUuid(event, "order_id", payload.order_id());
  repo::PgOrderTracking store(txn);
  domain::OrderTracking(store).PaymentRefunded(order_id, payload.fully_refunded());
}

void PaymentEventHandlers::RegisterOn(events::Consumer& consumer) const {
  using Handler = void (PaymentEventHandlers::*)(pqxx::work&, const events::Envelope&) const;
  const std::pair<std::string_view, Handler> handlers[] = {
      {events::types::kPaymentCaptured, &PaymentEventHandlers::OnPaymentCaptured},
      {events::types::kPaymentVoided, &PaymentEventHandlers::OnPaymentVoided},
      {events::types::kPaymentRefunded, &PaymentEventHandlers::OnPaymentRefunded},
  };
  for (const auto& [type, handler] : handlers) {
    consumer.On(std::string(type),
                [this, handler](pqxx::work& txn, const events::Envelope& event) { (this->*handler)(txn, event); });
  }
}

}  // namespace storefront::checkout::consumers
