// What checkout writes to its outbox, and how shipping and payments events move its read model,
// against a real PostgreSQL.
#include "repo/order_events.h"

#include <gtest/gtest.h>

#include "repo/pg_order_repository.h"
#include "shared/db/migrations.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::checkout {
const std::vector<db::Migration>& Migrations();
}

namespace storefront::checkout::repo {
namespace {

using namespace std::chrono_literals;
using domain::Order;
using domain::OrderEvent;
using domain::OrderStatus;
using storefront::testing::SharedPostgres;
namespace ev = storefront::events::v1;

class OrderEventsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto migrations = Migrations();
    migrations.push_back(events::OutboxMigration());
    migrations.push_back(events::InboxMigration());
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    db::Migrate(connection, "checkout", migrations);
  }

  Order Confirmed(const std::string& key) {
    Order o;
    o.customer_id = "customer-events";
    o.customer_email = "ada@example.com";
    o.idempotency_key = key;
    o.request_fingerprint = "fp";
    o.items = {{"0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11", "HOM-LP-1", "Lamp", 2, {2500, "USD"}, {5000, "USD"}}};
    o.subtotal = {5000, "USD"};
    o.shipping_price = {0, "USD"};
    o.total = {5000, "USD"};
    o.shipping_address = {"Ada", "1 Road", "", "Springfield", "", "12345", "US"};
    o.shipping_option_id = "standard";
    o.created_at = o.updated_at = std::chrono::system_clock::now();
    o.pending_events = {OrderEvent::kPlaced};
    o.id = repo_.Create(o, 10s);
    o.pending_events = {OrderEvent::kConfirmed};
    o.status = OrderStatus::kConfirmed;
    o.timeline = {{OrderStatus::kConfirmed, "Order confirmed", o.updated_at}};
    repo_.Save(o, 10s);
    return o;
  }

  // (event_type, key) of the outbox rows for one order, in append order.
  std::vector<std::pair<std::string, std::string>> Outbox(const std::string& order_id) {
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    pqxx::work txn(connection);
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& row : txn.exec_params("SELECT event_type, key FROM outbox WHERE key = $1 ORDER BY id", order_id)) {
      rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    }
    return rows;
  }

  template <typename Payload>
  events::Envelope EnvelopeOf(std::string_view type, const Payload& payload) {
    events::Envelope envelope;
    envelope.set_event_type(std::string(type));
    payload.SerializeToString(envelope.mutable_payload());
    return envelope;
  }

  void Apply(void (*handler)(pqxx::work&, const events::Envelope&), const events::Envelope& event) {
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    pqxx::work txn(connection);
    handler(txn, event);
    txn.commit();
  }

  db::Pool pool_{SharedPostgres().Dsn("checkout"), 4};
  PgOrderRepository repo_{pool_};
};

TEST_F(OrderEventsTest, PlacingAndConfirmingAnOrderWritesOneOutboxRowEach) {
  Order order = Confirmed("events-1");
  std::string placed(events::types::kOrderPlaced), confirmed(events::types::kOrderConfirmed);
  EXPECT_EQ(Outbox(order.id), (std::vector<std::pair<std::string, std::string>>{{placed, order.id}, {confirmed, order.id}}));

  // Saving again without pending events announces nothing more.
  order.pending_events.clear();
  repo_.Save(order, 10s);
  EXPECT_EQ(Outbox(order.id).size(), 2u);

  // The confirmed event carries what inventory, cart and shipping need.
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  auto row = txn.exec_params1("SELECT envelope, topic FROM outbox WHERE key = $1 AND event_type = $2", order.id,
                              confirmed);
  EXPECT_EQ(row[1].as<std::string>(), events::kOrderTopic);
  pqxx::binarystring bytes(row[0]);
  events::Envelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(bytes.str()));
  EXPECT_EQ(envelope.aggregate_id(), order.id);
  auto payload = events::PayloadOf<ev::OrderConfirmed>(envelope);
  EXPECT_EQ(payload.customer_id(), "customer-events");
  ASSERT_EQ(payload.lines_size(), 1);
  EXPECT_EQ(payload.lines(0).quantity(), 2);
}

TEST_F(OrderEventsTest, ARefusedOrderAnnouncesNothing) {
  Order first = Confirmed("events-dup");
  Order duplicate = first;
  duplicate.pending_events = {OrderEvent::kPlaced};
  EXPECT_THROW(repo_.Create(duplicate, 10s), AlreadyExists);  // the transaction rolled back
  EXPECT_EQ(Outbox(first.id).size(), 2u);
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  EXPECT_EQ(txn.exec("SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM orders WHERE id::text = o.key)")[0][0]
                .as<int>(),
            0);
}

TEST_F(OrderEventsTest, ShipmentEventsMoveTheOrderForwardOnce) {
  Order order = Confirmed("events-ship");
  ev::ShipmentDispatched dispatched;
  dispatched.set_order_id(order.id);
  dispatched.set_carrier("USPS");
  dispatched.set_tracking_number("USPS123456789012");
  Apply(ApplyShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  Apply(ApplyShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));  // redelivered
  auto shipped = repo_.Get(order.id);
  EXPECT_EQ(shipped->status, OrderStatus::kShipped);
  EXPECT_EQ(shipped->shipment_status, "DISPATCHED");
  EXPECT_EQ(shipped->timeline.size(), 2u) << "one entry for the dispatch, not two";

  ev::ShipmentDelivered delivered;
  delivered.set_order_id(order.id);
  Apply(ApplyShipmentDelivered, EnvelopeOf(events::types::kShipmentDelivered, delivered));
  auto done = repo_.Get(order.id);
  EXPECT_EQ(done->status, OrderStatus::kDelivered);
  EXPECT_EQ(done->timeline.back().status, OrderStatus::kDelivered);

  // A late dispatch never moves a delivered order back.
  Apply(ApplyShipmentDispatched, EnvelopeOf(events::types::kShipmentDispatched, dispatched));
  EXPECT_EQ(repo_.Get(order.id)->status, OrderStatus::kDelivered);
}

TEST_F(OrderEventsTest, PaymentEventsUpdateThePaymentStatus) {
  Order order = Confirmed("events-pay");
  ev::PaymentCaptured captured;
  captured.set_order_id(order.id);
  Apply(ApplyPaymentCaptured, EnvelopeOf(events::types::kPaymentCaptured, captured));
  EXPECT_EQ(repo_.Get(order.id)->payment_status, "CAPTURED");
  ev::PaymentRefunded refunded;
  refunded.set_order_id(order.id);
  refunded.set_fully_refunded(false);
  Apply(ApplyPaymentRefunded, EnvelopeOf(events::types::kPaymentRefunded, refunded));
  EXPECT_EQ(repo_.Get(order.id)->payment_status, "PARTIALLY_REFUNDED");
}

TEST_F(OrderEventsTest, AnEventWithoutAnOrderIsRefused) {
  ev::ShipmentDispatched nameless;
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  EXPECT_THROW(ApplyShipmentDispatched(txn, EnvelopeOf(events::types::kShipmentDispatched, nameless)),
               std::invalid_argument);
  events::Envelope garbage;
  garbage.set_payload("\xff\xff not a message");
  EXPECT_THROW(ApplyPaymentCaptured(txn, garbage), std::runtime_error);
}

}  // namespace
}  // namespace storefront::checkout::repo
