// Inventory's PostgreSQL repository: SQL for the inventory schema, one transaction per use case.
// Every change also appends its events (repo/stock_events.h) to inventory.outbox in the same
// transaction: a rolled-back change announces nothing.
//
// Concurrency rests on three things, each proven in pg_inventory_repository_test.cpp:
//  * stock is taken with a conditional UPDATE (`... WHERE on_hand - reserved >= q`), which
//    PostgreSQL re-checks on the row's newest version after waiting for its lock, so concurrent
//    checkouts can never oversell;
//  * every transaction locks a reservation before its stock rows, and stock rows in product_id
//    order, so no two transactions wait on each other in a cycle (no deadlocks);
//  * the sweeper claims due reservations with FOR UPDATE SKIP LOCKED, so several replicas can
//    sweep at once without blocking each other or releasing a reservation twice.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>

#include "domain/inventory.h"
#include "shared/db/pool.h"
#include "shared/db/session.h"

namespace storefront::inventory::repo {

class PgInventoryRepository final : public domain::InventoryRepository {
 public:
  // Each call runs in a transaction of its own from `pool`.
  explicit PgInventoryRepository(db::Pool& pool) : session_(pool) {}
  // Each call runs inside `txn`, which the caller commits: how the event consumer applies a use
  // case in the transaction that also records the event in its inbox, so the change, its outbox
  // events and the dedupe row commit together. The connection must have been through Prepare
  // (every connection of the service's pool has).
  explicit PgInventoryRepository(pqxx::work& txn) : session_(txn) {}

  // Registers the hot statements (reserve, commit/release, sweep) as prepared statements on a
  // new connection; pass it to the Pool.
  static void Prepare(pqxx::connection& connection);

  std::vector<domain::StockLevel> GetStockLevels(const std::vector<std::string>& product_ids) override;
  domain::LowStockPage ListLowStock(const domain::LowStockQuery& query) override;
  domain::StockLevelPage ListStockLevels(const domain::StockLevelQuery& query) override;
  domain::AdjustmentPage ListAdjustments(const domain::AdjustmentQuery& query) override;
  domain::ReserveOutcome Reserve(const domain::NewReservation& reservation) override;
  std::optional<domain::Reservation> ChangeReservation(const std::string& id, domain::Timestamp now,
                                                       const domain::ReservationDecision& decide) override;
  std::optional<domain::Reservation> ChangeReservationByOrder(const std::string& order_id, domain::Timestamp now,
                                                              const domain::ReservationDecision& decide) override;
  int ExpireDue(domain::Timestamp now, int limit) override;
  domain::AdjustOutcome Adjust(const domain::NewAdjustment& adjustment) override;

 private:
  db::Session session_;
};

}  // namespace storefront::inventory::repo
