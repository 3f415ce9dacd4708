// Every interface inventory's domain needs from the outside, in one place: the repository
// (implemented over PostgreSQL in repo/, mocked in domain/mocks.h) and the clock. Inventory calls
// no other service, so there are no client ports.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/page_token.h"
#include "domain/stock.h"

namespace storefront::inventory::domain {

// Where "now" comes from. Injected so expiry is tested by moving a fake clock, never by sleeping.
using Clock = types::Clock;

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
  std::optional<LowStockPageToken> after;
};

struct LowStockPage {
  std::vector<StockLevel> levels;
  std::optional<LowStockPageToken> next;  // nullopt on the last page
};

struct StockLevelQuery {
  int limit = kDefaultPageSize;
  std::optional<StockLevelPageToken> after;  // the previous page's last product
};

struct StockLevelPage {
  std::vector<StockLevel> levels;             // product_id ascending
  std::optional<StockLevelPageToken> next;    // this page's last product, when more follow
};

struct AdjustmentQuery {
  std::string product_id;  // "" = every product
  int limit = kDefaultPageSize;
  std::optional<AdjustmentPageToken> before;  // the previous page's last row
};

struct AdjustmentPage {
  std::vector<StockAdjustment> adjustments;  // newest first
  std::optional<AdjustmentPageToken> next;   // this page's last row, when more follow
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
  // The same for the reservation of an order (lower-case UUID); nullopt when the order has none.
  virtual std::optional<Reservation> ChangeReservationByOrder(const std::string& order_id, Timestamp now,
                                                              const ReservationDecision& decide) = 0;
  // In one transaction: releases with reason EXPIRED up to `limit` ACTIVE reservations whose
  // deadline is <= now, skipping any another sweeper (or a commit) holds locked. Returns how many.
  virtual int ExpireDue(Timestamp now, int limit) = 0;
  // In one transaction: applies the adjustment unless its idempotency key was used before.
  virtual AdjustOutcome Adjust(const NewAdjustment& adjustment) = 0;
};

}  // namespace storefront::inventory::domain
