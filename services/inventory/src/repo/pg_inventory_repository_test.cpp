// The repository and use cases against a real PostgreSQL, with the real migrations and seed.
// Every test works on fresh random product and order ids, so tests share one database without
// seeing each other's rows; time comes from a FakeClock, never from sleeping.
#include "repo/pg_inventory_repository.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "shared/errors/errors.h"
#include "testing/fixture.h"

namespace storefront::inventory::repo {
namespace {

using namespace domain;
using storefront::testing::SharedPostgres;
using storefront::types::NewUuid;

class PgInventoryRepositoryTest : public DatabaseTest {
 protected:
  PgInventoryRepositoryTest() : DatabaseTest(24) {}

  std::string StateOf(const std::string& id) {
    pqxx::connection connection(SharedPostgres().Dsn("inventory"));
    pqxx::nontransaction txn(connection);
    auto rows = txn.exec_params(
        "SELECT state || coalesce('/' || release_reason, '') FROM reservations WHERE id = $1::uuid", id);
    return rows[0][0].as<std::string>();
  }

  // Releases whatever is already due at `now`, so a test counts only the reservations it made.
  void DrainDue(Timestamp now) {
    while (repo_.ExpireDue(now, 1000) > 0) {
    }
  }
};

// --- Seed -----------------------------------------------------------------------------------

TEST_F(PgInventoryRepositoryTest, SeedsStockForEveryProductOfTheDemoCatalog) {
  pqxx::connection connection(SharedPostgres().Dsn("inventory"));
  EXPECT_TRUE(db::Migrate(connection, "inventory", AllMigrations()).applied.empty()) << "migrating again adds nothing";

  // The catalog's own seed is the source of truth for the ids (and which are discontinued).
  std::ifstream file(std::string(STOREFRONT_SOURCE_DIR) + "/services/catalog/migrations/V002__seed_demo_catalog.sql");
  ASSERT_TRUE(file) << "catalog seed not found";
  std::stringstream text;
  text << file.rdbuf();
  const std::string sql = text.str();
  std::regex product(R"(\('([0-9a-f-]{36})', '([A-Z0-9-]+)')");
  std::map<std::string, std::string> sku_by_id;
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), product); it != std::sregex_iterator(); ++it) {
    sku_by_id[(*it)[1]] = (*it)[2];
  }
  ASSERT_EQ(sku_by_id.size(), 60u);

  std::vector<std::string> ids;
  for (const auto& [id, sku] : sku_by_id) ids.push_back(id);
  auto levels = inventory_.GetStockLevels(std::vector<std::string>(ids.begin(), ids.end()));
  ASSERT_EQ(levels.size(), 60u) << "every demo product has a stock row";
  int low_active = 0;
  for (const auto& level : levels) {
    const auto& sku = sku_by_id[level.product_id];
    EXPECT_EQ(level.low_stock_threshold, kDefaultLowStockThreshold);
    EXPECT_GE(level.available(), 0);
    if (sku == "AUD-EB-0009" || sku == "BKS-FI-0007") {
      EXPECT_EQ(level.on_hand, 0) << sku << " is discontinued";
    } else {
      EXPECT_GT(level.on_hand, 0) << sku;
      EXPECT_LE(level.on_hand, 120) << sku;
      if (level.on_hand <= kDefaultLowStockThreshold) ++low_active;
    }
  }
  EXPECT_EQ(low_active, 3);
}

TEST_F(PgInventoryRepositoryTest, GetStockLevelsReturnsOnlyTrackedProducts) {
  auto product = Stocked(12);
  auto levels = inventory_.GetStockLevels({product, NewUuid()});
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_EQ(levels[0].product_id, product);
  EXPECT_EQ(levels[0].on_hand, 12);
  EXPECT_EQ(levels[0].available(), 12);
  EXPECT_EQ(levels[0].low_stock_threshold, 5);
}

// --- ReserveStock ---------------------------------------------------------------------------

// The headline guarantee: N concurrent checkouts for the last K units succeed exactly K times.
TEST_F(PgInventoryRepositoryTest, ConcurrentCheckoutsForTheLastUnitsSucceedExactlyThatManyTimes) {
  constexpr int kUnits = 5;
  constexpr int kShoppers = 16;
  const auto product = Stocked(kUnits);
  std::atomic<int> reserved{0}, short_of_stock{0}, failed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> shoppers;
  for (int i = 0; i < kShoppers; ++i) {
    shoppers.emplace_back([&] {
      const std::string order = NewUuid();
      while (!go) std::this_thread::yield();  // start together, for maximum contention
      try {
        auto result = inventory_.ReserveStock({order, {{product, 1}}, 0});
        if (result.reservation) ++reserved;
        else if (result.shortages.size() == 1 && result.shortages[0].available == 0) ++short_of_stock;
        else ++failed;
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
        ++failed;
      }
    });
  }
  go = true;
  for (auto& shopper : shoppers) shopper.join();
  EXPECT_EQ(reserved, kUnits);
  EXPECT_EQ(short_of_stock, kShoppers - kUnits);
  EXPECT_EQ(failed, 0);
  auto level = Level(product);
  EXPECT_EQ(level.on_hand, kUnits);
  EXPECT_EQ(level.reserved, kUnits);
  EXPECT_EQ(level.available(), 0);
  pqxx::connection connection(SharedPostgres().Dsn("inventory"));
  pqxx::nontransaction txn(connection);
  EXPECT_EQ(txn.exec_params("SELECT count(*) FROM reservation_lines WHERE product_id = $1::uuid", product)[0][0]
                .as<int>(),
            kUnits);
}

// Every transaction locks stock rows in product_id order, so orders listing the same products
// in opposite orders cannot deadlock.
TEST_F(PgInventoryRepositoryTest, MultiLineReservationsInOppositeOrdersDoNotDeadlock) {
  const auto a = Stocked(1000), b = Stocked(1000), c = Stocked(1000);
  std::atomic<int> reserved{0};
  std::vector<std::thread> shoppers;
  for (int i = 0; i < 12; ++i) {
    shoppers.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round) {
        std::vector<ReservationLine> lines{{a, 1}, {b, 1}, {c, 1}};
        if (i % 2) std::reverse(lines.begin(), lines.end());
        try {
          if (inventory_.ReserveStock({NewUuid(), lines, 0}).reservation) ++reserved;
        } catch (const std::exception& error) {
          ADD_FAILURE() << error.what();
        }
      }
    });
  }
  for (auto& shopper : shoppers) shopper.join();
  EXPECT_EQ(reserved, 60);
  for (const auto& product : {a, b, c}) EXPECT_EQ(Level(product).reserved, 60);
}

TEST_F(PgInventoryRepositoryTest, AReservationIsAllOrNothingAndListsEveryShortage) {
  const auto plenty = Stocked(10), scarce = Stocked(2), untracked = NewUuid();
  const auto order = NewUuid();
  auto result = inventory_.ReserveStock({order, {{plenty, 4}, {scarce, 3}, {untracked, 1}}, 0});
  ASSERT_FALSE(result.reservation);
  std::map<std::string, Shortage> by_product;
  for (const auto& s : result.shortages) by_product[s.product_id] = s;
  ASSERT_EQ(by_product.size(), 2u) << "only the lines that fell short";
  EXPECT_EQ(by_product[scarce], (Shortage{scarce, 3, 2}));
  EXPECT_EQ(by_product[untracked], (Shortage{untracked, 1, 0}));
  EXPECT_EQ(Level(plenty).reserved, 0) << "the line that fitted was rolled back too";
  EXPECT_EQ(Level(scarce).reserved, 0);

  // A shortage records nothing: the same order simply tries again after a restock.
  inventory_.AdjustStock({NewUuid(), scarce, 1, AdjustmentReason::kRestock, "", "test"});
  inventory_.AdjustStock({NewUuid(), untracked, 1, AdjustmentReason::kRestock, "", "test"});
  auto retry = Reserve(order, {{plenty, 4}, {scarce, 3}, {untracked, 1}});
  EXPECT_EQ(retry.state, ReservationState::kActive);
  EXPECT_EQ(Level(plenty).available(), 6);
  EXPECT_EQ(Level(scarce).available(), 0);
  EXPECT_EQ(Level(untracked).available(), 0);
}

TEST_F(PgInventoryRepositoryTest, ReserveIsIdempotentOnTheOrder) {
  const auto a = Stocked(10), b = Stocked(10);
  const auto order = NewUuid();
  auto first = Reserve(order, {{a, 2}, {b, 1}}, 60);
  EXPECT_EQ(first.expires_at - first.created_at, std::chrono::seconds(60));
  auto again = Reserve(order, {{b, 1}, {a, 2}}, 600);  // lines in another order, ttl ignored
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.expires_at, first.expires_at);
  EXPECT_EQ(Level(a).reserved, 2) << "held once, not twice";
  EXPECT_THROW(inventory_.ReserveStock({order, {{a, 3}, {b, 1}}, 0}), AlreadyExists);
  EXPECT_THROW(inventory_.ReserveStock({order, {{a, 2}}, 0}), AlreadyExists);

  // A retry after commit returns it as it is now.
  inventory_.CommitReservation(first.id);
  EXPECT_EQ(Reserve(order, {{a, 2}, {b, 1}}).state, ReservationState::kCommitted);
}

TEST_F(PgInventoryRepositoryTest, ConcurrentRetriesOfOneOrderHoldTheStockOnce) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  std::vector<std::string> ids(8);
  std::vector<std::thread> retries;
  for (int i = 0; i < 8; ++i) {
    retries.emplace_back([&, i] {
      try {
        ids[i] = inventory_.ReserveStock({order, {{product, 3}}, 0}).reservation.value().id;
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
      }
    });
  }
  for (auto& t : retries) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(Level(product).reserved, 3);
}

// --- Commit and release: the state machine with its effect on stock --------------------------

TEST_F(PgInventoryRepositoryTest, CommitSellsTheUnitsOnceAndARetryChangesNothing) {
  const auto product = Stocked(10);
  auto reservation = Reserve(NewUuid(), {{product, 4}});
  EXPECT_EQ(Level(product).reserved, 4);
  auto committed = inventory_.CommitReservation(reservation.id);
  EXPECT_EQ(committed.state, ReservationState::kCommitted);
  EXPECT_EQ(committed.lines, reservation.lines);
  auto level = Level(product);
  EXPECT_EQ(level.on_hand, 6);
  EXPECT_EQ(level.reserved, 0);
  EXPECT_EQ(inventory_.CommitReservation(reservation.id).state, ReservationState::kCommitted);
  EXPECT_EQ(Level(product).on_hand, 6) << "a retried commit sells nothing more";
}

TEST_F(PgInventoryRepositoryTest, ReleaseReturnsTheUnitsKeepsTheFirstReasonAndBlocksACommit) {
  const auto product = Stocked(10);
  auto reservation = Reserve(NewUuid(), {{product, 4}});
  auto released = inventory_.ReleaseReservation(reservation.id, ReleaseReason::kCheckoutFailed);
  EXPECT_EQ(released.state, ReservationState::kReleased);
  EXPECT_EQ(released.release_reason, ReleaseReason::kCheckoutFailed);
  EXPECT_EQ(Level(product).available(), 10);
  EXPECT_EQ(Level(product).on_hand, 10);

  auto again = inventory_.ReleaseReservation(reservation.id, ReleaseReason::kOrderCancelled);
  EXPECT_EQ(again.release_reason, ReleaseReason::kCheckoutFailed) << "the first reason stays";
  EXPECT_EQ(Level(product).available(), 10) << "released once";
  EXPECT_THROW(inventory_.CommitReservation(reservation.id), FailedPrecondition);
  EXPECT_EQ(Level(product).on_hand, 10);
}

TEST_F(PgInventoryRepositoryTest, ReleasingACommittedReservationPutsTheUnitsBackOnHand) {
  const auto product = Stocked(10);
  auto reservation = Reserve(NewUuid(), {{product, 4}});
  inventory_.CommitReservation(reservation.id);
  EXPECT_EQ(Level(product).on_hand, 6);
  auto cancelled = inventory_.ReleaseReservation(reservation.id, ReleaseReason::kOrderCancelled);
  EXPECT_EQ(cancelled.state, ReservationState::kReleased);
  EXPECT_EQ(cancelled.release_reason, ReleaseReason::kOrderCancelled);
  auto level = Level(product);
  EXPECT_EQ(level.on_hand, 10);
  EXPECT_EQ(level.reserved, 0);
  inventory_.ReleaseReservation(reservation.id, ReleaseReason::kOrderCancelled);
  EXPECT_EQ(Level(product).on_hand, 10) << "restocked once";
}

TEST_F(PgInventoryRepositoryTest, UnknownReservationsAreNotFound) {
  EXPECT_THROW(inventory_.CommitReservation(NewUuid()), NotFound);
  EXPECT_THROW(inventory_.ReleaseReservation(NewUuid(), ReleaseReason::kOrderCancelled), NotFound);
}

// --- Expiry: the sweep, with an injected "now" ----------------------------------------------

TEST_F(PgInventoryRepositoryTest, TheSweepReleasesOnlyOverdueActiveReservations) {
  const auto product = Stocked(20);
  const Timestamp start = clock_.Now();
  DrainDue(start + std::chrono::seconds(61));
  auto short_hold = Reserve(NewUuid(), {{product, 2}}, 60);
  auto long_hold = Reserve(NewUuid(), {{product, 3}}, 3600);
  auto sold = Reserve(NewUuid(), {{product, 4}}, 60);
  inventory_.CommitReservation(sold.id);
  EXPECT_EQ(Level(product).reserved, 5);

  EXPECT_EQ(repo_.ExpireDue(start + std::chrono::seconds(59), 100), 0) << "nothing is due yet";
  EXPECT_EQ(repo_.ExpireDue(start + std::chrono::seconds(60), 100), 1) << "due exactly at expires_at";
  EXPECT_EQ(StateOf(short_hold.id), "released/expired");
  EXPECT_EQ(StateOf(long_hold.id), "active");
  EXPECT_EQ(StateOf(sold.id), "committed") << "a committed reservation never expires";
  auto level = Level(product);
  EXPECT_EQ(level.reserved, 3);
  EXPECT_EQ(level.on_hand, 16);
  EXPECT_EQ(repo_.ExpireDue(start + std::chrono::seconds(61), 100), 0) << "released once";

  // Through the use case: the clock moves, the sweep follows it.
  clock_.Advance(std::chrono::seconds(3600));
  EXPECT_GE(inventory_.ExpireDueReservations(), 1);
  EXPECT_EQ(StateOf(long_hold.id), "released/expired");
  EXPECT_EQ(Level(product).reserved, 0);
  EXPECT_EQ(Level(product).available(), 16);
}

TEST_F(PgInventoryRepositoryTest, TheSweepWorksInBatches) {
  const auto product = Stocked(50);
  const Timestamp due = clock_.Now() + std::chrono::seconds(10);
  DrainDue(due);
  for (int i = 0; i < 5; ++i) Reserve(NewUuid(), {{product, 1}}, 10);
  EXPECT_EQ(repo_.ExpireDue(due, 2), 2);
  EXPECT_EQ(repo_.ExpireDue(due, 2), 2);
  EXPECT_EQ(repo_.ExpireDue(due, 2), 1);
  EXPECT_EQ(repo_.ExpireDue(due, 2), 0);
  EXPECT_EQ(Level(product).reserved, 0);
}

// SKIP LOCKED: a reservation another transaction holds (a second sweeper, a commit in progress)
// is passed over without waiting, and picked up by a later sweep if still due.
TEST_F(PgInventoryRepositoryTest, TheSweepSkipsReservationsAnotherTransactionHolds) {
  const auto product = Stocked(10);
  const Timestamp due = clock_.Now() + std::chrono::seconds(5);
  DrainDue(due);
  auto held = Reserve(NewUuid(), {{product, 1}}, 5);
  auto free = Reserve(NewUuid(), {{product, 1}}, 5);

  pqxx::connection other(SharedPostgres().Dsn("inventory"));
  auto locker = std::make_unique<pqxx::work>(other);
  locker->exec_params("SELECT 1 FROM reservations WHERE id = $1::uuid FOR UPDATE", held.id);

  // Without SKIP LOCKED this sweep would wait on the held row: run it aside, with a guard.
  auto sweep = std::async(std::launch::async, [&] { return repo_.ExpireDue(due, 100); });
  const bool returned = sweep.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  if (!returned) locker->abort();  // unblock it, so the test fails instead of hanging
  ASSERT_TRUE(returned) << "the sweep waited for a held row";
  EXPECT_EQ(sweep.get(), 1);
  EXPECT_EQ(StateOf(free.id), "released/expired");
  EXPECT_EQ(StateOf(held.id), "active");
  locker->abort();
  locker.reset();
  EXPECT_EQ(repo_.ExpireDue(due, 100), 1);
  EXPECT_EQ(StateOf(held.id), "released/expired");
  EXPECT_EQ(Level(product).reserved, 0);
}

TEST_F(PgInventoryRepositoryTest, ConcurrentSweepersReleaseEachReservationExactlyOnce) {
  const auto product = Stocked(200);
  const Timestamp due = clock_.Now() + std::chrono::seconds(30);
  DrainDue(due);
  constexpr int kReservations = 120;
  for (int i = 0; i < kReservations; ++i) Reserve(NewUuid(), {{product, 1}}, 30);
  EXPECT_EQ(Level(product).reserved, kReservations);

  std::atomic<int> released{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      try {
        while (int n = repo_.ExpireDue(due, 7)) released += n;
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
      }
    });
  }
  for (auto& replica : replicas) replica.join();
  EXPECT_EQ(released, kReservations);
  EXPECT_EQ(Level(product).reserved, 0) << "no reservation was given back twice";
  EXPECT_EQ(Level(product).on_hand, 200);
}

// A late call after the deadline expires the reservation itself, so its outcome never depends
// on whether the sweeper got there first.
TEST_F(PgInventoryRepositoryTest, ACommitAfterTheDeadlineFailsEvenBeforeTheSweep) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  auto reservation = Reserve(order, {{product, 4}}, 30);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_THROW(inventory_.CommitReservation(reservation.id), FailedPrecondition);
  EXPECT_EQ(StateOf(reservation.id), "released/expired");
  auto level = Level(product);
  EXPECT_EQ(level.on_hand, 10);
  EXPECT_EQ(level.reserved, 0);
  // A release afterwards is a no-op that reports the first reason; a retry of the reserve is
  // refused rather than answered with the released hold.
  EXPECT_EQ(inventory_.ReleaseReservation(reservation.id, ReleaseReason::kCheckoutFailed).release_reason,
            ReleaseReason::kExpired);
  EXPECT_THROW(Reserve(order, {{product, 4}}), FailedPrecondition);
  EXPECT_EQ(Level(product).reserved, 0);
}

TEST_F(PgInventoryRepositoryTest, ARetriedReserveOfAnOverdueHoldExpiresItAndIsRefused) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  auto first = Reserve(order, {{product, 4}}, 30);
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_THROW(Reserve(order, {{product, 4}}), FailedPrecondition);
  EXPECT_EQ(StateOf(first.id), "released/expired");
  EXPECT_EQ(Level(product).reserved, 0);
}

// --- AdjustStock ----------------------------------------------------------------------------

TEST_F(PgInventoryRepositoryTest, AdjustCreatesTheRowAndKeepsTheHistory) {
  const auto product = NewUuid();
  auto first = inventory_.AdjustStock({NewUuid(), product, 30, AdjustmentReason::kRestock, "PO-1", "alice"});
  EXPECT_EQ(first.level.on_hand, 30);
  EXPECT_EQ(first.adjustment.on_hand_after, 30);
  EXPECT_EQ(first.adjustment.actor, "alice");
  auto second = inventory_.AdjustStock({NewUuid(), product, -2, AdjustmentReason::kDamaged, "dropped", "bob"});
  EXPECT_EQ(second.level.on_hand, 28);
  EXPECT_EQ(second.adjustment.on_hand_after, 28);
  EXPECT_EQ(second.adjustment.reason, AdjustmentReason::kDamaged);
  EXPECT_EQ(Level(product).on_hand, 28);
}

TEST_F(PgInventoryRepositoryTest, AdjustNeverTakesOnHandBelowReservedOrZero) {
  const auto product = Stocked(10);
  Reserve(NewUuid(), {{product, 7}});
  EXPECT_THROW(inventory_.AdjustStock({NewUuid(), product, -4, AdjustmentReason::kCount, "", "carol"}),
               FailedPrecondition);
  EXPECT_EQ(Level(product).on_hand, 10);
  auto ok = inventory_.AdjustStock({NewUuid(), product, -3, AdjustmentReason::kCount, "", "carol"});
  EXPECT_EQ(ok.level.on_hand, 7);
  EXPECT_EQ(ok.level.available(), 0);
  // A product inventory has never seen has nothing to take away.
  EXPECT_THROW(inventory_.AdjustStock({NewUuid(), NewUuid(), -1, AdjustmentReason::kCount, "", "carol"}),
               FailedPrecondition);
}

TEST_F(PgInventoryRepositoryTest, AdjustIsIdempotentOnItsKey) {
  const auto product = Stocked(5);
  AdjustRequest request{NewUuid(), product, 10, AdjustmentReason::kRestock, "received 10", "alice"};
  auto first = inventory_.AdjustStock(request);
  clock_.Advance(std::chrono::seconds(5));
  auto replay = inventory_.AdjustStock(request);
  EXPECT_EQ(replay.adjustment.id, first.adjustment.id);
  EXPECT_EQ(replay.level, first.level) << "the first result, exactly";
  EXPECT_EQ(Level(product).on_hand, 15) << "a replayed +10 adds 10, not 20";

  auto different = request;
  different.delta = 11;
  EXPECT_THROW(inventory_.AdjustStock(different), AlreadyExists);
  EXPECT_EQ(Level(product).on_hand, 15);
}

TEST_F(PgInventoryRepositoryTest, ConcurrentRepeatsOfOneAdjustmentApplyItOnce) {
  const auto product = Stocked(5);
  AdjustRequest request{NewUuid(), product, 10, AdjustmentReason::kRestock, "", "alice"};
  std::vector<std::string> ids(8);
  std::vector<std::thread> consoles;
  for (int i = 0; i < 8; ++i) {
    consoles.emplace_back([&, i] {
      try {
        ids[i] = inventory_.AdjustStock(request).adjustment.id;
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
      }
    });
  }
  for (auto& t : consoles) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(Level(product).on_hand, 15);
}

TEST_F(PgInventoryRepositoryTest, ListAdjustmentsPagesNewestFirstWithoutRepeats) {
  const auto product = NewUuid(), other = NewUuid();
  std::vector<std::string> made;
  for (int i = 1; i <= 7; ++i) {
    made.push_back(inventory_.AdjustStock({NewUuid(), product, i, AdjustmentReason::kRestock, "", "a"}).adjustment.id);
    inventory_.AdjustStock({NewUuid(), other, 1, AdjustmentReason::kRestock, "", "a"});
  }
  std::vector<std::string> listed;
  std::string token;
  int pages = 0;
  do {
    auto page = inventory_.ListAdjustments(product, 3, token);
    for (const auto& a : page.adjustments) {
      EXPECT_EQ(a.product_id, product);
      listed.push_back(a.id);
    }
    token = page.next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, std::vector<std::string>(made.rbegin(), made.rend()));

  // Every product's history, newest first: ours and the other's interleave.
  auto all = inventory_.ListAdjustments("", 2, "");
  ASSERT_EQ(all.adjustments.size(), 2u);
  EXPECT_EQ(all.adjustments[0].product_id, other);
  EXPECT_EQ(all.adjustments[1].id, made.back());
  EXPECT_THROW(inventory_.ListAdjustments(other, 2, all.next_page_token), InvalidArgument);
}

// --- ListLowStock ---------------------------------------------------------------------------

TEST_F(PgInventoryRepositoryTest, ListLowStockWalksEveryLowProductLeastAvailableFirst) {
  const auto low = Stocked(4);
  const auto fine = Stocked(40);
  const auto sold_out = Stocked(3);
  Reserve(NewUuid(), {{sold_out, 3}});  // available 0: low even though on_hand is 3

  std::vector<StockLevel> listed;
  std::string token;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = inventory_.ListLowStock(4, token);
    listed.insert(listed.end(), page.levels.begin(), page.levels.end());
    token = page.next_page_token;
    if (token.empty()) break;
  }
  ASSERT_TRUE(token.empty());
  std::set<std::string> seen;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_TRUE(seen.insert(listed[i].product_id).second) << "repeated " << listed[i].product_id;
    EXPECT_LE(listed[i].available(), listed[i].low_stock_threshold);
    if (i > 0) {
      EXPECT_LE(listed[i - 1].available(), listed[i].available());
    }
  }
  EXPECT_TRUE(seen.count(low));
  EXPECT_TRUE(seen.count(sold_out));
  EXPECT_FALSE(seen.count(fine));
  // The seeded low products are there too.
  EXPECT_TRUE(seen.count("4a894db7-e48f-42b9-aa5d-670af9a3638e"));  // AUD-TT-0006, 3 left
  EXPECT_TRUE(seen.count("e085b021-e0d4-4f2b-935a-b03d8de49eb1"));  // CMP-MN-0003, 2 left
  EXPECT_TRUE(seen.count("c10c2788-a8e1-4980-86f6-d2e1c91d6da3"));  // OUT-TN-0003, 5 left
}

// --- ListStockLevels ------------------------------------------------------------------------

TEST_F(PgInventoryRepositoryTest, ListStockLevelsWalksEveryTrackedProductOnceInProductIdOrder) {
  const auto mine = Stocked(17);
  const auto held = Stocked(6);
  Reserve(NewUuid(), {{held, 2}});

  std::vector<StockLevel> listed;
  std::string token;
  int pages = 0;
  for (; pages < 1000; ++pages) {
    auto page = inventory_.ListStockLevels(7, token);
    EXPECT_LE(page.levels.size(), 7u);
    listed.insert(listed.end(), page.levels.begin(), page.levels.end());
    token = page.next_page_token;
    if (token.empty()) break;
  }
  ASSERT_TRUE(token.empty());
  EXPECT_GT(pages, 0) << "more than one page";
  std::set<std::string> seen;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_TRUE(seen.insert(listed[i].product_id).second) << "repeated " << listed[i].product_id;
    if (i > 0) {
      EXPECT_LT(listed[i - 1].product_id, listed[i].product_id);
    }
  }
  EXPECT_GE(listed.size(), 60u) << "the seeded demo catalog is tracked too";
  auto find = [&](const std::string& id) {
    return *std::find_if(listed.begin(), listed.end(), [&](const StockLevel& l) { return l.product_id == id; });
  };
  ASSERT_TRUE(seen.count(mine));
  EXPECT_EQ(find(mine).on_hand, 17);
  ASSERT_TRUE(seen.count(held));
  EXPECT_EQ(find(held).reserved, 2);
  EXPECT_EQ(find(held).available(), 4);

  pqxx::connection connection(SharedPostgres().Dsn("inventory"));
  pqxx::nontransaction txn(connection);
  EXPECT_EQ(seen.size(), txn.exec("SELECT count(*) FROM stock")[0][0].as<std::size_t>()) << "every stock row";
}

TEST_F(PgInventoryRepositoryTest, HostileInputIsRejectedBeforeAnySql) {
  EXPECT_THROW(inventory_.GetStockLevels({"'; DROP TABLE stock; --"}), InvalidArgument);
  EXPECT_THROW(inventory_.ReserveStock({NewUuid(), {{"x' OR '1'='1", 1}}, 0}), InvalidArgument);
  EXPECT_THROW(inventory_.AdjustStock({NewUuid(), NewUuid(), 1, AdjustmentReason::kRestock, std::string("\0", 1), "a"}),
               InvalidArgument);
  EXPECT_THROW(inventory_.ListAdjustments("", 0, "'; --"), InvalidArgument);
  EXPECT_NO_THROW(inventory_.AdjustStock(
      {NewUuid(), NewUuid(), 1, AdjustmentReason::kRestock, "'; DROP TABLE stock; -- \xF0\x9F\x93\xA6", "o'brien"}));
}

}  // namespace
}  // namespace storefront::inventory::repo
