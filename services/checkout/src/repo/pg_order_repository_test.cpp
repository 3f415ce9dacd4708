// The checkout's order store against a real PostgreSQL.
#include "repo/pg_order_repository.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "repo/pg_order_tracking.h"
#include "testing/fixture.h"

namespace storefront::checkout::repo {
namespace {

using namespace std::chrono_literals;
using domain::Order;
using domain::OrderStatus;

class PgOrderRepositoryTest : public testing::DatabaseTest {
 protected:
  PgOrderRepositoryTest() : DatabaseTest(8) {}
};

TEST_F(PgOrderRepositoryTest, StoresAndReloadsTheWholeOrder) {
  Order order = testing::SampleOrder("round-trip");
  order.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  order.cart_version = types::FromMicros(1'799'999'999'123'456);
  order.id = orders_.Create(order, 10s);
  order.status = OrderStatus::kReserved;
  order.reservation_id = "res-9";
  order.steps.push_back({domain::kStepReserve, domain::StepState::kSucceeded, "reservation res-9", order.updated_at});
  order.timeline.push_back({OrderStatus::kReserved, "Stock reserved", order.updated_at});
  orders_.Save(order, 10s);

  auto loaded = orders_.Get(order.id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->status, OrderStatus::kReserved);
  EXPECT_EQ(loaded->reservation_id, "res-9");
  ASSERT_EQ(loaded->items.size(), 1u);
  EXPECT_EQ(loaded->items[0].line_total.amount_minor, 5000);
  EXPECT_EQ(loaded->total, (domain::Money{5599, "USD"}));
  ASSERT_EQ(loaded->steps.size(), 2u);
  EXPECT_EQ(loaded->steps[1].name, domain::kStepReserve);
  ASSERT_EQ(loaded->timeline.size(), 2u);
  EXPECT_EQ(loaded->shipping_address.city, "London");
  EXPECT_EQ(loaded->traceparent, order.traceparent);
  EXPECT_EQ(loaded->cart_version, order.cart_version) << "to the microsecond";
  EXPECT_EQ(orders_.FindByIdempotencyKey("customer-1", "round-trip")->id, order.id);
  EXPECT_FALSE(orders_.FindByIdempotencyKey("customer-2", "round-trip"));
  EXPECT_FALSE(orders_.Get("not-a-uuid"));
}

TEST_F(PgOrderRepositoryTest, AnIdempotencyKeyIsUsedOncePerCustomerEvenConcurrently) {
  std::atomic<int> created{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      try {
        orders_.Create(testing::SampleOrder("race"), 10s);
        ++created;
      } catch (const AlreadyExists&) {
        ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(duplicates.load(), 7);
  EXPECT_NO_THROW(orders_.Create(testing::SampleOrder("race", "customer-2"), 10s)) << "keys are per customer";
}

TEST_F(PgOrderRepositoryTest, OnlyUnfinishedOrdersWithAnExpiredLeaseAreClaimed) {
  // Drain whatever other tests left claimable.
  while (orders_.ClaimStale(60s)) {
  }
  Order running = testing::SampleOrder("lease-running");
  running.id = orders_.Create(running, 60s);
  EXPECT_TRUE(orders_.IsLeased(running.id));

  Order abandoned = testing::SampleOrder("lease-abandoned");
  abandoned.id = orders_.Create(abandoned, 1ms);
  std::this_thread::sleep_for(20ms);  // let the 1 ms lease lapse (no timing is asserted)
  EXPECT_FALSE(orders_.IsLeased(abandoned.id));

  Order done = testing::SampleOrder("lease-done");
  done.id = orders_.Create(done, 1ms);
  Reach(done, OrderStatus::kPaymentAuthorized);
  EXPECT_TRUE(orders_.IsLeased(done.id)) << "a save of a running saga renews the lease";
  Reach(done, OrderStatus::kConfirmed);
  EXPECT_FALSE(orders_.IsLeased(done.id)) << "the save that ends the saga gives the lease back";

  auto claimed = orders_.ClaimStale(60s);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, abandoned.id);
  EXPECT_TRUE(orders_.IsLeased(abandoned.id)) << "claiming takes the lease";
  EXPECT_FALSE(orders_.ClaimStale(60s)) << "running and finished orders are not recovered";
}

// Fencing: each claim takes a new lease token, and a save with an older one writes nothing.
TEST_F(PgOrderRepositoryTest, ARunnerWhoseLeaseWasTakenOverCannotSave) {
  while (orders_.ClaimStale(60s)) {
  }
  Order stalled = testing::SampleOrder("lease-fenced");
  stalled.id = orders_.Create(stalled, 1ms);
  EXPECT_EQ(stalled.lease_token, domain::kFirstLeaseToken);
  std::this_thread::sleep_for(20ms);  // the 1 ms lease lapses (no timing is asserted)

  auto recovery = orders_.ClaimStale(60s);
  ASSERT_TRUE(recovery);
  ASSERT_EQ(recovery->id, stalled.id);
  EXPECT_EQ(recovery->lease_token, domain::kFirstLeaseToken + 1);
  recovery->status = OrderStatus::kReserved;  // still running: recovery holds the lease
  recovery->reservation_id = "recovered";
  orders_.Save(*recovery, 60s);

  stalled.status = OrderStatus::kConfirmed;
  stalled.pending_events.push_back(domain::OrderEvent::kConfirmed);
  EXPECT_THROW(orders_.Save(stalled, 60s), domain::LeaseLost);
  const auto stored = orders_.Get(stalled.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, OrderStatus::kReserved) << "the stale runner's save wrote nothing";
  EXPECT_EQ(stored->reservation_id, "recovered");
  EXPECT_TRUE(orders_.IsLeased(stalled.id)) << "nor did it end recovery's lease";
}

// Whole-row saves used to lose what events wrote meanwhile: a stale copy moved a DELIVERED order
// back, put a CAPTURED payment back to AUTHORIZED, and its timeline entries took positions the
// events' entries held (and were dropped).
TEST_F(PgOrderRepositoryTest, AStaleCopyNeitherMovesTheOrderBackNorLosesWhatEventsWrote) {
  Order order = testing::SampleOrder("stale-copy");
  order.id = orders_.Create(order, 10s);
  order.payment_status = domain::PaymentStatus::kAuthorized;
  order.shipment_status = domain::ShipmentStatus::kLabelCreated;
  Reach(order, OrderStatus::kConfirmed);
  Order stale = order;  // what a cancel or a refund loaded, a moment before the events below

  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    PgOrderTracking tracking(txn);
    tracking.SetShipmentStatus(order.id, domain::ShipmentStatus::kDispatched);
    tracking.SetPaymentStatus(order.id, domain::PaymentStatus::kCaptured);
    tracking.Advance(order.id, {OrderStatus::kConfirmed}, OrderStatus::kShipped, "Shipped");
    tracking.Advance(order.id, {OrderStatus::kShipped}, OrderStatus::kDelivered, "Delivered");
  });
  stale.timeline.push_back({OrderStatus::kConfirmed, "a note of the stale copy", stale.updated_at});
  EXPECT_THROW(orders_.Save(stale, 10s), domain::OrderMovedOn) << "CONFIRMED over DELIVERED";

  // The same copy with the status it found is refused too; a refund records only what it changed.
  orders_.RecordRefund(order.id, domain::PaymentStatus::kPartiallyRefunded, false, "Refunded in part");
  auto stored = orders_.Get(order.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, OrderStatus::kDelivered);
  EXPECT_EQ(stored->payment_status, domain::PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(stored->shipment_status, domain::ShipmentStatus::kDispatched);

  // A late, redelivered event cannot step the statuses back either.
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    PgOrderTracking tracking(txn);
    tracking.SetPaymentStatus(order.id, domain::PaymentStatus::kCaptured);
    tracking.SetShipmentStatus(order.id, domain::ShipmentStatus::kLabelCreated);
  });
  stored = orders_.Get(order.id);
  EXPECT_EQ(stored->payment_status, domain::PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(stored->shipment_status, domain::ShipmentStatus::kDispatched);
  std::vector<std::string> notes;
  for (const auto& entry : stored->timeline) notes.push_back(entry.note);
  EXPECT_EQ(notes.back(), "Delivered");
  EXPECT_EQ(std::count(notes.begin(), notes.end(), "Shipped"), 1);
}

TEST_F(PgOrderRepositoryTest, TimelineEntriesOfTwoWritersAreBothKeptAndNoneTwice) {
  Order order = testing::SampleOrder("two-writers");
  order.id = orders_.Create(order, 10s);
  Reach(order, OrderStatus::kConfirmed);
  const std::size_t before = orders_.Get(order.id)->timeline.size();
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    PgOrderTracking(txn).Advance(order.id, {OrderStatus::kConfirmed}, OrderStatus::kShipped, "Shipped");
  });
  // The saga's copy (without the event's entry) saves an entry of its own, then saves again.
  order.timeline.push_back({OrderStatus::kConfirmed, "the saga's own note", order.updated_at});
  order.status = OrderStatus::kConfirmed;
  EXPECT_THROW(orders_.Save(order, 10s), domain::OrderMovedOn);  // it may not unship the order
  auto stored = orders_.Get(order.id);
  EXPECT_EQ(stored->timeline.size(), before + 1) << "the refused save added nothing";
  // A save that may go through keeps both writers' entries, each once.
  Order fresh = testing::SampleOrder("two-writers-b");
  fresh.id = orders_.Create(fresh, 10s);
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    PgOrderTracking(txn).Advance(fresh.id, {OrderStatus::kPending}, OrderStatus::kPending, "an event's note");
  });
  fresh.timeline.push_back({OrderStatus::kReserved, "Stock reserved", fresh.updated_at});
  fresh.status = OrderStatus::kReserved;
  orders_.Save(fresh, 10s);
  orders_.Save(fresh, 10s);  // again: nothing twice
  const auto reloaded = orders_.Get(fresh.id);
  ASSERT_TRUE(reloaded);
  std::vector<std::string> notes;
  for (const auto& entry : reloaded->timeline) notes.push_back(entry.note);
  EXPECT_EQ(notes, (std::vector<std::string>{"Order placed", "an event's note", "Stock reserved"}));
}

// A cancel begins once: of two at the same moment, one takes the order to CANCELLING.
TEST_F(PgOrderRepositoryTest, ACancelBeginsOnlyFromConfirmedAndOnlyOnce) {
  Order order = testing::SampleOrder("cancel-once");
  order.id = orders_.Create(order, 10s);
  EXPECT_FALSE(orders_.BeginCancel(order.id, "too early", 10s)) << "PENDING cannot be cancelled";
  Reach(order, OrderStatus::kConfirmed);
  auto first = orders_.BeginCancel(order.id, "changed my mind", 10s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, OrderStatus::kCancelling);
  EXPECT_EQ(first->cancel_reason, "changed my mind");
  EXPECT_EQ(first->lease_token, order.lease_token + 1) << "the cancel holds the lease under a new token";
  EXPECT_EQ(first->timeline.back().note, "Cancellation requested: changed my mind");
  EXPECT_FALSE(orders_.BeginCancel(order.id, "again", 10s));
  EXPECT_THROW(orders_.Save(order, 10s), domain::LeaseLost) << "the copy from before the cancel is fenced off";
  auto claimed = orders_.Get(order.id);
  EXPECT_EQ(claimed->status, OrderStatus::kCancelling);
  EXPECT_TRUE(orders_.IsLeased(order.id));
}

// A cancel whose runner died is recovery's job like a checkout's: its lease runs out, it is claimed.
TEST_F(PgOrderRepositoryTest, RecoveryClaimsACancelWhoseRunnerStopped) {
  while (orders_.ClaimStale(60s)) {
  }
  Order order = testing::SampleOrder("cancel-recovered");
  order.id = orders_.Create(order, 10s);
  Reach(order, OrderStatus::kConfirmed);
  ASSERT_TRUE(orders_.BeginCancel(order.id, "", 1ms));
  std::this_thread::sleep_for(20ms);  // the 1 ms lease lapses (no timing is asserted)
  auto claimed = orders_.ClaimStale(60s);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, order.id);
  EXPECT_EQ(claimed->status, OrderStatus::kCancelling);
}

TEST_F(PgOrderRepositoryTest, ListsNewestFirstWithKeysetPagingAndFilters) {
  for (int i = 0; i < 5; ++i) orders_.Create(testing::SampleOrder("page-" + std::to_string(i), "pager"), 10s);
  domain::OrderFilter filter;
  filter.customer_id = "pager";
  filter.limit = 2;
  std::set<std::string> seen;
  std::vector<Order> all;
  while (true) {
    auto page = orders_.List(filter);
    for (auto& o : page.orders) {
      EXPECT_TRUE(seen.insert(o.id).second);
      EXPECT_EQ(o.items.size(), 1u);
      all.push_back(o);
    }
    if (!page.more) break;
    filter.after = domain::PageToken{all.back().created_at, all.back().id};
  }
  EXPECT_EQ(all.size(), 5u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].created_at, all[i].created_at);

  domain::OrderFilter by_status;
  by_status.customer_id = "pager";
  by_status.status = OrderStatus::kConfirmed;
  EXPECT_TRUE(orders_.List(by_status).orders.empty());
}

TEST_F(PgOrderRepositoryTest, ListsOnlyOrdersCreatedInTheRange) {
  // Far in the past, so orders other tests create now never fall in the range.
  const domain::Timestamp base(std::chrono::seconds(1'000'000'000));  // 2001-09-09T01:46:40Z
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    Order o = testing::SampleOrder("range-" + std::to_string(i), "ranger");
    o.created_at = o.updated_at = base + std::chrono::minutes(10 * i) + std::chrono::microseconds(7);
    ids.push_back(orders_.Create(o, 10s));
  }
  domain::OrderFilter filter;
  filter.created_after = base + std::chrono::minutes(10) + std::chrono::microseconds(7);  // inclusive: ids[1]
  filter.created_before = base + std::chrono::minutes(30) + std::chrono::microseconds(7);  // exclusive: not ids[3]
  auto page = orders_.List(filter);
  ASSERT_EQ(page.orders.size(), 2u);
  EXPECT_EQ(page.orders[0].id, ids[2]) << "newest first";
  EXPECT_EQ(page.orders[1].id, ids[1]);

  domain::OrderFilter open_ended;
  open_ended.created_before = base + std::chrono::minutes(10);
  open_ended.customer_id = "ranger";
  page = orders_.List(open_ended);
  ASSERT_EQ(page.orders.size(), 1u);
  EXPECT_EQ(page.orders[0].id, ids[0]);
}

TEST_F(PgOrderRepositoryTest, SalesCountsConfirmedOrLaterOrdersPerUtcHourAndDayWithEmptyBucketsAsZeros) {
  // A quiet stretch in 2002 no other test writes to.
  const domain::Timestamp day(std::chrono::seconds(1'010'016'000));  // 2002-01-03T00:00:00Z
  auto place = [&](const std::string& key, domain::Timestamp at, OrderStatus status, std::int64_t total,
                   const std::string& currency = "USD") {
    Order o = testing::SampleOrder("sales-" + key, "sales");
    o.created_at = o.updated_at = at;
    o.subtotal = {total - 100, currency};
    o.shipping_price = {100, currency};
    o.total = {total, currency};
    o.id = orders_.Create(o, 10s);
    Reach(o, status);
  };
  using std::chrono::hours;
  using std::chrono::minutes;
  place("a", day + hours(1) + minutes(5), OrderStatus::kConfirmed, 1000);
  place("b", day + hours(1) + minutes(59), OrderStatus::kShipped, 2000);
  place("c", day + hours(3), OrderStatus::kDelivered, 500);
  place("d", day + hours(3) + minutes(1), OrderStatus::kRefunded, 700);
  place("e", day + hours(3) + minutes(2), OrderStatus::kCancelled, 9999);      // never a sale
  place("f", day + hours(3) + minutes(3), OrderStatus::kFailed, 9999);         // nor this
  place("g", day + hours(3) + minutes(4), OrderStatus::kPaymentAuthorized, 9999);  // not yet
  place("h", day + hours(3) + minutes(5), OrderStatus::kConfirmed, 9999, "EUR");   // another currency
  place("i", day + hours(26), OrderStatus::kConfirmed, 300);                   // the next day

  auto hourly = orders_.Sales({domain::Granularity::kHour, day + minutes(30), day + hours(4), "USD"});
  // 00:00 (holds from_time) .. 03:00 (holds the last instant before to_time).
  ASSERT_EQ(hourly.size(), 4u);
  EXPECT_EQ(hourly[0], (domain::SalesBucket{day, 0, {0, "USD"}}));
  EXPECT_EQ(hourly[1], (domain::SalesBucket{day + hours(1), 2, {3000, "USD"}}));
  EXPECT_EQ(hourly[2], (domain::SalesBucket{day + hours(2), 0, {0, "USD"}}));
  EXPECT_EQ(hourly[3], (domain::SalesBucket{day + hours(3), 2, {1200, "USD"}}));

  auto daily = orders_.Sales({domain::Granularity::kDay, day, day + hours(48), "USD"});
  ASSERT_EQ(daily.size(), 2u);
  EXPECT_EQ(daily[0], (domain::SalesBucket{day, 4, {4200, "USD"}}));
  EXPECT_EQ(daily[1], (domain::SalesBucket{day + hours(24), 1, {300, "USD"}}));

  // from_time is inclusive and to_time exclusive, to the microsecond.
  auto edge = orders_.Sales({domain::Granularity::kHour, day + hours(1) + minutes(5), day + hours(1) + minutes(59), "USD"});
  ASSERT_EQ(edge.size(), 1u);
  EXPECT_EQ(edge[0].orders, 1);
  EXPECT_EQ(edge[0].revenue.amount_minor, 1000);

  auto euros = orders_.Sales({domain::Granularity::kDay, day, day + hours(24), "EUR"});
  ASSERT_EQ(euros.size(), 1u);
  EXPECT_EQ(euros[0].orders, 1);
}

}  // namespace
}  // namespace storefront::checkout::repo
