// The cart repository against a real PostgreSQL, with the real migrations: the snapshot rules,
// the limits, and that concurrent writers to one cart neither lose updates nor break the limits.
#include "repo/pg_cart_repository.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <set>
#include <thread>

#include "testing/fixture.h"

namespace storefront::cart::repo {
namespace {

using domain::AddResult;
using storefront::testing::SharedPostgres;
using testing::Line;
using testing::ProductId;

// Runs `body(i)` on `count` threads released together, so their transactions overlap.
template <typename Fn>
void RunTogether(int count, Fn body) {
  std::latch start(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (auto& thread : threads) thread.join();
}

class PgCartRepositoryTest : public testing::CartDbTest {
 protected:
  static std::string Customer() { return testing::CustomerOfThisTest("repo-"); }

  int CartRows(const std::string& customer) {
    pqxx::connection connection(SharedPostgres().Dsn("cart"));
    pqxx::work txn(connection);
    return txn.exec_params("SELECT count(*) FROM carts WHERE customer_id = $1", customer)[0][0].as<int>();
  }

  db::Pool pool_{SharedPostgres().Dsn("cart"), 8, std::chrono::seconds(10), PgCartRepository::Prepare};
  PgCartRepository repo_{pool_};
};

TEST_F(PgCartRepositoryTest, MigratingAgainChangesNothingAndTheSchemaGuardsQuantity) {
  pqxx::connection connection(SharedPostgres().Dsn("cart"));
  EXPECT_TRUE(db::Migrate(connection, "cart", AllMigrations()).applied.empty());
  repo_.AddItem(Customer(), Line(1), 1);
  pqxx::work txn(connection);
  EXPECT_THROW(txn.exec_params("UPDATE cart_items SET quantity = 100 WHERE customer_id = $1", Customer()),
               pqxx::check_violation);
}

TEST_F(PgCartRepositoryTest, ACartNeverWrittenIsEmptyAndReadingItWritesNothing) {
  auto cart = repo_.Get(Customer());
  EXPECT_EQ(cart.customer_id, Customer());
  EXPECT_TRUE(cart.items.empty());
  EXPECT_FALSE(cart.updated_at);
  EXPECT_EQ(CartRows(Customer()), 0);
}

TEST_F(PgCartRepositoryTest, LinesKeepTheirFirstSnapshotAndTheOrderTheyWereAdded) {
  auto first = repo_.AddItem(Customer(), Line(1, 1000), 2);
  ASSERT_EQ(first.result, AddResult::kAdded);
  ASSERT_TRUE(first.cart.updated_at);
  ASSERT_EQ(repo_.AddItem(Customer(), Line(2, 500), 1).result, AddResult::kAdded);

  // The same product again, with a new price and name in the catalog: the line only grows.
  auto changed = Line(1, 1500);
  changed.name = "Renamed";
  auto again = repo_.AddItem(Customer(), changed, 3);
  ASSERT_EQ(again.result, AddResult::kAdded);
  ASSERT_EQ(again.cart.items.size(), 2u);
  const auto& line = again.cart.items[0];
  EXPECT_EQ(line.product_id, ProductId(1));
  EXPECT_EQ(line.quantity, 5);
  EXPECT_EQ(line.unit_price, (domain::Money{1000, "USD"}));
  EXPECT_EQ(line.name, "Product 1");
  EXPECT_EQ(line.sku, "SKU-1");
  EXPECT_EQ(line.added_at, first.cart.items[0].added_at);
  EXPECT_EQ(again.cart.items[1].product_id, ProductId(2));
  EXPECT_GE(*again.cart.updated_at, *first.cart.updated_at);
  EXPECT_EQ(again.cart.Subtotal(), (domain::Money{5500, "USD"}));

  auto read = repo_.Get(Customer());
  ASSERT_EQ(read.items.size(), 2u);
  EXPECT_EQ(read.items[0].quantity, 5);
  EXPECT_EQ(read.updated_at, again.cart.updated_at);
}

TEST_F(PgCartRepositoryTest, ALineNeverExceedsNinetyNineAndARefusalChangesNothing) {
  ASSERT_EQ(repo_.AddItem(Customer(), Line(1), 90).result, AddResult::kAdded);
  auto before = repo_.Get(Customer());
  auto refused = repo_.AddItem(Customer(), Line(1), 10);
  EXPECT_EQ(refused.result, AddResult::kQuantityLimit);
  EXPECT_EQ(refused.cart.items.at(0).quantity, 90);
  auto after = repo_.Get(Customer());
  EXPECT_EQ(after.items.at(0).quantity, 90);
  EXPECT_EQ(after.updated_at, before.updated_at);
  auto full = repo_.AddItem(Customer(), Line(1), 9);
  EXPECT_EQ(full.result, AddResult::kAdded);
  EXPECT_EQ(full.cart.items.at(0).quantity, 99);
}

TEST_F(PgCartRepositoryTest, ACartHoldsAtMostFiftyLinesButAnExistingLineCanStillGrow) {
  for (int i = 0; i < 50; ++i) ASSERT_EQ(repo_.AddItem(Customer(), Line(i), 1).result, AddResult::kAdded) << i;
  auto refused = repo_.AddItem(Customer(), Line(50), 1);
  EXPECT_EQ(refused.result, AddResult::kLineLimit);
  EXPECT_EQ(refused.cart.items.size(), 50u);
  EXPECT_EQ(repo_.AddItem(Customer(), Line(7), 1).result, AddResult::kAdded);
  EXPECT_EQ(repo_.Get(Customer()).ItemCount(), 51);
}

TEST_F(PgCartRepositoryTest, ACartHoldsOneCurrencyUntilItIsEmptiedAgain) {
  ASSERT_EQ(repo_.AddItem(Customer(), Line(1, 1000, "USD"), 1).result, AddResult::kAdded);
  auto refused = repo_.AddItem(Customer(), Line(2, 900, "EUR"), 1);
  EXPECT_EQ(refused.result, AddResult::kCurrencyMismatch);
  EXPECT_EQ(refused.cart.Currency(), "USD");
  // The line that is already there keeps its USD price even if the catalog moved it to EUR.
  EXPECT_EQ(repo_.AddItem(Customer(), Line(1, 900, "EUR"), 1).result, AddResult::kAdded);
  repo_.Clear(Customer());
  EXPECT_EQ(repo_.AddItem(Customer(), Line(2, 900, "EUR"), 1).result, AddResult::kAdded);
  EXPECT_EQ(repo_.Get(Customer()).Subtotal(), (domain::Money{900, "EUR"}));
}

TEST_F(PgCartRepositoryTest, SetQuantityChangesOnlyALineThatExists) {
  EXPECT_FALSE(repo_.SetQuantity(Customer(), ProductId(1), 3));
  EXPECT_EQ(CartRows(Customer()), 0) << "a refused update creates no cart";
  repo_.AddItem(Customer(), Line(1, 1000), 1);
  auto set = repo_.SetQuantity(Customer(), ProductId(1), 42);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->items.at(0).quantity, 42);
  EXPECT_EQ(set->items.at(0).unit_price.amount_minor, 1000);
  EXPECT_FALSE(repo_.SetQuantity(Customer(), ProductId(2), 1));
}

TEST_F(PgCartRepositoryTest, RemovingWhatIsNotThereChangesNothing) {
  auto empty = repo_.RemoveItem(Customer(), ProductId(1));
  EXPECT_TRUE(empty.items.empty());
  EXPECT_EQ(CartRows(Customer()), 0);

  repo_.AddItem(Customer(), Line(1), 1);
  repo_.AddItem(Customer(), Line(2), 1);
  auto before = repo_.Get(Customer());
  EXPECT_EQ(repo_.RemoveItem(Customer(), ProductId(3)).updated_at, before.updated_at);
  auto removed = repo_.RemoveItem(Customer(), ProductId(1));
  ASSERT_EQ(removed.items.size(), 1u);
  EXPECT_EQ(removed.items[0].product_id, ProductId(2));
  EXPECT_GE(*removed.updated_at, *before.updated_at);
}

TEST_F(PgCartRepositoryTest, ClearEmptiesTheCartAndKeepsWhenItChanged) {
  EXPECT_FALSE(repo_.Clear(Customer()).updated_at) << "clearing a cart never written writes nothing";
  repo_.AddItem(Customer(), Line(1), 1);
  repo_.AddItem(Customer(), Line(2), 4);
  auto cleared = repo_.Clear(Customer());
  EXPECT_TRUE(cleared.items.empty());
  ASSERT_TRUE(cleared.updated_at);
  EXPECT_EQ(repo_.Get(Customer()).updated_at, cleared.updated_at);
}

TEST_F(PgCartRepositoryTest, ConcurrentAddsOfOneProductAreAllCounted) {
  constexpr int kThreads = 12;
  constexpr int kAddsEach = 4;
  std::atomic<int> added = 0;
  RunTogether(kThreads, [&](int) {
    for (int i = 0; i < kAddsEach; ++i) {
      if (repo_.AddItem(Customer(), Line(1), 2).result == AddResult::kAdded) ++added;
    }
  });
  EXPECT_EQ(added, kThreads * kAddsEach);
  auto cart = repo_.Get(Customer());
  ASSERT_EQ(cart.items.size(), 1u);
  EXPECT_EQ(cart.items[0].quantity, kThreads * kAddsEach * 2);
}

TEST_F(PgCartRepositoryTest, ConcurrentAddsNeverPushALinePastNinetyNine) {
  std::atomic<int> added = 0, refused = 0;
  RunTogether(12, [&](int) {
    auto result = repo_.AddItem(Customer(), Line(1), 10).result;
    if (result == AddResult::kAdded) ++added;
    if (result == AddResult::kQuantityLimit) ++refused;
  });
  EXPECT_EQ(added, 9);
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(repo_.Get(Customer()).items.at(0).quantity, 90);
}

// Both tests start from a cart row that exists but is empty: a cart's very first write is
// serialized by the row's creation anyway, so only an existing cart exercises the lock.
void CreateEmptyCart(PgCartRepository& repo, const std::string& customer) {
  repo.AddItem(customer, Line(999), 1);
  repo.RemoveItem(customer, ProductId(999));
}

TEST_F(PgCartRepositoryTest, ConcurrentNewLinesNeverPassFifty) {
  CreateEmptyCart(repo_, Customer());
  std::atomic<int> added = 0, refused = 0;
  RunTogether(60, [&](int i) {
    auto result = repo_.AddItem(Customer(), Line(i), 1).result;
    if (result == AddResult::kAdded) ++added;
    if (result == AddResult::kLineLimit) ++refused;
  });
  EXPECT_EQ(added, 50);
  EXPECT_EQ(refused, 10);
  EXPECT_EQ(repo_.Get(Customer()).items.size(), domain::kMaxLines);
}

TEST_F(PgCartRepositoryTest, ConcurrentNewLinesNeverMixCurrencies) {
  CreateEmptyCart(repo_, Customer());
  // The window is the first lines into an empty cart, so the race is run again and again.
  for (int round = 0; round < 15; ++round) {
    std::atomic<int> added = 0;
    RunTogether(16, [&](int i) {
      // Half the products are priced in EUR: whichever currency lands first, the other is refused.
      if (repo_.AddItem(Customer(), Line(i, 100, i % 2 ? "EUR" : "USD"), 1).result == AddResult::kAdded) ++added;
    });
    auto cart = repo_.Get(Customer());
    std::set<std::string> currencies;
    for (const auto& item : cart.items) currencies.insert(item.unit_price.currency);
    ASSERT_EQ(currencies.size(), 1u) << "round " << round;
    ASSERT_EQ(added, 8) << "round " << round;
    repo_.Clear(Customer());
  }
}

}  // namespace
}  // namespace storefront::cart::repo
