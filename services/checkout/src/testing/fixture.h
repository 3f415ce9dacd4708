// The fixture of checkout's tests against PostgreSQL (order store, outbox writes, event
// handlers): the schema migrated once per test binary as the service migrates it, the real order
// store over a pool, and a confirmed order to start from. Tests tell their orders apart by
// idempotency key and customer, so they share one database.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "app.h"
#include "repo/pg_order_repository.h"
#include "repo/pg_order_tracking.h"
#include "shared/db/migrations.h"
#include "shared/testing/postgres.h"
#include "testing/sample_order.h"

namespace storefront::checkout::testing {

class DatabaseTest : public ::testing::Test {
 protected:
  // `pool_size`: connections for the store, more for tests that run many threads at once.
  explicit DatabaseTest(std::size_t pool_size = 4)
      : pool_(storefront::testing::SharedPostgres().Dsn("checkout"), pool_size) {}

  static void SetUpTestSuite() {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("checkout"));
    db::Migrate(connection, "checkout", AllMigrations());
  }

  // A placed and confirmed order of "customer-events", saved as the saga saves it: created with
  // OrderPlaced, then confirmed with OrderConfirmed (one outbox row each).
  domain::Order Confirmed(const std::string& key) {
    using namespace std::chrono_literals;
    domain::Order o = SampleOrder(key, "customer-events");
    o.pending_events = {domain::OrderEvent::kPlaced};
    o.id = orders_.Create(o, 10s);
    o.pending_events.clear();
    Reach(o, domain::OrderStatus::kPaymentAuthorized);
    o.pending_events = {domain::OrderEvent::kConfirmed};
    o.timeline = {{domain::OrderStatus::kConfirmed, "Order confirmed", o.updated_at}};
    Reach(o, domain::OrderStatus::kConfirmed);
    o.pending_events.clear();
    return o;
  }

  // Moves a created order to `target` the ways the store allows: the saga's saves up to
  // CONFIRMED (or FAILED), then what events do (SHIPPED, DELIVERED, REFUNDED) or a cancel
  // (CANCELLED). `o` is left as stored, lease token included.
  void Reach(domain::Order& o, domain::OrderStatus target) {
    using namespace std::chrono_literals;
    using S = domain::OrderStatus;
    if (target == S::kFailed) {
      o.status = S::kFailed;
      orders_.Save(o, 10s);
      return;
    }
    for (S step : {S::kReserved, S::kPaymentAuthorized, S::kConfirmed}) {
      if (o.status == target) return;
      if (!domain::CanMove(o.status, step) || o.status == step) continue;  // passed it already
      o.status = step;
      orders_.Save(o, 10s);
    }
    if (target == S::kConfirmed) return;
    if (target == S::kCancelled) {
      o = *orders_.BeginCancel(o.id, "", 10s);
      o.status = S::kCancelled;
      orders_.Save(o, 10s);
      return;
    }
    db::WithTransaction(pool_, [&](pqxx::work& txn) {
      repo::PgOrderTracking tracking(txn);
      if (target == S::kShipped || target == S::kDelivered || target == S::kRefunded) {
        tracking.Advance(o.id, {S::kConfirmed}, S::kShipped, "Shipped");
      }
      if (target == S::kDelivered) tracking.Advance(o.id, {S::kShipped}, S::kDelivered, "Delivered");
      if (target == S::kRefunded) tracking.Advance(o.id, {S::kShipped}, S::kRefunded, "Refunded");
    });
    o = *orders_.Get(o.id);
  }

  db::Pool pool_;
  repo::PgOrderRepository orders_{pool_};
};

}  // namespace storefront::checkout::testing
