// The fixture of inventory's tests against PostgreSQL (repository, outbox events, order-event
// consumers): the schema migrated once per test binary, the real repository and use cases over a
// pool, a clock the test moves, and the steps most tests start from. Every test works on fresh
// random ids, so tests share one database without seeing each other's rows.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app.h"
#include "domain/inventory.h"
#include "domain/mocks.h"
#include "repo/pg_inventory_repository.h"
#include "shared/db/migrations.h"
#include "shared/testing/outbox_rows.h"
#include "shared/testing/postgres.h"
#include "shared/types/uuid.h"

namespace storefront::inventory {

class DatabaseTest : public ::testing::Test {
 protected:
  // `pool_size`: connections for the use cases, more for tests that run many threads at once.
  explicit DatabaseTest(std::size_t pool_size = 4)
      : pool_(storefront::testing::SharedPostgres().Dsn("inventory"), pool_size, std::chrono::seconds(10),
              repo::PgInventoryRepository::Prepare) {}

  static void SetUpTestSuite() {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("inventory"));
    db::Migrate(connection, "inventory", AllMigrations());
  }

  // A product with `units` on hand, stocked through AdjustStock like an operator would.
  std::string Stocked(int units, std::string product = types::NewUuid()) {
    inventory_.AdjustStock({types::NewUuid(), product, units, domain::AdjustmentReason::kRestock, "test stock", "test"});
    return product;
  }

  domain::Reservation Reserve(const std::string& order, std::vector<domain::ReservationLine> lines, int ttl = 0) {
    auto result = inventory_.ReserveStock({order, std::move(lines), ttl});
    if (!result.reservation) {
      ADD_FAILURE() << "expected a reservation, got " << result.shortages.size() << " shortages";
      return {};
    }
    return *result.reservation;
  }

  domain::StockLevel Level(const std::string& product) {
    auto levels = repo_.GetStockLevels({product});
    if (levels.size() != 1) {
      ADD_FAILURE() << "no stock row for " << product;
      return {};
    }
    return levels[0];
  }

  // The outbox rows keyed by any of `keys` written since the previous call: what one step announced.
  std::vector<storefront::testing::OutboxRow> NewRows(const std::set<std::string>& keys) {
    return outbox_.NewRows(keys);
  }

  db::Pool pool_;
  repo::PgInventoryRepository repo_{pool_};
  domain::FakeClock clock_{std::chrono::system_clock::now()};
  domain::Inventory inventory_{repo_, clock_.AsClock()};
  storefront::testing::OutboxCursor outbox_{storefront::testing::SharedPostgres().Dsn("inventory"), "inventory"};
};

// An outbox row as storefront::testing::Summaries prints it: "<event type> <key>".
inline std::string Row(std::string_view type, const std::string& key) { return std::string(type) + " " + key; }

}  // namespace storefront::inventory
