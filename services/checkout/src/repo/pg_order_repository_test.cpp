// The checkout's order store against a real PostgreSQL.
#include "repo/pg_order_repository.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "shared/db/migrations.h"
#include "shared/events/outbox.h"
#include "shared/testing/postgres.h"

namespace storefront::checkout {
const std::vector<db::Migration>& Migrations();
}

namespace storefront::checkout::repo {
namespace {

using namespace std::chrono_literals;
using domain::Order;
using domain::OrderStatus;
using storefront::testing::SharedPostgres;

class PgOrderRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto migrations = Migrations();
    migrations.push_back(events::OutboxMigration());
    migrations.push_back(events::InboxMigration());
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    db::Migrate(connection, "checkout", migrations);
  }

  Order Sample(const std::string& key, const std::string& customer = "customer-1") {
    Order o;
    o.customer_id = customer;
    o.customer_email = "ada@example.com";
    o.idempotency_key = key;
    o.request_fingerprint = "fp-" + key;
    o.items = {{"0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11", "HOM-LP-1", "Lamp", 2, {2500, "USD"}, {5000, "USD"}}};
    o.subtotal = {5000, "USD"};
    o.shipping_price = {599, "USD"};
    o.total = {5599, "USD"};
    o.shipping_address = {"Ada", "1 Road", "", "London", "", "N1 1AA", "GB"};
    o.shipping_option_id = "standard";
    o.card_last4 = "4242";
    o.created_at = o.updated_at = std::chrono::system_clock::now();
    o.steps = {{domain::kStepLoadCart, domain::StepState::kSucceeded, "1 line", o.created_at}};
    o.timeline = {{OrderStatus::kPending, "Order placed", o.created_at}};
    return o;
  }

  db::Pool pool_{SharedPostgres().Dsn("checkout"), 8};
  PgOrderRepository repo_{pool_};
};

TEST_F(PgOrderRepositoryTest, StoresAndReloadsTheWholeOrder) {
  Order order = Sample("round-trip");
  order.id = repo_.Create(order, 10s);
  order.status = OrderStatus::kReserved;
  order.reservation_id = "res-9";
  order.steps.push_back({domain::kStepReserve, domain::StepState::kSucceeded, "reservation res-9", order.updated_at});
  order.timeline.push_back({OrderStatus::kReserved, "Stock reserved", order.updated_at});
  repo_.Save(order, 10s);

  auto loaded = repo_.Get(order.id);
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
  EXPECT_EQ(repo_.FindByIdempotencyKey("customer-1", "round-trip")->id, order.id);
  EXPECT_FALSE(repo_.FindByIdempotencyKey("customer-2", "round-trip"));
  EXPECT_FALSE(repo_.Get("not-a-uuid"));
}

TEST_F(PgOrderRepositoryTest, AnIdempotencyKeyIsUsedOncePerCustomerEvenConcurrently) {
  std::atomic<int> created{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      try {
        repo_.Create(Sample("race"), 10s);
        ++created;
      } catch (const AlreadyExists&) {
        ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(duplicates.load(), 7);
  EXPECT_NO_THROW(repo_.Create(Sample("race", "customer-2"), 10s)) << "keys are per customer";
}

TEST_F(PgOrderRepositoryTest, OnlyUnfinishedOrdersWithAnExpiredLeaseAreClaimed) {
  // Drain whatever other tests left claimable.
  while (repo_.ClaimStale(60s)) {
  }
  Order running = Sample("lease-running");
  running.id = repo_.Create(running, 60s);
  EXPECT_TRUE(repo_.IsLeased(running.id));

  Order abandoned = Sample("lease-abandoned");
  abandoned.id = repo_.Create(abandoned, 1ms);
  std::this_thread::sleep_for(20ms);  // let the 1 ms lease lapse (no timing is asserted)
  EXPECT_FALSE(repo_.IsLeased(abandoned.id));

  Order done = Sample("lease-done");
  done.id = repo_.Create(done, 1ms);
  done.status = OrderStatus::kConfirmed;
  repo_.Save(done, 1ms);
  repo_.ReleaseLease(done.id);

  auto claimed = repo_.ClaimStale(60s);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, abandoned.id);
  EXPECT_TRUE(repo_.IsLeased(abandoned.id)) << "claiming takes the lease";
  EXPECT_FALSE(repo_.ClaimStale(60s)) << "running and finished orders are not recovered";
}

TEST_F(PgOrderRepositoryTest, ListsNewestFirstWithKeysetPagingAndFilters) {
  for (int i = 0; i < 5; ++i) repo_.Create(Sample("page-" + std::to_string(i), "pager"), 10s);
  domain::OrderFilter filter;
  filter.customer_id = "pager";
  filter.limit = 2;
  std::set<std::string> seen;
  std::vector<Order> all;
  while (true) {
    auto page = repo_.List(filter);
    for (auto& o : page.orders) {
      EXPECT_TRUE(seen.insert(o.id).second);
      EXPECT_EQ(o.items.size(), 1u);
      all.push_back(o);
    }
    if (!page.more) break;
    filter.after_created = std::to_string(
        std::chrono::duration_cast<std::chrono::microseconds>(all.back().created_at.time_since_epoch()).count());
    filter.after_id = all.back().id;
  }
  EXPECT_EQ(all.size(), 5u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].created_at, all[i].created_at);

  domain::OrderFilter by_status;
  by_status.customer_id = "pager";
  by_status.status = OrderStatus::kConfirmed;
  EXPECT_TRUE(repo_.List(by_status).orders.empty());
}

TEST_F(PgOrderRepositoryTest, ListsOnlyOrdersCreatedInTheRange) {
  // Far in the past, so orders other tests create now never fall in the range.
  const domain::Timestamp base(std::chrono::seconds(1'000'000'000));  // 2001-09-09T01:46:40Z
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    Order o = Sample("range-" + std::to_string(i), "ranger");
    o.created_at = o.updated_at = base + std::chrono::minutes(10 * i) + std::chrono::microseconds(7);
    ids.push_back(repo_.Create(o, 10s));
  }
  domain::OrderFilter filter;
  filter.created_after = base + std::chrono::minutes(10) + std::chrono::microseconds(7);  // inclusive: ids[1]
  filter.created_before = base + std::chrono::minutes(30) + std::chrono::microseconds(7);  // exclusive: not ids[3]
  auto page = repo_.List(filter);
  ASSERT_EQ(page.orders.size(), 2u);
  EXPECT_EQ(page.orders[0].id, ids[2]) << "newest first";
  EXPECT_EQ(page.orders[1].id, ids[1]);

  domain::OrderFilter open_ended;
  open_ended.created_before = base + std::chrono::minutes(10);
  open_ended.customer_id = "ranger";
  page = repo_.List(open_ended);
  ASSERT_EQ(page.orders.size(), 1u);
  EXPECT_EQ(page.orders[0].id, ids[0]);
}

TEST_F(PgOrderRepositoryTest, SalesCountsConfirmedOrLaterOrdersPerUtcHourAndDayWithEmptyBucketsAsZeros) {
  // A quiet stretch in 2002 no other test writes to.
  const domain::Timestamp day(std::chrono::seconds(1'010'016'000));  // 2002-01-03T00:00:00Z
  auto place = [&](const std::string& key, domain::Timestamp at, OrderStatus status, std::int64_t total,
                   const std::string& currency = "USD") {
    Order o = Sample("sales-" + key, "sales");
    o.created_at = o.updated_at = at;
    o.subtotal = {total - 100, currency};
    o.shipping_price = {100, currency};
    o.total = {total, currency};
    o.id = repo_.Create(o, 10s);
    o.status = status;
    repo_.Save(o, 10s);
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

  auto hourly = repo_.Sales({domain::Granularity::kHour, day + minutes(30), day + hours(4), "USD"});
  // 00:00 (holds from_time) .. 03:00 (holds the last instant before to_time).
  ASSERT_EQ(hourly.size(), 4u);
  EXPECT_EQ(hourly[0], (domain::SalesBucket{day, 0, {0, "USD"}}));
  EXPECT_EQ(hourly[1], (domain::SalesBucket{day + hours(1), 2, {3000, "USD"}}));
  EXPECT_EQ(hourly[2], (domain::SalesBucket{day + hours(2), 0, {0, "USD"}}));
  EXPECT_EQ(hourly[3], (domain::SalesBucket{day + hours(3), 2, {1200, "USD"}}));

  auto daily = repo_.Sales({domain::Granularity::kDay, day, day + hours(48), "USD"});
  ASSERT_EQ(daily.size(), 2u);
  EXPECT_EQ(daily[0], (domain::SalesBucket{day, 4, {4200, "USD"}}));
  EXPECT_EQ(daily[1], (domain::SalesBucket{day + hours(24), 1, {300, "USD"}}));

  // from_time is inclusive and to_time exclusive, to the microsecond.
  auto edge = repo_.Sales({domain::Granularity::kHour, day + hours(1) + minutes(5), day + hours(1) + minutes(59), "USD"});
  ASSERT_EQ(edge.size(), 1u);
  EXPECT_EQ(edge[0].orders, 1);
  EXPECT_EQ(edge[0].revenue.amount_minor, 1000);

  auto euros = repo_.Sales({domain::Granularity::kDay, day, day + hours(24), "EUR"});
  ASSERT_EQ(euros.size(), 1u);
  EXPECT_EQ(euros[0].orders, 1);
}

}  // namespace
}  // namespace storefront::checkout::repo
