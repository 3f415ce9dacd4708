// Inventory's business types and the rules that need no storage: validation limits, and the
// reservation state machine with what each transition does to stock. Plain C++: no gRPC,
// libpqxx or Kafka here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/paging/page_size.h"
#include "shared/types/text.h"
#include "shared/types/time.h"

namespace storefront::inventory::domain {

using paging::kDefaultPageSize;  // shared/paging/page_size.h
using paging::kMaxPageSize;

using Timestamp = types::Timestamp;

struct StockLevel {
  std::string product_id;  // catalog Product.id (UUID, lower case)
  int on_hand = 0;
  int reserved = 0;
  int low_stock_threshold = 0;
  Timestamp updated_at;
  int available() const { return on_hand - reserved; }
  bool operator==(const StockLevel&) const = default;
};

enum class ReservationState { kActive, kCommitted, kReleased };

enum class ReleaseReason {
  kNone,            // not released
  kCheckoutFailed,  // a later saga step failed: compensation
  kOrderCancelled,
  kExpired,         // only inventory sets this, when the TTL ran out
};

struct ReservationLine {
  std::string product_id;
  int quantity = 0;
  bool operator==(const ReservationLine&) const = default;
};

struct Reservation {
  std::string id;
  std::string order_id;
  std::vector<ReservationLine> lines;  // sorted by product_id
  ReservationState state = ReservationState::kActive;
  ReleaseReason release_reason = ReleaseReason::kNone;
  Timestamp expires_at;
  Timestamp created_at;
  Timestamp updated_at;
};

// One line of a ReserveStock that could not be met.
struct Shortage {
  std::string product_id;
  int requested = 0;
  int available = 0;  // 0 when inventory has no stock row for the product
  bool operator==(const Shortage&) const = default;
};

enum class AdjustmentReason { kRestock, kCount, kDamaged, kReturned };

struct StockAdjustment {
  std::string id;
  std::string idempotency_key;
  std::string product_id;
  int delta = 0;
  AdjustmentReason reason = AdjustmentReason::kCount;
  std::string note;
  std::string actor;
  int on_hand_after = 0;
  Timestamp created_at;
};

// Limits, shared by validation, the schema and the README.
inline constexpr int kDefaultLowStockThreshold = 5;
inline constexpr int kMaxLinesPerReservation = 100;
inline constexpr int kMaxLineQuantity = 999;
inline constexpr int kDefaultTtlSeconds = 900;
// The contract (inventory.proto, ReserveStockRequest.ttl_seconds) says 1..3600: a checkout that
// has not paid within an hour has stalled, and holding stock longer only hides it from shoppers.
inline constexpr int kMaxTtlSeconds = 3600;
inline constexpr int kMaxBatchIds = 100;
inline constexpr int kMaxAdjustmentDelta = 1'000'000;
inline constexpr std::size_t kMaxNoteLength = 500;   // characters (code points)
inline constexpr std::size_t kMaxActorLength = 100;  // characters (code points)

// Length in code points of (valid) UTF-8 text.
std::size_t CodePoints(std::string_view text);
using types::HasControlCharacters;

std::string_view Name(ReservationState state);
std::string_view Name(ReleaseReason reason);
std::string_view Name(AdjustmentReason reason);
// Inverses of Name; nullopt for a name no value has.
std::optional<ReservationState> ReservationStateFromName(std::string_view name);
std::optional<ReleaseReason> ReleaseReasonFromName(std::string_view name);
std::optional<AdjustmentReason> AdjustmentReasonFromName(std::string_view name);

// What a reservation changing state does to each product's stock, per reserved unit.
struct StockEffect {
  int on_hand = 0;
  int reserved = 0;
  bool operator==(const StockEffect&) const = default;
};

// The reservation state machine in one table:
//   ACTIVE    -> COMMITTED  units sold:               on_hand -1, reserved -1
//   ACTIVE    -> RELEASED   units available again:    reserved -1
//   COMMITTED -> RELEASED   order cancelled before dispatch, units back on the shelf: on_hand +1
// (a new reservation, "-> ACTIVE", is reserved +1). Any other pair is not a transition: nullopt.
std::optional<StockEffect> EffectOf(ReservationState from, ReservationState to);

struct ReservationChange {
  ReservationState to = ReservationState::kActive;
  ReleaseReason reason = ReleaseReason::kNone;  // when `to` is RELEASED
};

// Why a product's stock row changed; carried by the StockChanged event.
enum class StockChangeCause {
  kReserved,   // a reservation took units from available
  kCommitted,  // reserved units were sold and left on_hand
  kReleased,   // a reservation gave units back (including expiry)
  kAdjusted,   // an operator's AdjustStock
};

// One product's stock row right after a change, and how far the change moved it: what the
// repository announces (StockChanged, and LowStock on a downward crossing).
struct StockMove {
  StockLevel after;
  StockEffect delta;  // total units, not per unit

  int AvailableBefore() const { return after.available() - (delta.on_hand - delta.reserved); }
  // True once per crossing: available went from above the threshold to at or below it. A change
  // while it stays low, or one that raises it, is not a crossing.
  bool CrossedIntoLowStock() const {
    return AvailableBefore() > after.low_stock_threshold && after.available() <= after.low_stock_threshold;
  }
};

// An ACTIVE reservation whose deadline has passed counts as expired from that instant, whether or
// not the sweeper has reached it yet, so the outcome of a late commit never depends on timing.
inline bool IsOverdue(const Reservation& reservation, Timestamp now) {
  return reservation.state == ReservationState::kActive && reservation.expires_at <= now;
}

}  // namespace storefront::inventory::domain
