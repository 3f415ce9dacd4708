// Inventory's reactions to checkout's order events, with the handlers called directly on a
// pqxx::work as the consumer would (no broker): the reservation changes and its outbox rows are
// written in that transaction, redeliveries change nothing, and malformed events throw so the
// library can dead-letter them. Against a real PostgreSQL, fresh ids per test.
#include "consumers/order_events.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/inventory_events.pb.h"
#include "testing/fixture.h"

namespace storefront::inventory::consumers {
namespace {

using namespace domain;
using storefront::testing::EnvelopeOf;
using storefront::testing::SharedPostgres;
using storefront::types::NewUuid;
using testing::OutboxRowsFor;
using testing::Summaries;
using ::testing::ElementsAre;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;

std::string Upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

events::Envelope Confirmed(const std::string& order_id) {
  ev::OrderConfirmed payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("shopper-1");
  return EnvelopeOf(types::kOrderConfirmed, payload);
}
events::Envelope Failed(const std::string& order_id) {
  ev::OrderFailed payload;
  payload.set_order_id(order_id);
  payload.set_failed_step("authorize_payment");
  return EnvelopeOf(types::kOrderFailed, payload);
}
events::Envelope Cancelled(const std::string& order_id) {
  ev::OrderCancelled payload;
  payload.set_order_id(order_id);
  payload.set_by_operator(true);
  return EnvelopeOf(types::kOrderCancelled, payload);
}

using Handler = void (OrderEventHandlers::*)(pqxx::work&, const events::Envelope&) const;

class OrderEventsTest : public DatabaseTest {
 protected:
  void SetUp() override { repo::PgInventoryRepository::Prepare(connection_); }

  // Runs one handler on its own transaction and commits, as the consumer does.
  void Handle(Handler handler, const events::Envelope& event) {
    pqxx::work txn(connection_);
    (handlers_.*handler)(txn, event);
    txn.commit();
  }

  std::string StateOf(const std::string& order) {
    pqxx::nontransaction txn(connection_);
    auto rows = txn.exec_params(
        "SELECT state || coalesce('/' || release_reason, '') FROM reservations WHERE order_id = $1::uuid", order);
    return rows.empty() ? "none" : rows[0][0].as<std::string>();
  }

  OrderEventHandlers handlers_{clock_.AsClock()};
  // The consumer's connections come from the service's pool, so they are prepared like these.
  pqxx::connection connection_{SharedPostgres().Dsn("inventory")};
};

TEST_F(OrderEventsTest, OrderConfirmedCommitsTheOrdersReservationOnce) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  Reserve(order, {{product, 3}});
  NewRows({product, order});

  Handle(&OrderEventHandlers::OnOrderConfirmed, Confirmed(Upper(order)));  // any spelling of the id
  EXPECT_EQ(StateOf(order), "committed");
  EXPECT_EQ(Level(product).on_hand, 7);
  EXPECT_EQ(Level(product).reserved, 0);
  auto rows = NewRows({product, order});
  ASSERT_THAT(Summaries(rows),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationCommitted, order)));
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().cause(), ev::STOCK_CHANGE_CAUSE_COMMITTED);

  // The same confirmation again (a new delivery the inbox did not catch, or a second event):
  // committed already, so nothing changes and nothing is announced.
  Handle(&OrderEventHandlers::OnOrderConfirmed, Confirmed(order));
  EXPECT_EQ(Level(product).on_hand, 7);
  EXPECT_TRUE(NewRows({product, order}).empty());
}

// The change, its events (and, in production, the inbox row) share the consumer's transaction.
TEST_F(OrderEventsTest, TheChangeAndItsEventsCommitOrRollBackWithTheConsumersTransaction) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  Reserve(order, {{product, 3}});
  NewRows({product, order});
  {
    pqxx::work txn(connection_);
    const auto before = OutboxRowsFor(txn, "inventory", {product, order}).size();
    handlers_.OnOrderConfirmed(txn, Confirmed(order));
    EXPECT_EQ(OutboxRowsFor(txn, "inventory", {product, order}).size(), before + 2);
    txn.abort();  // the handler after it threw, say, or the inbox insert failed
  }
  EXPECT_EQ(StateOf(order), "active");
  EXPECT_EQ(Level(product).reserved, 3);
  EXPECT_TRUE(NewRows({product, order}).empty());
}

TEST_F(OrderEventsTest, AConfirmationWithoutAReservationIsLoggedAndChangesNothing) {
  const auto order = NewUuid();
  EXPECT_NO_THROW(Handle(&OrderEventHandlers::OnOrderConfirmed, Confirmed(order)));
  EXPECT_EQ(StateOf(order), "none");
  EXPECT_TRUE(NewRows({order}).empty());
}

// The limitation of confirming on an event: if the hold ran out first, the units may be someone
// else's now. Inventory logs an error and commits nothing; it does not throw (a retry cannot help).
TEST_F(OrderEventsTest, AConfirmationAfterTheHoldExpiredCommitsNothing) {
  const auto product = Stocked(10);
  const auto swept = NewUuid(), overdue = NewUuid();
  Reserve(swept, {{product, 2}}, 60);
  Reserve(overdue, {{product, 3}}, 120);
  clock_.Advance(std::chrono::seconds(61));
  while (repo_.ExpireDue(clock_.Now(), 1000) > 0) {
  }
  EXPECT_EQ(StateOf(swept), "released/expired");
  clock_.Advance(std::chrono::seconds(60));

  // Swept already: unchanged, nothing announced.
  NewRows({product, swept, overdue});
  EXPECT_NO_THROW(Handle(&OrderEventHandlers::OnOrderConfirmed, Confirmed(swept)));
  EXPECT_EQ(StateOf(swept), "released/expired");
  EXPECT_TRUE(NewRows({product, swept}).empty());

  // Overdue but not swept yet: it expires now, as a late CommitReservation would, and says so.
  EXPECT_NO_THROW(Handle(&OrderEventHandlers::OnOrderConfirmed, Confirmed(overdue)));
  EXPECT_EQ(StateOf(overdue), "released/expired");
  EXPECT_EQ(Level(product).on_hand, 10);
  EXPECT_EQ(Level(product).reserved, 0);
  auto rows = NewRows({product, overdue});
  ASSERT_THAT(Summaries(rows),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationReleased, overdue)));
  EXPECT_EQ(rows[1].PayloadAs<ev::ReservationReleased>().reason(), ev::RESERVATION_RELEASE_REASON_EXPIRED);
}

TEST_F(OrderEventsTest, AFailedOrderReleasesItsHoldOnce) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  Reserve(order, {{product, 4}});
  NewRows({product, order});

  Handle(&OrderEventHandlers::OnOrderFailed, Failed(order));
  EXPECT_EQ(StateOf(order), "released/checkout_failed");
  EXPECT_EQ(Level(product).available(), 10);
  auto rows = NewRows({product, order});
  ASSERT_THAT(Summaries(rows),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationReleased, order)));
  auto released = rows[1].PayloadAs<ev::ReservationReleased>();
  EXPECT_EQ(released.reason(), ev::RESERVATION_RELEASE_REASON_CHECKOUT_FAILED);
  EXPECT_FALSE(released.was_committed());

  Handle(&OrderEventHandlers::OnOrderFailed, Failed(order));        // redelivered
  Handle(&OrderEventHandlers::OnOrderCancelled, Cancelled(order));  // or cancelled later: first reason kept
  EXPECT_EQ(StateOf(order), "released/checkout_failed");
  EXPECT_TRUE(NewRows({product, order}).empty());

  // An order that failed before it reserved anything has nothing to release.
  const auto never_reserved = NewUuid();
  EXPECT_NO_THROW(Handle(&OrderEventHandlers::OnOrderFailed, Failed(never_reserved)));
  EXPECT_TRUE(NewRows({never_reserved}).empty());
}

TEST_F(OrderEventsTest, CancellingAConfirmedOrderPutsTheUnitsBackOnHand) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  Reserve(order, {{product, 3}});
  Handle(&OrderEventHandlers::OnOrderConfirmed, Confirmed(order));
  EXPECT_EQ(Level(product).on_hand, 7);
  NewRows({product, order});

  Handle(&OrderEventHandlers::OnOrderCancelled, Cancelled(order));
  EXPECT_EQ(StateOf(order), "released/order_cancelled");
  EXPECT_EQ(Level(product).on_hand, 10);
  EXPECT_EQ(Level(product).reserved, 0);
  auto rows = NewRows({product, order});
  ASSERT_THAT(Summaries(rows),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationReleased, order)));
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().on_hand(), 10);
  auto released = rows[1].PayloadAs<ev::ReservationReleased>();
  EXPECT_EQ(released.reason(), ev::RESERVATION_RELEASE_REASON_ORDER_CANCELLED);
  EXPECT_TRUE(released.was_committed());
}

// Poison: thrown, so the consumer retries and then dead-letters it; nothing is written.
TEST_F(OrderEventsTest, MalformedEventsThrowAndChangeNothing) {
  const Handler all[] = {&OrderEventHandlers::OnOrderConfirmed, &OrderEventHandlers::OnOrderFailed,
                         &OrderEventHandlers::OnOrderCancelled};
  const std::string types_of[] = {std::string(types::kOrderConfirmed), std::string(types::kOrderFailed),
                                  std::string(types::kOrderCancelled)};
  for (int i = 0; i < 3; ++i) {
    for (const std::string bad_id : {"", "not-a-uuid", "'; DELETE FROM reservations; --"}) {
      ev::OrderConfirmed payload;  // field 1 is order_id in all three messages
      payload.set_order_id(bad_id);
      auto event = EnvelopeOf(types_of[i], payload);
      EXPECT_THROW(Handle(all[i], event), std::invalid_argument) << types_of[i] << " '" << bad_id << "'";
    }
    auto garbage = Confirmed(NewUuid());
    garbage.set_payload(std::string("\x0a\x05" "ab", 4));  // a field longer than the bytes left
    EXPECT_THROW(Handle(all[i], garbage), std::runtime_error) << types_of[i];
  }
}

}  // namespace
}  // namespace storefront::inventory::consumers
