#include "shared/db/pool.h"

#include <gtest/gtest.h>

#include <thread>

#include "shared/testing/postgres.h"

namespace storefront::db {
namespace {

using storefront::testing::SharedPostgres;

TEST(PoolTest, LeasesAreReturnedAndReused) {
  Pool pool(SharedPostgres().Dsn("catalog"), 2);
  for (int i = 0; i < 10; ++i) {
    auto lease = pool.Acquire();
    pqxx::nontransaction txn(*lease);
    EXPECT_EQ(txn.exec("SELECT current_user")[0][0].as<std::string>(), "catalog");
  }
}

TEST(PoolTest, ExhaustedPoolTimesOutInsteadOfWaitingForever) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1, std::chrono::milliseconds(100));
  auto held = pool.Acquire();
  EXPECT_THROW(pool.Acquire(), PoolExhausted);
}

TEST(PoolTest, WaitingCallerGetsTheConnectionWhenItIsReleased) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1, std::chrono::seconds(5));
  auto held = std::make_unique<Pool::Lease>(pool.Acquire());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    held.reset();
  });
  EXPECT_NO_THROW(pool.Acquire());
  releaser.join();
}

TEST(PoolTest, BrokenConnectionIsReplaced) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1);
  int first_pid = 0;
  {
    auto lease = pool.Acquire();
    pqxx::nontransaction txn(*lease);
    first_pid = txn.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  }
  {
    pqxx::connection admin(SharedPostgres().SuperuserDsn());
    pqxx::nontransaction txn(admin);
    txn.exec_params("SELECT pg_terminate_backend($1)", first_pid);
  }
  // The first use after the kill fails (the caller sees the error); the pool then reopens.
  int second_pid = WithTransaction(pool, [](pqxx::work& txn) {
    return txn.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  });
  EXPECT_NE(second_pid, first_pid);
}

TEST(PoolTest, PingReportsAnUnreachableDatabase) {
  Pool good(SharedPostgres().Dsn("catalog"), 1);
  EXPECT_TRUE(good.Ping());
  Pool bad("postgresql://catalog@127.0.0.1:1/storefront?connect_timeout=1", 1);
  EXPECT_FALSE(bad.Ping());
}

TEST(SchemaIsolationTest, ARoleCannotReadAnotherServicesSchema) {
  {
    pqxx::connection cart(SharedPostgres().Dsn("cart"));
    pqxx::work txn(cart);
    txn.exec("CREATE TABLE IF NOT EXISTS cart.isolation_probe (id int)");
    txn.exec("INSERT INTO cart.isolation_probe VALUES (1)");
    txn.commit();
  }
  pqxx::connection catalog(SharedPostgres().Dsn("catalog"));
  {
    pqxx::work txn(catalog);
    EXPECT_THROW(txn.exec("SELECT * FROM cart.isolation_probe"), pqxx::insufficient_privilege);
  }
  {
    pqxx::work txn(catalog);
    EXPECT_THROW(txn.exec("CREATE TABLE cart.intruder (id int)"), pqxx::insufficient_privilege);
  }
  {
    // Nor can it park tables in the shared public schema.
    pqxx::work txn(catalog);
    EXPECT_THROW(txn.exec("CREATE TABLE public.intruder (id int)"), pqxx::insufficient_privilege);
  }
  {
    // Its own schema is its own.
    pqxx::work txn(catalog);
    txn.exec("CREATE TABLE catalog.own_probe (id int)");
    txn.exec("DROP TABLE catalog.own_probe");
    txn.commit();
  }
}

}  // namespace
}  // namespace storefront::db
