// How shipping's shipment events move checkout's read model, against a real PostgreSQL: each
// handler called inside a transaction, as the consumer calls it.
#include "consumers/shipment_events.h"

#include <gtest/gtest.h>

#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "shared/testing/postgres.h"
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

class ShipmentEventHandlersTest : public testing::DatabaseTest {
 protected:
  // Runs one handler in its own transaction and commits, as the consumer does.
  void Apply(void (ShipmentEventHandlers::*handler)(pqxx::work&, const events::Envelope&) const,
             const events::Envelope& event) {
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    pqxx::work txn(connection);
    (handlers_.*handler)(txn, event);
    txn.commit();
  }

  ShipmentEventHandlers handlers_;
};

TEST_F(ShipmentEventHandlersTest, ShipmentEventsMoveTheOrderForwardOnce) {
  Order order = Confirmed("events-ship");
  const std::size_t entries_before = orders_.Get(order.id)->timeline.size();
  ev::ShipmentDispatched dispatched;
  dispatched.set_order_id(order.id);
  dispatched.set_carrier("USPS");
  dispatched.set_tracking_number("USPS123456789012");
  Apply(&ShipmentEventHandlers::OnShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  // Redelivered (a new envelope: the inbox would drop the same event id before the handler).
  Apply(&ShipmentEventHandlers::OnShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  auto shipped = orders_.Get(order.id);
  EXPECT_EQ(shipped->status, OrderStatus::kShipped);
  EXPECT_EQ(shipped->shipment_status, domain::ShipmentStatus::kDispatched);
  EXPECT_EQ(shipped->timeline.size(), entries_before + 1) << "one entry for the dispatch, not two";

  ev::ShipmentDelivered delivered;
  delivered.set_order_id(order.id);
  Apply(&ShipmentEventHandlers::OnShipmentDelivered, EnvelopeOf(events::types::kShipmentDelivered, delivered));
  auto done = orders_.Get(order.id);
  EXPECT_EQ(done->status, OrderStatus::kDelivered);
  EXPECT_EQ(done->timeline.back().status, OrderStatus::kDelivered);

  // A late dispatch never moves a delivered order back.
  Apply(&ShipmentEventHandlers::OnShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  EXPECT_EQ(orders_.Get(order.id)->status, OrderStatus::kDelivered);
}

TEST_F(ShipmentEventHandlersTest, AnEventWithoutAnOrderIsRefused) {
  ev::ShipmentDispatched nameless;
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  EXPECT_THROW(handlers_.OnShipmentDispatched(txn, EnvelopeOf(events::types::kShipmentDispatched, nameless)),
               std::invalid_argument);
  events::Envelope garbage;
  garbage.set_payload("\xff\xff not a message");
  EXPECT_THROW(handlers_.OnShipmentDelivered(txn, garbage), std::runtime_error);
}

}  // namespace
}  // namespace storefront::checkout::consumers
