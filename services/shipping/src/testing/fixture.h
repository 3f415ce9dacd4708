// The fixture of shipping's tests against PostgreSQL (repository, order-event consumers): the
// schema migrated once per test binary, the real repository and use cases over a pool, and a
// clock the test sets by hand, so time is passed in and never slept. Every test works on fresh
// random ids (and on its own stretch of time), so tests share one database without meeting.
// Races on an order's lock are staged, not left to timing: the test holds one side's transaction
// open and asks PostgreSQL (pg_locks) when the other side is queued behind it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "app.h"
#include "domain/shipping.h"
#include "repo/pg_shipment_repository.h"
#include "shared/db/migrations.h"
#include "shared/testing/manual_clock.h"
#include "shared/testing/postgres.h"
#include "shared/types/time.h"

namespace storefront::shipping {

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest(std::size_t pool_size, domain::Timestamp start)
      : pool_(dsn_, pool_size, std::chrono::seconds(5), repo::PgShipmentRepository::Prepare), clock_(start) {}

  static void SetUpTestSuite() {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("shipping"));
    db::Migrate(connection, "shipping", AllMigrations());
  }

  // Whether a transaction holds the order's lock (ShipmentRepository::WithOrderLock): asked by
  // trying to take it from a connection of its own, which lets go of it at once.
  bool OrderLockIsHeld(const std::string& order_id) {
    pqxx::connection connection(dsn_);
    pqxx::work txn(connection);
    return !txn.exec_params1("SELECT pg_try_advisory_xact_lock(hashtext('shipping.order:' || $1::uuid::text))",
                             order_id)[0]
                .as<bool>();
  }

  // How many sessions are queued for the order's lock.
  int WaitersForOrderLock(const std::string& order_id) {
    pqxx::connection connection(dsn_);
    pqxx::nontransaction txn(connection);
    // A one-bigint advisory key is stored as its high (classid) and low (objid) halves.
    return txn
        .exec_params1(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((classid::bigint << 32) | objid::bigint) = hashtext('shipping.order:' || $1::uuid::text)::bigint",
            order_id)[0]
        .as<int>();
  }

  // Returns once `call` is queued for the order's lock, or has finished without queueing (then
  // nothing held it back, and the test's assertions say what that let through). No deadline: a
  // call that hangs is caught by the test's CTest timeout, not by a guess at how long is enough.
  template <typename T>
  void AwaitQueuedOrDone(std::future<T>& call, const std::string& order_id) {
    while (call.wait_for(std::chrono::milliseconds(2)) != std::future_status::ready &&
           WaitersForOrderLock(order_id) == 0) {
    }
  }

  const std::string dsn_ = storefront::testing::SharedPostgres().Dsn("shipping");
  // The progression's delays the tests' times are written against.
  const domain::ProgressionDelays delays_{.dispatch = std::chrono::seconds(30), .delivery = std::chrono::seconds(60)};
  db::Pool pool_;
  repo::PgShipmentRepository repo_{pool_};
  storefront::testing::ManualClock clock_;
  domain::Shipping shipping_{repo_, clock_.AsClock(), domain::SecureRandomDigits(), delays_};
};

// Event types as a list, to compare with storefront::testing::EventTypes(rows).
inline std::vector<std::string> Types(std::initializer_list<std::string_view> types) {
  return {types.begin(), types.end()};
}

}  // namespace storefront::shipping
