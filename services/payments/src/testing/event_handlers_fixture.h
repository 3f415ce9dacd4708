// The fixture of payments' event handler tests (consumers/*_test.cpp, which live in this
// namespace): the use cases over the real repository and a counting processor, both handler
// classes, Deliver, which calls the handler for an event's type in a transaction of the service's
// pool as the consumer does and then runs a sweep as the App's sweeper would (the handlers only
// record intents), the events to deliver, and the names those tests read outbox rows and order
// closures with.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "consumers/order_events.h"
#include "consumers/shipment_events.h"
#include "repo/pg_payment_repository.h"
#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "shared/testing/outbox_rows.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"
#include "testing/fixture.h"

namespace storefront::payments::testing {

using domain::Payment;
using domain::PaymentStatus;
using storefront::testing::EventTypes;
using storefront::testing::OutboxRows;
using storefront::testing::SharedPostgres;
namespace ev = storefront::events::v1;

inline storefront::events::Envelope Dispatched(const std::string& order_id) {
  ev::ShipmentDispatched payload;
  payload.set_shipment_id(types::NewUuid());
  payload.set_order_id(order_id);
  payload.set_customer_id("customer-1");
  payload.set_carrier("UPS");
  payload.set_tracking_number("UPS123456789012");
  return storefront::testing::EnvelopeOf(storefront::events::types::kShipmentDispatched, payload,
                                         {.aggregate_type = "shipment", .producer = "shipping"});
}

inline storefront::events::Envelope Cancelled(const std::string& order_id, const std::string& reason = "") {
  ev::OrderCancelled payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("customer-1");
  payload.set_reason(reason);
  return storefront::testing::EnvelopeOf(storefront::events::types::kOrderCancelled, payload);
}

inline storefront::events::Envelope Failed(const std::string& order_id, const std::string& reason = "") {
  ev::OrderFailed payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("customer-1");
  payload.set_failed_step("authorize_payment");
  payload.set_reason(reason);
  return storefront::testing::EnvelopeOf(storefront::events::types::kOrderFailed, payload);
}

class EventHandlersTest : public PaymentsDbTest {
 protected:
  // Calls the handler registered for the event's type the way the consumer does: in a transaction
  // of the service's pool, committed when the handler returns, rolled back when it throws. Then
  // sweeps, as the App's sweeper does on its next tick: the captures, voids and refunds the
  // handler recorded are carried out.
  void Deliver(const storefront::events::Envelope& event) {
    Handle(event);
    payments_.ResolveDueIntents();
  }

  // The handler alone: what it recorded, not yet carried out.
  void Handle(const storefront::events::Envelope& event) {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    if (event.event_type() == storefront::events::types::kShipmentDispatched) {
      shipment_events_.OnShipmentDispatched(txn, event);
    } else if (event.event_type() == storefront::events::types::kOrderFailed) {
      order_events_.OnOrderFailed(txn, event);
    } else if (event.event_type() == storefront::events::types::kOrderCancelled) {
      order_events_.OnOrderCancelled(txn, event);
    } else {
      throw std::logic_error("no handler for " + event.event_type());
    }
    txn.commit();
  }

  Payment Authorized(const char* number = "4242 4242 4242 4242") {
    // The key names the card by its last four digits only: a whole number in a key would be a
    // card number at rest (NoCardNumberIsStoredInAnyColumnOfAnyTable, should it run after this).
    const std::string card(number);
    return payments_.Authorize({order_ + ":authorize:" + card.substr(card.size() - 4), order_, "customer-1",
                                domain::Money{12999, "USD"}, domain::Card{number, 12, 2099, "123"}});
  }

  std::vector<std::string> Events() {
    return EventTypes(OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_));
  }

  // How the order ended and why, as order_closures holds it; nullopt while it has not.
  std::optional<std::pair<std::string, std::string>> Closure() {
    pqxx::connection connection(SharedPostgres().Dsn("payments"));
    pqxx::nontransaction txn(connection);
    auto rows = txn.exec_params("SELECT ended, reason FROM order_closures WHERE order_id = $1", order_);
    if (rows.empty()) return std::nullopt;
    return std::pair{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
  }

  const std::string order_ = types::NewUuid();
  db::Pool pool_{SharedPostgres().Dsn("payments"), 4, std::chrono::seconds(5), repo::PgPaymentRepository::Prepare};
  repo::PgPaymentRepository repo_{pool_};
  CountingProcessor processor_{pool_};
  domain::Payments payments_{repo_, processor_};
  consumers::OrderEventHandlers order_events_{processor_};
  consumers::ShipmentEventHandlers shipment_events_{processor_};
};

}  // namespace storefront::payments::testing
