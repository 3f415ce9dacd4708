// How shipping's and payments' events move checkout's read model, against a real PostgreSQL:
// each handler called inside a transaction, as the consumer calls it.
#include "consumers/event_handlers.h"

#include <gtest/gtest.h>

#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"
#include "testing/fixture.h"

namespace storefront::checkout::consumers {
namespace {

using namespace std::chrono_literals;
using domain::Order;
using domain::OrderStatus;
using storefront::testing::EnvelopeOf;
using storefront::testing::SharedPostgres;
namespace ev = storefront::events::v1;

class EventHandlersTest : public testing::DatabaseTest {
 protected:
  // Runs one handler in its own transaction and commits, as the consumer does.
  void Apply(void (EventHandlers::*handler)(pqxx::work&, const events::Envelope&) const,
             const events::Envelope& event) {
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    pqxx::work txn(connection);
    (handlers_.*handler)(txn, event);
    txn.commit();
  }

  EventHandlers handlers_;
};

TEST_F(EventHandlersTest, ShipmentEventsMoveTheOrderForwardOnce) {
  Order order = Confirmed("events-ship");
  const std::size_t entries_before = orders_.Get(order.id)->timeline.size();
  ev::ShipmentDispatched dispatched;
  dispatched.set_order_id(order.id);
  dispatched.set_carrier("USPS");
  dispatched.set_tracking_number("USPS123456789012");
  Apply(&EventHandlers::OnShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  // Redelivered (a new envelope: the inbox would drop the same event id before the handler).
  Apply(&EventHandlers::OnShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  auto shipped = orders_.Get(order.id);
  EXPECT_EQ(shipped->status, OrderStatus::kShipped);
  EXPECT_EQ(shipped->shipment_status, domain::ShipmentStatus::kDispatched);
  EXPECT_EQ(shipped->timeline.size(), entries_before + 1) << "one entry for the dispatch, not two";

  ev::ShipmentDelivered delivered;
  delivered.set_order_id(order.id);
  Apply(&EventHandlers::OnShipmentDelivered, EnvelopeOf(events::types::kShipmentDelivered, delivered));
  auto done = orders_.Get(order.id);
  EXPECT_EQ(done->status, OrderStatus::kDelivered);
  EXPECT_EQ(done->timeline.back().status, OrderStatus::kDelivered);

  // A late dispatch never moves a delivered order back.
  Apply(&EventHandlers::OnShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  EXPECT_EQ(orders_.Get(order.id)->status, OrderStatus::kDelivered);
}

TEST_F(EventHandlersTest, PaymentEventsUpdateThePaymentStatus) {
  Order order = Confirmed("events-pay");
  ev::PaymentCaptured captured;
  captured.set_order_id(order.id);
  Apply(&EventHandlers::OnPaymentCaptured, EnvelopeOf(events::types::kPaymentCaptured, captured));
  EXPECT_EQ(orders_.Get(order.id)->payment_status, domain::PaymentStatus::kCaptured);
  ev::PaymentRefunded refunded;
  refunded.set_order_id(order.id);
  refunded.set_fully_refunded(false);
  Apply(&EventHandlers::OnPaymentRefunded, EnvelopeOf(events::types::kPaymentRefunded, refunded));
  EXPECT_EQ(orders_.Get(order.id)->payment_status, domain::PaymentStatus::kPartiallyRefunded);
}

TEST_F(EventHandlersTest, AnEventWithoutAnOrderIsRefused) {
  ev::ShipmentDispatched nameless;
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  EXPECT_THROW(handlers_.OnShipmentDispatched(txn, EnvelopeOf(events::types::kShipmentDispatched, nameless)),
               std::invalid_argument);
  events::Envelope garbage;
  garbage.set_payload("\xff\xff not a message");
  EXPECT_THROW(handlers_.OnPaymentCaptured(txn, garbage), std::runtime_error);
}

}  // namespace
}  // namespace storefront::checkout::consumers
