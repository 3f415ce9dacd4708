// What the order repository writes to checkout's outbox with each change, against a real
// PostgreSQL.
#include "repo/order_outbox.h"

#include <gtest/gtest.h>

#include "shared/events/consumer.h"
#include "shared/events/topics.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "testing/fixture.h"

namespace storefront::checkout::repo {
namespace {

using namespace std::chrono_literals;
using domain::Order;
using domain::OrderEvent;
using domain::OrderStatus;
using storefront::testing::SharedPostgres;
namespace ev = storefront::events::v1;

class OrderOutboxTest : public testing::DatabaseTest {
 protected:
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
};

TEST_F(OrderOutboxTest, PlacingAndConfirmingAnOrderWritesOneOutboxRowEach) {
  Order order = Confirmed("events-1");
  std::string placed(events::types::kOrderPlaced), confirmed(events::types::kOrderConfirmed);
  EXPECT_EQ(Outbox(order.id), (std::vector<std::pair<std::string, std::string>>{{placed, order.id}, {confirmed, order.id}}));

  // Saving again without pending events announces nothing more.
  order.pending_events.clear();
  orders_.Save(order, 10s);
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

TEST_F(OrderOutboxTest, ARefusedOrderAnnouncesNothing) {
  Order first = Confirmed("events-dup");
  Order duplicate = first;
  duplicate.pending_events = {OrderEvent::kPlaced};
  EXPECT_THROW(orders_.Create(duplicate, 10s), AlreadyExists);  // the transaction rolled back
  EXPECT_EQ(Outbox(first.id).size(), 2u);
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  EXPECT_EQ(txn.exec("SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM orders WHERE id::text = o.key)")[0][0]
                .as<int>(),
            0);
}

}  // namespace
}  // namespace storefront::checkout::repo
