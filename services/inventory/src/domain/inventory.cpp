#include "domain/inventory.h"

#include <algorithm>
#include <set>

#include "shared/paging/page_size.h"
#include "shared/errors/errors.h"
#include "shared/types/uuid.h"

namespace storefront::inventory::domain {
namespace {

using types::IsUuid;
using types::NormalizeUuid;

std::string Indexed(const std::string& field, std::size_t index) { return field + "[" + std::to_string(index) + "]"; }

// What a rejected value is called in an error message: bounded, so hostile input stays short.
std::string Quote(const std::string& text) { return text.substr(0, 64); }

using paging::PageSize;

void RequireUuid(const std::string& field, const std::string& value, Violations& violations) {
  if (value.empty()) violations.Add(field, "is required");
  else if (!IsUuid(value)) violations.Add(field, "must be a UUID");
}

std::vector<ReservationLine> ValidLines(const std::vector<ReservationLine>& lines, Violations& violations) {
  if (lines.empty() || lines.size() > kMaxLinesPerReservation) {
    violations.Add("lines", "must have 1 to 100 lines");
    return {};
  }
  std::vector<ReservationLine> valid;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    const std::string field = Indexed("lines", i);
    if (!IsUuid(line.product_id)) {
      violations.Add(field + ".product_id", line.product_id.empty() ? "is required" : "must be a UUID");
    } else if (!seen.insert(NormalizeUuid(line.product_id)).second) {
      violations.Add(field + ".product_id", "repeats an earlier line; send one line per product");
    }
    if (line.quantity < 1 || line.quantity > kMaxLineQuantity) {
      violations.Add(field + ".quantity", "must be between 1 and 999");
    }
    valid.push_back({NormalizeUuid(line.product_id), line.quantity});
  }
  // One order for every lock taker: rows are always locked in product_id order, so two
  // reservations over the same products can never wait on each other in a cycle.
  std::sort(valid.begin(), valid.end(),
            [](const ReservationLine& a, const ReservationLine& b) { return a.product_id < b.product_id; });
  return valid;
}

std::string Describe(const Reservation& reservation) {
  std::string text = "reservation " + reservation.id + " was released";
  if (reservation.release_reason == ReleaseReason::kExpired) text += " when its hold expired";
  else text += " (" + std::string(Name(reservation.release_reason)) + ")";
  return text;
}

bool SameRequest(const StockAdjustment& first, const NewAdjustment& repeat) {
  return first.product_id == repeat.product_id && first.delta == repeat.delta && first.reason == repeat.reason &&
         first.note == repeat.note && first.actor == repeat.actor;
}

}  // namespace

ReservationDecision CommitDecision(Timestamp now) {
  return [now](const Reservation& current) -> std::optional<ReservationChange> {
    // Expiring here, not committing, keeps "expired at expires_at" exact: a commit that
    // arrives after the deadline fails the same way whether or not the sweeper ran.
    if (IsOverdue(current, now)) return ReservationChange{ReservationState::kReleased, ReleaseReason::kExpired};
    if (current.state == ReservationState::kActive) return ReservationChange{ReservationState::kCommitted};
    return std::nullopt;  // COMMITTED: a retry, unchanged; RELEASED: the caller refuses or reports it
  };
}

ReservationDecision ReleaseDecision(Timestamp now, ReleaseReason reason) {
  return [now, reason](const Reservation& current) -> std::optional<ReservationChange> {
    if (IsOverdue(current, now)) return ReservationChange{ReservationState::kReleased, ReleaseReason::kExpired};
    // ACTIVE: the hold ends. COMMITTED: the order was cancelled before dispatch and the units
    // go back on the shelf. RELEASED: a retry, unchanged, keeping the first reason.
    if (current.state == ReservationState::kReleased) return std::nullopt;
    return ReservationChange{ReservationState::kReleased, reason};
  };
}

std::vector<StockLevel> Inventory::GetStockLevels(const std::vector<std::string>& product_ids) {
  Violations violations;
  if (product_ids.empty() || product_ids.size() > kMaxBatchIds) {
    violations.Add("product_ids", "must have 1 to 100 ids");
  }
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < product_ids.size() && i < kMaxBatchIds; ++i) {
    if (!IsUuid(product_ids[i])) {
      violations.Add(Indexed("product_ids", i), "must be a UUID");
    } else if (seen.insert(NormalizeUuid(product_ids[i])).second) {
      ids.push_back(NormalizeUuid(product_ids[i]));  // a repeated id is asked for once
    }
  }
  violations.ThrowIfAny();
  return repository_.GetStockLevels(ids);
}

LowStockResult Inventory::ListLowStock(int page_size, const std::string& page_token) {
  Violations violations;
  LowStockQuery query;
  query.limit = PageSize(page_size, violations);
  if (!page_token.empty()) {
    query.after = DecodePageToken<LowStockPageToken>(page_token);
    if (!query.after) violations.Add("page_token", "is not a token returned by ListLowStock; start again without one");
  }
  violations.ThrowIfAny();
  auto page = repository_.ListLowStock(query);
  LowStockResult result{std::move(page.levels), {}};
  if (page.next) result.next_page_token = EncodePageToken(*page.next);
  return result;
}

StockLevelsResult Inventory::ListStockLevels(int page_size, const std::string& page_token) {
  Violations violations;
  StockLevelQuery query;
  query.limit = PageSize(page_size, violations);
  if (!page_token.empty()) {
    query.after = DecodePageToken<StockLevelPageToken>(page_token);
    if (!query.after) violations.Add("page_token", "is not a token returned by ListStockLevels; start again without one");
  }
  violations.ThrowIfAny();
  auto page = repository_.ListStockLevels(query);
  StockLevelsResult result{std::move(page.levels), {}};
  if (page.next) result.next_page_token = EncodePageToken(*page.next);
  return result;
}

AdjustmentsResult Inventory::ListAdjustments(const std::string& product_id, int page_size,
                                             const std::string& page_token) {
  Violations violations;
  AdjustmentQuery query;
  if (!product_id.empty() && !IsUuid(product_id)) violations.Add("product_id", "must be a UUID or empty");
  query.product_id = NormalizeUuid(product_id);
  query.limit = PageSize(page_size, violations);
  if (!page_token.empty()) {
    query.before = DecodePageToken(page_token, query.product_id);
    if (!query.before) {
      violations.Add("page_token", "is not a token returned by ListAdjustments for this product_id; start again "
                                   "without one");
    }
  }
  violations.ThrowIfAny();
  auto page = repository_.ListAdjustments(query);
  AdjustmentsResult result{std::move(page.adjustments), {}};
  if (page.next) result.next_page_token = EncodePageToken(*page.next, query.product_id);
  return result;
}

ReserveResult Inventory::ReserveStock(const ReserveRequest& request) {
  Violations violations;
  RequireUuid("order_id", request.order_id, violations);
  auto lines = ValidLines(request.lines, violations);
  if (request.ttl_seconds < 0 || request.ttl_seconds > kMaxTtlSeconds) {
    violations.Add("ttl_seconds", "must be between 1 and 3600 (0 means 900)");
  }
  violations.ThrowIfAny();

  const Timestamp now = clock_();
  const int ttl = request.ttl_seconds == 0 ? kDefaultTtlSeconds : request.ttl_seconds;
  NewReservation reservation{NormalizeUuid(request.order_id), lines, now, now + std::chrono::seconds(ttl)};
  auto outcome = repository_.Reserve(reservation);

  switch (outcome.kind) {
    case ReserveOutcome::Kind::kCreated:
      return {std::move(outcome.reservation), {}};
    case ReserveOutcome::Kind::kInsufficient:
      return {std::nullopt, std::move(outcome.shortages)};
    case ReserveOutcome::Kind::kExisting:
      break;
  }
  // A retry: the order is the idempotency key. The same lines (in any order) get the
  // reservation back while it holds or has sold the units; other lines are a different request
  // reusing the key.
  if (outcome.reservation.lines != lines) {
    throw AlreadyExists("order " + reservation.order_id + " already has reservation " + outcome.reservation.id +
                        " with other lines");
  }
  Reservation existing = std::move(outcome.reservation);
  if (IsOverdue(existing, now)) {
    // Overdue but not swept yet: it is expired now, so make it so before answering.
    auto expired = repository_.ChangeReservation(
        existing.id, now, [now](const Reservation& current) -> std::optional<ReservationChange> {
          if (!IsOverdue(current, now)) return std::nullopt;  // a concurrent call got there first
          return ReservationChange{ReservationState::kReleased, ReleaseReason::kExpired};
        });
    if (!expired) throw NotFound("no reservation with id " + existing.id);
    existing = std::move(*expired);
  }
  if (existing.state == ReservationState::kReleased) {
    // Not a success: the units are back on the shelf and may be sold to someone else. An order's
    // one reservation cannot be taken again, so checkout fails the order.
    throw FailedPrecondition(Describe(existing) + "; order " + reservation.order_id + " cannot hold stock again");
  }
  return {std::move(existing), {}};
}

Reservation Inventory::CommitReservation(const std::string& reservation_id) {
  Violations violations;
  RequireUuid("reservation_id", reservation_id, violations);
  violations.ThrowIfAny();
  const Timestamp now = clock_();
  auto reservation = repository_.ChangeReservation(NormalizeUuid(reservation_id), now, CommitDecision(now));
  if (!reservation) throw NotFound("no reservation with id " + Quote(reservation_id));
  if (reservation->state == ReservationState::kReleased) {
    // The units may already be sold to someone else: checkout must reserve again or fail the order.
    throw FailedPrecondition(Describe(*reservation) + " and cannot be committed; reserve the stock again");
  }
  return *reservation;
}

Reservation Inventory::ReleaseReservation(const std::string& reservation_id, ReleaseReason reason) {
  Violations violations;
  RequireUuid("reservation_id", reservation_id, violations);
  if (reason == ReleaseReason::kExpired) {
    violations.Add("reason", "EXPIRED is set by inventory itself; send CHECKOUT_FAILED or ORDER_CANCELLED");
  } else if (reason != ReleaseReason::kCheckoutFailed && reason != ReleaseReason::kOrderCancelled) {
    violations.Add("reason", "must be CHECKOUT_FAILED or ORDER_CANCELLED");
  }
  violations.ThrowIfAny();
  const Timestamp now = clock_();
  auto reservation = repository_.ChangeReservation(NormalizeUuid(reservation_id), now, ReleaseDecision(now, reason));
  if (!reservation) throw NotFound("no reservation with id " + Quote(reservation_id));
  return *reservation;
}

AdjustResult Inventory::AdjustStock(const AdjustRequest& request) {
  Violations violations;
  RequireUuid("idempotency_key", request.idempotency_key, violations);
  RequireUuid("product_id", request.product_id, violations);
  if (request.delta == 0) {
    violations.Add("delta", "must not be 0");
  } else if (request.delta < -kMaxAdjustmentDelta || request.delta > kMaxAdjustmentDelta) {
    violations.Add("delta", "must be between -1000000 and 1000000");
  }
  if (!request.reason) {
    violations.Add("reason", "must be RESTOCK, COUNT, DAMAGED or RETURNED");
  } else if ((*request.reason == AdjustmentReason::kRestock || *request.reason == AdjustmentReason::kReturned) &&
             request.delta < 0) {
    violations.Add("delta", "must be positive for " + std::string(Name(*request.reason)) + " (units come in)");
  } else if (*request.reason == AdjustmentReason::kDamaged && request.delta > 0) {
    violations.Add("delta", "must be negative for damaged (units are written off)");
  }
  if (CodePoints(request.note) > kMaxNoteLength) violations.Add("note", "must be at most 500 characters");
  if (HasControlCharacters(request.note, "\n\t")) violations.Add("note", "must not contain control characters");
  if (request.actor.empty()) violations.Add("actor", "is required");
  else if (CodePoints(request.actor) > kMaxActorLength) violations.Add("actor", "must be at most 100 characters");
  else if (HasControlCharacters(request.actor)) violations.Add("actor", "must not contain control characters");
  violations.ThrowIfAny();

  NewAdjustment adjustment{NormalizeUuid(request.idempotency_key),
                           NormalizeUuid(request.product_id),
                           request.delta,
                           *request.reason,
                           request.note,
                           request.actor,
                           clock_()};
  auto outcome = repository_.Adjust(adjustment);
  switch (outcome.kind) {
    case AdjustOutcome::Kind::kApplied:
      break;
    case AdjustOutcome::Kind::kReplayed:
      // The console retried: the first result, and no second change. The same key on a
      // different request is a client bug that must not pass silently.
      if (!SameRequest(outcome.adjustment, adjustment)) {
        throw AlreadyExists("idempotency_key " + adjustment.idempotency_key +
                            " was already used for a different adjustment (" + outcome.adjustment.id + ")");
      }
      break;
    case AdjustOutcome::Kind::kBelowReserved: {
      const auto& level = outcome.level;
      throw FailedPrecondition("delta " + std::to_string(request.delta) + " would take on_hand of " +
                               adjustment.product_id + " from " + std::to_string(level.on_hand) + " to " +
                               std::to_string(level.on_hand + request.delta) + ", below the " +
                               std::to_string(level.reserved) +
                               " units reserved for orders in flight (and on_hand can never go below 0)");
    }
  }
  return {std::move(outcome.level), std::move(outcome.adjustment)};
}

std::optional<Reservation> Inventory::CommitOrderReservation(const std::string& order_id) {
  const Timestamp now = clock_();
  return repository_.ChangeReservationByOrder(order_id, now, CommitDecision(now));
}

std::optional<Reservation> Inventory::ReleaseOrderReservation(const std::string& order_id, ReleaseReason reason) {
  const Timestamp now = clock_();
  return repository_.ChangeReservationByOrder(order_id, now, ReleaseDecision(now, reason));
}

int Inventory::ExpireDueReservations() {
  const Timestamp now = clock_();
  int total = 0;
  for (int batch = 0; batch < kMaxSweepBatchesPerPass; ++batch) {
    const int released = repository_.ExpireDue(now, kSweepBatchSize);
    total += released;
    if (released < kSweepBatchSize) break;
  }
  return total;
}

}  // namespace storefront::inventory::domain
