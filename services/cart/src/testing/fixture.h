// Test support for the cart's tests against a real PostgreSQL (repo/, consumers/ and the gRPC
// integration test): a fixture base that migrates the schema once per suite, a customer of its own
// for each test, and the products and lines those tests put in carts.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "app.h"
#include "domain/cart.h"
#include "shared/db/migrations.h"
#include "shared/testing/postgres.h"

namespace storefront::cart::testing {

// The n-th product of a test: a lower-case UUID, as PostgreSQL returns it.
inline std::string ProductId(int n) {
  char id[37];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", n);
  return id;
}

inline domain::LineSnapshot Line(int n, std::int64_t price = 1000, std::string currency = "USD") {
  return {ProductId(n), "SKU-" + std::to_string(n), "Product " + std::to_string(n), {price, std::move(currency)}};
}

// A customer of its own for each test (prefix and test name, at most 64 characters), so tests
// sharing the database never see each other's carts.
inline std::string CustomerOfThisTest(std::string_view prefix) {
  return (std::string(prefix) + ::testing::UnitTest::GetInstance()->current_test_info()->name()).substr(0, 64);
}

// Tests that share the throwaway database: the service's migrations are applied once per suite.
class CartDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("cart"));
    db::Migrate(connection, "cart", AllMigrations());
  }
};

}  // namespace storefront::cart::testing
