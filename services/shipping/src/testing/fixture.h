// The fixture of shipping's tests against PostgreSQL (repository, order-event consumers): the
// schema migrated once per test binary, the real repository and use cases over a pool, and a
// clock the test sets by hand, so time is passed in and never slept. Every test works on fresh
// random ids (and on its own stretch of time), so tests share one database without meeting.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "app.h"
#include "domain/shipping.h"
#include "repo/pg_shipment_repository.h"
#include "shared/db/migrations.h"
#include "shared/testing/postgres.h"
#include "shared/types/time.h"

namespace storefront::shipping {

// A clock the test sets or moves by hand; safe to read from another thread.
class TestClock {
 public:
  explicit TestClock(domain::Timestamp start) : micros_(types::ToMicros(start)) {}
  domain::Timestamp Now() const { return types::FromMicros(micros_.load()); }
  void Set(domain::Timestamp at) { micros_ = types::ToMicros(at); }
  void Advance(std::chrono::microseconds by) { micros_ += by.count(); }
  domain::Clock AsClock() const {
    return [this] { return Now(); };
  }

 private:
  std::atomic<std::int64_t> micros_;
};

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest(std::size_t pool_size, domain::Timestamp start)
      : pool_(dsn_, pool_size, std::chrono::seconds(5), repo::PgShipmentRepository::Prepare), clock_(start) {}

  static void SetUpTestSuite() {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("shipping"));
    db::Migrate(connection, "shipping", AllMigrations());
  }

  const std::string dsn_ = storefront::testing::SharedPostgres().Dsn("shipping");
  // The progression's delays the tests' times are written against.
  const domain::ProgressionDelays delays_{.dispatch = std::chrono::seconds(30), .delivery = std::chrono::seconds(60)};
  db::Pool pool_;
  repo::PgShipmentRepository repo_{pool_};
  TestClock clock_;
  domain::Shipping shipping_{repo_, clock_.AsClock(), domain::SecureRandomDigits(), delays_};
};

// Event types as a list, to compare with storefront::testing::EventTypes(rows).
inline std::vector<std::string> Types(std::initializer_list<std::string_view> types) {
  return {types.begin(), types.end()};
}

}  // namespace storefront::shipping
