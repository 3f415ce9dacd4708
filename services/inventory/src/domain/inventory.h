// Inventory's use cases: stock levels, reservations for orders in flight, operator adjustments.
// Depends only on its ports (domain/ports.h: the InventoryRepository and an injected Clock), so
// it is unit tested with a mock and a fake clock, and runs in production over PostgreSQL (repo/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/ports.h"

namespace storefront::inventory::domain {

// The two saga decisions, shared by the gRPC use cases below and the order-event handlers
// (consumers/order_events.h), so a commit or release means the same whichever way it arrives.
//  Commit:  overdue ACTIVE -> RELEASED/EXPIRED (the hold ran out at expires_at, whether or not the
//           sweeper got there); ACTIVE -> COMMITTED; COMMITTED or RELEASED: unchanged.
//  Release: overdue ACTIVE -> RELEASED/EXPIRED; ACTIVE or COMMITTED -> RELEASED with `reason`
//           (COMMITTED: cancelled before dispatch, the units go back on the shelf); RELEASED:
//           unchanged, keeping the first reason.
ReservationDecision CommitDecision(Timestamp now);
ReservationDecision ReleaseDecision(Timestamp now, ReleaseReason reason);

struct ReserveRequest {
  std::string order_id;
  std::vector<ReservationLine> lines;
  int ttl_seconds = 0;  // 0 = kDefaultTtlSeconds
};

// Exactly one of the two is set.
struct ReserveResult {
  std::optional<Reservation> reservation;
  std::vector<Shortage> shortages;
};

struct AdjustRequest {
  std::string idempotency_key;
  std::string product_id;
  int delta = 0;
  std::optional<AdjustmentReason> reason;  // nullopt: unspecified or unknown on the wire
  std::string note;
  std::string actor;
};

struct AdjustResult {
  StockLevel level;
  StockAdjustment adjustment;
};

struct LowStockResult {
  std::vector<StockLevel> levels;
  std::string next_page_token;  // empty on the last page
};

struct StockLevelsResult {
  std::vector<StockLevel> levels;
  std::string next_page_token;  // empty on the last page
};

struct AdjustmentsResult {
  std::vector<StockAdjustment> adjustments;
  std::string next_page_token;  // empty on the last page
};

// How the sweeper walks the expired reservations: batches of this many rows, each its own short
// transaction, and at most this many batches per pass so a backlog cannot pin the thread.
inline constexpr int kSweepBatchSize = 100;
inline constexpr int kMaxSweepBatchesPerPass = 50;

class Inventory {
 public:
  Inventory(InventoryRepository& repository, Clock clock) : repository_(repository), clock_(std::move(clock)) {}

  std::vector<StockLevel> GetStockLevels(const std::vector<std::string>& product_ids);
  LowStockResult ListLowStock(int page_size, const std::string& page_token);
  // Every tracked product, product_id ascending: the operators' stock table.
  StockLevelsResult ListStockLevels(int page_size, const std::string& page_token);
  AdjustmentsResult ListAdjustments(const std::string& product_id, int page_size, const std::string& page_token);

  ReserveResult ReserveStock(const ReserveRequest& request);
  Reservation CommitReservation(const std::string& reservation_id);
  Reservation ReleaseReservation(const std::string& reservation_id, ReleaseReason reason);
  AdjustResult AdjustStock(const AdjustRequest& request);

  // Checkout's order events (consumers/order_events.h), for an order id the consumer has checked
  // (a lower-case UUID): the order's reservation as CommitDecision or ReleaseDecision leaves it,
  // or nullopt when the order has none.
  std::optional<Reservation> CommitOrderReservation(const std::string& order_id);
  std::optional<Reservation> ReleaseOrderReservation(const std::string& order_id, ReleaseReason reason);

  // One sweep: releases every reservation overdue at the clock's "now", batch by batch.
  // Returns how many it released. Safe to run in several replicas at once.
  int ExpireDueReservations();

 private:
  InventoryRepository& repository_;
  Clock clock_;
};

}  // namespace storefront::inventory::domain
