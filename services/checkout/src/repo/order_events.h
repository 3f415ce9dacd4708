// What checkout publishes and consumes, mapped between the domain and the event contracts
// (proto/storefront/events/v1/checkout_events.proto and the shipping and payments events).
#pragma once

#include <pqxx/pqxx>

#include "domain/order.h"
#include "shared/events/consumer.h"

namespace storefront::checkout::repo {

// Appends the order's pending events to checkout.outbox within `txn`.
void AppendOrderEvents(pqxx::transaction_base& txn, const domain::Order& order);

// The read model: the order's status, shipment and payment follow what shipping and payments
// announce. Each applies on the consumer's transaction and only ever moves an order forward.
void ApplyShipmentDispatched(pqxx::work& txn, const events::Envelope& event);
void ApplyShipmentDelivered(pqxx::work& txn, const events::Envelope& event);
void ApplyShipmentCancelled(pqxx::work& txn, const events::Envelope& event);
void ApplyPaymentCaptured(pqxx::work& txn, const events::Envelope& event);
void ApplyPaymentVoided(pqxx::work& txn, const events::Envelope& event);
void ApplyPaymentRefunded(pqxx::work& txn, const events::Envelope& event);

// Registers the handlers above with a consumer.
void RegisterReadModelHandlers(events::Consumer& consumer);

}  // namespace storefront::checkout::repo
