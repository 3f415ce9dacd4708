// Inventory's use cases: stock levels, reservations for orders in flight, operator adjustments.
// Depends only on the InventoryRepository interface and an injected Clock, so it is unit tested
// with a mock and a fake clock, and runs in production over PostgreSQL (repo/).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/page_token.h"
#include "domain/stock.h"

namespace storefront::inventory::domain {

// A validated reservation to record: lines sorted by product_id, ids lower case.
struct NewReservation {
  std::string order_id;
  std::vector<ReservationLine> lines;
  Timestamp now;
  Timestamp expires_at;
};

struct ReserveOutcome {
  enum class Kind {
    kCreated,       // every line was reserved
    kExisting,      // the order already had a reservation (returned as it is now; lines may differ)
    kInsufficient,  // some line fell short; nothing was recorded
  };
  Kind kind = Kind::kCreated;
  Reservation reservation;          // kCreated, kExisting
  std::vector<Shortage> shortages;  // kInsufficient: only the lines that fell short
};

// Called with the reservation row locked; returns the change to make, or nullopt to leave it.
using ReservationDecision = std::function<std::optional<ReservationChange>(const Reservation&)>;

// The two saga decisions, shared by the gRPC use cases below and the order-event handlers
// (repo/order_events.h), so a commit or release means the same whichever way it arrives.
//  Commit:  overdue ACTIVE -> RELEASED/EXPIRED (the hold ran out at expires_at, whether or not the
//           sweeper got there); ACTIVE -> COMMITTED; COMMITTED or RELEASED: unchanged.
//  Release: overdue ACTIVE -> RELEASED/EXPIRED; ACTIVE or COMMITTED -> RELEASED with `reason`
//           (COMMITTED: cancelled before dispatch, the units go back on the shelf); RELEASED:
//           unchanged, keeping the first reason.
ReservationDecision CommitDecision(Timestamp now);
ReservationDecision ReleaseDecision(Timestamp now, ReleaseReason reason);

struct NewAdjustment {
  std::string idempotency_key;  // UUID, lower case
  std::string product_id;       // UUID, lower case
  int delta = 0;
  AdjustmentReason reason = AdjustmentReason::kCount;
  std::string note;
  std::string actor;
  Timestamp now;
};

struct AdjustOutcome {
  enum class Kind {
    kApplied,        // on_hand changed; the adjustment was recorded
    kReplayed,       // the key was used before: adjustment and level are the first call's result
    kBelowReserved,  // on_hand + delta < reserved (or < 0): nothing changed; level is current
  };
  Kind kind = Kind::kApplied;
  StockLevel level;  // kBelowReserved for a product without a stock row: all zero
  StockAdjustment adjustment;
};

struct LowStockQuery {
  int limit = kDefaultPageSize;
  std::optional<LowStockCursor> after;
};

struct LowStockPage {
  std::vector<StockLevel> levels;
  std::optional<LowStockCursor> next;  // nullopt on the last page
};

struct StockLevelQuery {
  int limit = kDefaultPageSize;
  std::optional<std::string> after;  // the previous page's last product_id
};

struct StockLevelPage {
  std::vector<StockLevel> levels;    // product_id ascending
  std::optional<std::string> next;   // this page's last product_id, when more follow
};

struct AdjustmentQuery {
  std::string product_id;  // "" = every product
  int limit = kDefaultPageSize;
  std::optional<std::int64_t> before;  // sequence of the previous page's last row
};

struct AdjustmentPage {
  std::vector<StockAdjustment> adjustments;  // newest first
  std::optional<std::int64_t> next;          // sequence of this page's last row, when more follow
};

class InventoryRepository {
 public:
  virtual ~InventoryRepository() = default;

  // The stock rows of those products that have one.
  virtual std::vector<StockLevel> GetStockLevels(const std::vector<std::string>& product_ids) = 0;
  virtual LowStockPage ListLowStock(const LowStockQuery& query) = 0;
  virtual StockLevelPage ListStockLevels(const StockLevelQuery& query) = 0;
  virtual AdjustmentPage ListAdjustments(const AdjustmentQuery& query) = 0;

  // In one transaction: records the reservation unless the order already has one, and takes
  // every line from available, or takes nothing and reports each shortage.
  virtual ReserveOutcome Reserve(const NewReservation& reservation) = 0;
  // In one transaction: locks the reservation, asks `decide`, and applies the change with its
  // effect on stock (EffectOf). nullopt when no reservation has that id.
  virtual std::optional<Reservation> ChangeReservation(const std::string& id, Timestamp now,
                                                       const ReservationDecision& decide) = 0;
  // In one transaction: releases with reason EXPIRED up to `limit` ACTIVE reservations whose
  // deadline is <= now, skipping any another sweeper (or a commit) holds locked. Returns how many.
  virtual int ExpireDue(Timestamp now, int limit) = 0;
  // In one transaction: applies the adjustment unless its idempotency key was used before.
  virtual AdjustOutcome Adjust(const NewAdjustment& adjustment) = 0;
};

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

  // One sweep: releases every reservation overdue at the clock's "now", batch by batch.
  // Returns how many it released. Safe to run in several replicas at once.
  int ExpireDueReservations();

 private:
  InventoryRepository& repository_;
  Clock clock_;
};

}  // namespace storefront::inventory::domain
