#include "shared/db/pool.h"
#include "shared/db/statement.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "shared/errors/errors.h"
#include "shared/metrics/metrics.h"
#include "shared/testing/postgres.h"
#include "shared/testing/figures.h"

namespace storefront::db {
namespace {

using storefront::testing::Figure;
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

TEST(PoolTest, ItsFiguresShowConnectionsInUseAndTheAcquiresThatWaited) {
  double max_before = Figure("db_pool_connections_max");
  double in_use_before = Figure("db_pool_connections_in_use");
  double waits_before = Figure("db_pool_waits_total");
  double exhausted_before = Figure("db_pool_exhausted_total");
  {
    Pool pool(SharedPostgres().Dsn("catalog"), 2, std::chrono::milliseconds(100));
    EXPECT_EQ(Figure("db_pool_connections_max") - max_before, 2);
    auto first = pool.Acquire();
    auto second = pool.Acquire();
    EXPECT_EQ(Figure("db_pool_connections_in_use") - in_use_before, 2);
    EXPECT_EQ(Figure("db_pool_waits_total") - waits_before, 0);
    EXPECT_THROW(pool.Acquire(), PoolExhausted);
    EXPECT_EQ(Figure("db_pool_waits_total") - waits_before, 1);
    EXPECT_EQ(Figure("db_pool_exhausted_total") - exhausted_before, 1);
  }
  EXPECT_EQ(Figure("db_pool_connections_in_use"), in_use_before);
  EXPECT_EQ(Figure("db_pool_connections_max"), max_before);
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

// Deadline propagation into the database: work done for a caller with a deadline gets what is
// left of it as its statement timeout, and work without a deadline runs without one.
int StatementTimeoutMs(pqxx::transaction_base& txn) {
  return txn.exec("SELECT current_setting('statement_timeout', false)::interval::text")[0][0].as<std::string>() ==
                 "00:00:00"
             ? 0
             : static_cast<int>(
                   txn.exec("SELECT extract(epoch FROM current_setting('statement_timeout')::interval) * 1000")[0][0]
                       .as<double>());
}

TEST(PoolTest, AStatementRunForACallerGetsWhatIsLeftOfItsBudgetAsItsTimeout) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1);  // one connection: every call below shares it
  {
    deadline::Scope scope(deadline::Clock::now() + std::chrono::milliseconds(400));
    int in_transaction = WithTransaction(pool, [](pqxx::work& txn) { return StatementTimeoutMs(txn); });
    EXPECT_GT(in_transaction, 0);
    EXPECT_LE(in_transaction, 400);
    int in_read = WithReadOnly(pool, [](pqxx::nontransaction& txn) { return StatementTimeoutMs(txn); });
    EXPECT_GT(in_read, 0);
    EXPECT_LE(in_read, 400);

    auto started = std::chrono::steady_clock::now();
    try {
      WithTransaction(pool, [](pqxx::work& txn) { txn.exec("SELECT pg_sleep(5)"); });
      ADD_FAILURE() << "a 5 s statement finished inside a 400 ms budget";
    } catch (const pqxx::sql_error& error) {
      EXPECT_EQ(error.sqlstate(), "57014");  // query_canceled: statement timeout
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4)) << "PostgreSQL stopped the statement";
  }
  // Outside the caller's scope the same connection is back to the server's default (none).
  EXPECT_EQ(WithReadOnly(pool, [](pqxx::nontransaction& txn) { return StatementTimeoutMs(txn); }), 0);
  EXPECT_EQ(WithTransaction(pool, [](pqxx::work& txn) { return StatementTimeoutMs(txn); }), 0);
}

TEST(PoolTest, TheTimeoutSetForABudgetIsAtMostItAndAtLeastFourFifthsOfIt) {
  for (std::int64_t budget : {1, 7, 8, 9, 399, 400, 1000, 4999, 5000, 10'399, 12'599, 3'600'000}) {
    const std::int64_t timeout = internal::TimeoutFor(budget);
    EXPECT_LE(timeout, budget);
    EXPECT_GE(timeout * 5, budget * 4) << budget;
    EXPECT_TRUE(internal::Fits(timeout, budget)) << budget;
  }
  EXPECT_EQ(internal::TimeoutFor(10'399), 10'240);
  EXPECT_EQ(internal::TimeoutFor(12'599), 12'288);
  EXPECT_FALSE(internal::Fits(Pool::kServerDefault, 1000));
  EXPECT_FALSE(internal::Fits(1001, 1000)) << "never longer than the caller waits";
  EXPECT_FALSE(internal::Fits(799, 1000)) << "not much shorter either";
}

// The pool remembers what it set: a caller whose budget the connection's timeout already fits
// gets the connection as it is (no SET round trip); one it does not fit gets it set again.
TEST(PoolTest, AConnectionWhoseTimeoutFitsTheNextCallersBudgetIsNotSetAgain) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1);
  auto timeout_within = [&](std::chrono::milliseconds budget) {
    deadline::Scope scope(deadline::Clock::now() + budget);
    return WithReadOnly(pool, [](pqxx::nontransaction& txn) { return StatementTimeoutMs(txn); });
  };
  EXPECT_EQ(timeout_within(std::chrono::milliseconds(10'400)), 10'240);
  // 12.6 s left: 10,240 ms is more than four fifths of it, so it stays (set anew it would be 12,288).
  EXPECT_EQ(timeout_within(std::chrono::milliseconds(12'600)), 10'240);
  // 9 s left: 10,240 ms is longer than the caller waits, so it is set again.
  EXPECT_EQ(timeout_within(std::chrono::milliseconds(9'000)), 8'192);
  // Work without a deadline never runs under a caller's timeout.
  EXPECT_EQ(WithTransaction(pool, [](pqxx::work& txn) { return StatementTimeoutMs(txn); }), 0);
  auto lease = pool.Acquire();
  EXPECT_EQ(pqxx::nontransaction(*lease).exec("SHOW statement_timeout")[0][0].as<std::string>(), "0");
}

// The budget is read once the connection is taken: time spent waiting for it is not the
// statement's to use.
TEST(PoolTest, TheTimeoutIsWhatIsLeftAfterWaitingForTheConnection) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1);
  auto held = std::make_unique<Pool::Lease>(pool.Acquire());
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    held.reset();
  });
  deadline::Scope scope(deadline::Clock::now() + std::chrono::milliseconds(1000));
  const int timeout = WithReadOnly(pool, [](pqxx::nontransaction& txn) { return StatementTimeoutMs(txn); });
  holder.join();
  EXPECT_GT(timeout, 0);
  EXPECT_LE(timeout, 600) << "the caller waited at least 400 ms of its 1000 for the connection";
}

TEST(PoolTest, NoConnectionIsTakenForACallerWhoseBudgetIsSpent) {
  Pool pool(SharedPostgres().Dsn("catalog"), 1);
  deadline::Scope spent(deadline::Clock::now() - std::chrono::milliseconds(1));
  EXPECT_THROW(WithTransaction(pool, [](pqxx::work& txn) { txn.exec("SELECT 1"); }), DeadlineExceeded);
  EXPECT_THROW(WithReadOnly(pool, [](pqxx::nontransaction& txn) { txn.exec("SELECT 1"); }), DeadlineExceeded);
}

TEST(PoolTest, PingReportsAnUnreachableDatabase) {
  Pool good(SharedPostgres().Dsn("catalog"), 1);
  EXPECT_TRUE(good.Ping());
  Pool bad("postgresql://catalog@127.0.0.1:1/storefront?connect_timeout=1", 1);
  EXPECT_FALSE(bad.Ping());
}

// The names under which this connection has `sql` prepared (pg_prepared_statements).
std::vector<std::string> PreparedNames(pqxx::transaction_base& txn, const std::string& sql) {
  std::vector<std::string> names;
  for (const auto& row : txn.exec_params("SELECT name FROM pg_prepared_statements WHERE statement = $1", sql)) {
    names.push_back(row[0].as<std::string>());
  }
  return names;
}

TEST(StatementTest, AStatementIsPreparedOnceOnAConnectionAndRunByNameAfterwards) {
  pqxx::connection connection(SharedPostgres().Dsn("catalog"));
  const std::string sql = "SELECT $1::int + $2::int";
  for (int i = 0; i < 3; ++i) {
    pqxx::work txn(connection);
    EXPECT_EQ(Exec(txn, sql, i, 10)[0][0].as<int>(), i + 10);
    EXPECT_EQ(PreparedNames(txn, sql), std::vector<std::string>{internal::StatementName(sql)});
  }
}

TEST(StatementTest, AStatementPreparedInARolledBackTransactionStaysPrepared) {
  pqxx::connection connection(SharedPostgres().Dsn("catalog"));
  const std::string sql = "SELECT $1::text || '!'";
  {
    pqxx::work txn(connection);
    EXPECT_EQ(Exec(txn, sql, "first")[0][0].as<std::string>(), "first!");
  }  // rolled back
  pqxx::nontransaction txn(connection);
  EXPECT_EQ(PreparedNames(txn, sql).size(), 1u);
  EXPECT_EQ(Exec(txn, sql, "second")[0][0].as<std::string>(), "second!");
}

TEST(StatementTest, EachTextHasANameOfItsOwnAndTheSameTextTheSameName) {
  EXPECT_EQ(internal::StatementName("SELECT 1"), internal::StatementName(std::string("SELECT ") + "1"));
  EXPECT_NE(internal::StatementName("SELECT 1"), internal::StatementName("SELECT 2"));
  EXPECT_EQ(internal::StatementName("SELECT 1").rfind("sf_", 0), 0u);
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
