#include "shared/db/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "shared/testing/postgres.h"

namespace storefront::db {
namespace {

// Each test migrates its own schema (FreshSchema), owned by the shipping role it connects as, so
// tests stay independent.
using storefront::testing::FreshSchema;
using storefront::testing::SharedPostgres;

const std::vector<Migration> kTwo = {
    {1, "create_items", "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)"},
    {2, "seed_items", "INSERT INTO items VALUES (1, 'one'), (2, 'two')"},
};

TEST(MigrationsTest, AppliesPendingMigrationsOnceInOrder) {
  auto schema = FreshSchema("mig_once", "shipping");
  pqxx::connection conn(SharedPostgres().Dsn("shipping"));
  auto first = Migrate(conn, schema, kTwo);
  EXPECT_EQ(first.applied, (std::vector<int>{1, 2}));
  EXPECT_EQ(first.current_version, 2);

  auto second = Migrate(conn, schema, kTwo);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(second.current_version, 2);

  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec("SELECT count(*) FROM mig_once.items")[0][0].as<int>(), 2);
}

TEST(MigrationsTest, LaterMigrationsApplyOnTopOfEarlierOnes) {
  auto schema = FreshSchema("mig_later", "shipping");
  pqxx::connection conn(SharedPostgres().Dsn("shipping"));
  Migrate(conn, schema, {kTwo[0]});
  auto report = Migrate(conn, schema, kTwo);
  EXPECT_EQ(report.applied, (std::vector<int>{2}));
}

TEST(MigrationsTest, AChangedAppliedMigrationIsRefused) {
  auto schema = FreshSchema("mig_changed", "shipping");
  pqxx::connection conn(SharedPostgres().Dsn("shipping"));
  Migrate(conn, schema, kTwo);
  auto edited = kTwo;
  edited[1].sql = "INSERT INTO items VALUES (3, 'three')";
  EXPECT_THROW(Migrate(conn, schema, edited), MigrationError);
}

TEST(MigrationsTest, AFailingMigrationLeavesNothingBehind) {
  auto schema = FreshSchema("mig_fail", "shipping");
  pqxx::connection conn(SharedPostgres().Dsn("shipping"));
  std::vector<Migration> broken = {kTwo[0], {2, "broken", "INSERT INTO no_such_table VALUES (1)"}};
  EXPECT_THROW(Migrate(conn, schema, broken), MigrationError);
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec("SELECT to_regclass('mig_fail.items') IS NULL")[0][0].as<bool>(), true);
}

TEST(MigrationsTest, ConcurrentStartersApplyEachMigrationExactlyOnce) {
  auto schema = FreshSchema("mig_race", "shipping");
  std::vector<std::thread> starters;
  std::atomic<int> applied_total{0};
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&] {
      pqxx::connection conn(SharedPostgres().Dsn("shipping"));
      applied_total += static_cast<int>(Migrate(conn, schema, kTwo).applied.size());
    });
  }
  for (auto& t : starters) t.join();
  EXPECT_EQ(applied_total.load(), 2);
}

TEST(MigrationsTest, DuplicateVersionsAreRejected) {
  auto schema = FreshSchema("mig_dup", "shipping");
  pqxx::connection conn(SharedPostgres().Dsn("shipping"));
  EXPECT_THROW(Migrate(conn, schema, {kTwo[0], {1, "again", "SELECT 1"}}), MigrationError);
}

}  // namespace
}  // namespace storefront::db
