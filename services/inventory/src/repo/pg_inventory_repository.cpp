#include "repo/pg_inventory_repository.h"

#include <pqxx/pqxx>

#include <map>
#include <stdexcept>

#include "repo/stock_events.h"
#include "shared/db/fields.h"
#include "shared/db/statement.h"
#include "shared/errors/errors.h"
#include "shared/types/time.h"

namespace storefront::inventory::repo {
namespace {

using domain::AdjustmentReason;
using domain::ReleaseReason;
using domain::Reservation;
using domain::ReservationState;
using domain::StockLevel;
using domain::Timestamp;
using types::ToMicros;
// Timestamps cross to SQL as whole microseconds (shared/types/time.h), and the domain's injected
// clock, not the database's now(), decides every deadline.

// Stands in for "no position" in keyset queries whose $n::bool says there is none.
constexpr const char* kNilUuid = "00000000-0000-0000-0000-000000000000";

// A PostgreSQL array literal of already-validated UUIDs or numbers: one parameter, one round trip.
template <typename T, typename Fn>
std::string ArrayLiteral(const std::vector<T>& items, Fn&& text) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += text(items[i]);
  }
  out += '}';
  return out;
}

constexpr const char* kLevelColumns =
    "s.product_id::text, s.on_hand, s.reserved, s.low_stock_threshold, " STOREFRONT_SQL_MICROS("s.updated_at");

StockLevel ReadLevel(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<int>(), row[2].as<int>(), row[3].as<int>(),
          db::TimeField(row[4])};
}

constexpr const char* kReservationColumns =
    "r.id::text, r.order_id::text, r.state, coalesce(r.release_reason, ''), " STOREFRONT_SQL_MICROS("r.expires_at") ", " STOREFRONT_SQL_MICROS(
        "r.created_at") ", " STOREFRONT_SQL_MICROS("r.updated_at");

ReservationState StateFromText(const std::string& text) {
  if (auto state = domain::ReservationStateFromName(text)) return *state;
  throw std::runtime_error("unknown reservation state in database: " + text);
}

ReleaseReason ReleaseReasonFromText(const std::string& text) {
  if (text.empty()) return ReleaseReason::kNone;  // NULL: not released
  auto reason = domain::ReleaseReasonFromName(text);
  if (!reason || *reason == ReleaseReason::kNone) throw std::runtime_error("unknown release reason in database: " + text);
  return *reason;
}

AdjustmentReason AdjustmentReasonFromText(const std::string& text) {
  if (auto reason = domain::AdjustmentReasonFromName(text)) return *reason;
  throw std::runtime_error("unknown adjustment reason in database: " + text);
}

// The reason column's value: NULL (written as '' and NULLIF'd) unless released.
std::string ReasonText(ReleaseReason reason) {
  return reason == ReleaseReason::kNone ? "" : std::string(domain::Name(reason));
}

Reservation ReadReservationRow(const pqxx::row& row) {
  Reservation r;
  r.id = row[0].as<std::string>();
  r.order_id = row[1].as<std::string>();
  r.state = StateFromText(row[2].as<std::string>());
  r.release_reason = ReleaseReasonFromText(row[3].as<std::string>());
  r.expires_at = db::TimeField(row[4]);
  r.created_at = db::TimeField(row[5]);
  r.updated_at = db::TimeField(row[6]);
  return r;
}

constexpr const char* kAdjustmentColumns =
    "a.id::text, a.idempotency_key::text, a.product_id::text, a.delta, a.reason, a.note, a.actor, a.on_hand_after, "
    STOREFRONT_SQL_MICROS("a.created_at") ", a.sequence, a.reserved_after, a.threshold_after";

domain::StockAdjustment ReadAdjustment(const pqxx::row& row) {
  domain::StockAdjustment a;
  a.id = row[0].as<std::string>();
  a.idempotency_key = row[1].as<std::string>();
  a.product_id = row[2].as<std::string>();
  a.delta = row[3].as<int>();
  a.reason = AdjustmentReasonFromText(row[4].as<std::string>());
  a.note = row[5].as<std::string>();
  a.actor = row[6].as<std::string>();
  a.on_hand_after = row[7].as<int>();
  a.created_at = db::TimeField(row[8]);
  return a;
}

// The level as the adjustment left it: what a replayed AdjustStock returns.
StockLevel LevelAfter(const pqxx::row& row) {
  return {row[2].as<std::string>(), row[7].as<int>(), row[10].as<int>(), row[11].as<int>(),
          db::TimeField(row[8])};
}

const std::string kSelectReservation =
    std::string("SELECT ") + kReservationColumns + " FROM reservations r WHERE r.id = $1::uuid";

// Loads a reservation and its lines; with `lock`, the row stays locked until the transaction ends.
std::optional<Reservation> LoadReservation(pqxx::transaction_base& txn, const std::string& id, bool lock) {
  auto rows = txn.exec_prepared(lock ? "inventory_reservation_for_update" : "inventory_reservation", id);
  if (rows.empty()) return std::nullopt;
  Reservation reservation = ReadReservationRow(rows[0]);
  for (const auto& line : txn.exec_prepared("inventory_reservation_lines", reservation.id)) {
    reservation.lines.push_back({line[0].as<std::string>(), line[1].as<int>()});
  }
  return reservation;
}

// Applies `effect` per unit to each line's stock row, in product_id order (lines are sorted), and
// returns each row as the change left it, for the events.
std::vector<domain::StockMove> ApplyEffect(pqxx::transaction_base& txn, const std::vector<domain::ReservationLine>& lines,
                                           domain::StockEffect effect, Timestamp now) {
  std::vector<domain::StockMove> moves;
  for (const auto& line : lines) {
    const domain::StockEffect delta{effect.on_hand * line.quantity, effect.reserved * line.quantity};
    auto row = txn.exec_prepared("inventory_apply_effect", line.product_id, delta.on_hand, delta.reserved, ToMicros(now));
    if (row.empty()) throw std::logic_error("reservation line for product " + line.product_id + " has no stock row");
    moves.push_back({ReadLevel(row[0]), delta});
  }
  return moves;
}

domain::StockChangeCause CauseOf(ReservationState to) {
  return to == ReservationState::kCommitted ? domain::StockChangeCause::kCommitted
                                            : domain::StockChangeCause::kReleased;
}

// Thrown inside the reserve transaction to roll it back when a line falls short.
struct Shortfall {
  std::vector<domain::Shortage> shortages;
};

std::optional<std::string> FindReservationIdByOrder(pqxx::transaction_base& txn, const std::string& order_id) {
  auto rows = txn.exec_prepared("inventory_reservation_by_order", order_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

// Locks the reservation, asks `decide`, applies the change and announces it; nullopt when no
// reservation has that id.
std::optional<Reservation> ChangeReservationIn(pqxx::transaction_base& txn, const std::string& id, Timestamp now,
                                               const domain::ReservationDecision& decide) {
  // The reservation first, then its stock rows in product_id order: the lock order.
  auto current = LoadReservation(txn, id, /*lock=*/true);
  if (!current) return std::nullopt;
  auto change = decide(*current);
  if (!change) return current;  // nothing changed, so nothing is announced
  auto effect = domain::EffectOf(current->state, change->to);
  if (!effect) {
    throw std::logic_error("no reservation transition from " + std::string(domain::Name(current->state)) + " to " +
                           std::string(domain::Name(change->to)));
  }
  auto moves = ApplyEffect(txn, current->lines, *effect, now);
  auto rows = txn.exec_prepared("inventory_set_state", current->id, std::string(domain::Name(change->to)),
                                ReasonText(change->reason), ToMicros(now));
  Reservation changed = ReadReservationRow(rows[0]);
  changed.lines = std::move(current->lines);

  for (const auto& move : moves) AnnounceStockMove(txn, move, CauseOf(change->to), changed.id);
  if (change->to == ReservationState::kCommitted) {
    AnnounceReservationCommitted(txn, changed);
  } else {
    AnnounceReservationReleased(txn, changed, /*was_committed=*/current->state == ReservationState::kCommitted);
  }
  return changed;
}

}  // namespace

void PgInventoryRepository::Prepare(pqxx::connection& connection) {
  connection.prepare("inventory_reservation", kSelectReservation);
  connection.prepare("inventory_reservation_for_update", kSelectReservation + " FOR UPDATE");
  connection.prepare("inventory_reservation_lines",
                     "SELECT product_id::text, quantity FROM reservation_lines"
                     " WHERE reservation_id = $1::uuid ORDER BY product_id");
  // A new order's reservation. ON CONFLICT DO NOTHING makes a concurrent retry of the same order
  // wait for the first attempt, then see its row (or, if that rolled back, insert its own).
  connection.prepare("inventory_insert_reservation",
                     std::string("INSERT INTO reservations AS r (order_id, state, expires_at, created_at, updated_at)"
                                 " VALUES ($1::uuid, 'active', " STOREFRONT_SQL_TIMESTAMP(2) ", " STOREFRONT_SQL_TIMESTAMP(3) ", " STOREFRONT_SQL_TIMESTAMP(3) ")"
                                 " ON CONFLICT (order_id) DO NOTHING RETURNING ") +
                         kReservationColumns);
  connection.prepare("inventory_reservation_by_order",
                     std::string("SELECT r.id::text FROM reservations r WHERE r.order_id = $1::uuid"));
  // Takes q units from available only if they are there. Under a concurrent update PostgreSQL
  // waits for the row lock and re-evaluates the WHERE on the row's newest version, so the check
  // and the decrement are one atomic step: no read-then-write window to oversell in.
  connection.prepare("inventory_take",
                     std::string("UPDATE stock AS s SET reserved = s.reserved + $2::int, updated_at = " STOREFRONT_SQL_TIMESTAMP(3)
                                 " WHERE s.product_id = $1::uuid AND s.on_hand - s.reserved >= $2::int RETURNING ") +
                         kLevelColumns);
  connection.prepare("inventory_apply_effect",
                     std::string("UPDATE stock AS s SET on_hand = s.on_hand + $2::int, reserved = s.reserved + $3::int,"
                                 " updated_at = " STOREFRONT_SQL_TIMESTAMP(4) " WHERE s.product_id = $1::uuid RETURNING ") +
                         kLevelColumns);
  connection.prepare("inventory_set_state",
                     std::string("UPDATE reservations AS r SET state = $2, release_reason = NULLIF($3, ''),"
                                 " updated_at = " STOREFRONT_SQL_TIMESTAMP(4) " WHERE r.id = $1::uuid RETURNING ") +
                         kReservationColumns);
  // The sweeper's claim: due ACTIVE rows nobody else holds. A row locked by another sweeper or
  // by a commit in progress is skipped, not waited for; the next pass gets it if still due.
  connection.prepare("inventory_claim_due",
                     "SELECT r.id::text, r.order_id::text FROM reservations r"
                     " WHERE r.state = 'active' AND r.expires_at <= " STOREFRONT_SQL_TIMESTAMP(1)
                     " ORDER BY r.expires_at LIMIT $2 FOR UPDATE SKIP LOCKED");
  connection.prepare("inventory_levels",
                     std::string("SELECT ") + kLevelColumns + " FROM stock s WHERE s.product_id = ANY($1::uuid[])");
}

std::vector<StockLevel> PgInventoryRepository::GetStockLevels(const std::vector<std::string>& product_ids) {
  if (product_ids.empty()) return {};
  return session_.Read([&](pqxx::transaction_base& txn) {
    std::vector<StockLevel> levels;
    auto rows = txn.exec_prepared("inventory_levels", ArrayLiteral(product_ids, [](const auto& id) { return id; }));
    for (const auto& row : rows) levels.push_back(ReadLevel(row));
    return levels;
  });
}

domain::LowStockPage PgInventoryRepository::ListLowStock(const domain::LowStockQuery& query) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    // One row more than the page tells whether another page follows, without a COUNT.
    auto rows = db::Exec(txn,
        std::string("SELECT ") + kLevelColumns +
            " FROM stock s WHERE s.on_hand - s.reserved <= s.low_stock_threshold"
            "   AND (NOT $1::bool OR (s.on_hand - s.reserved, s.product_id) > ($2::int, $3::uuid))"
            " ORDER BY s.on_hand - s.reserved, s.product_id LIMIT $4",
        query.after.has_value(), query.after ? query.after->available : 0,
        query.after ? query.after->product_id : kNilUuid, query.limit + 1);
    domain::LowStockPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.levels.size()) == query.limit) {
        const auto& last = page.levels.back();
        page.next = domain::LowStockPageToken{last.available(), last.product_id};
        break;
      }
      page.levels.push_back(ReadLevel(row));
    }
    return page;
  });
}

domain::StockLevelPage PgInventoryRepository::ListStockLevels(const domain::StockLevelQuery& query) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    // Keyset on the primary key: each page is an index range scan from where the last one ended.
    auto rows = db::Exec(txn, std::string("SELECT ") + kLevelColumns +
                                  " FROM stock s WHERE (NOT $1::bool OR s.product_id > $2::uuid)"
                                  " ORDER BY s.product_id LIMIT $3",
                              query.after.has_value(), query.after ? query.after->product_id : kNilUuid,
                              query.limit + 1);
    domain::StockLevelPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.levels.size()) == query.limit) {
        page.next = domain::StockLevelPageToken{page.levels.back().product_id};
        break;
      }
      page.levels.push_back(ReadLevel(row));
    }
    return page;
  });
}

domain::AdjustmentPage PgInventoryRepository::ListAdjustments(const domain::AdjustmentQuery& query) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    auto rows = db::Exec(txn, std::string("SELECT ") + kAdjustmentColumns +
                                  " FROM stock_adjustments a"
                                  " WHERE ($1 = '' OR a.product_id = NULLIF($1, '')::uuid)"
                                  "   AND (NOT $2::bool OR a.sequence < $3::bigint)"
                                  " ORDER BY a.sequence DESC LIMIT $4",
                              query.product_id, query.before.has_value(), query.before ? query.before->sequence : 0,
                              query.limit + 1);
    domain::AdjustmentPage page;
    std::int64_t last_sequence = 0;
    for (const auto& row : rows) {
      if (static_cast<int>(page.adjustments.size()) == query.limit) {
        page.next = domain::AdjustmentPageToken{last_sequence};
        break;
      }
      page.adjustments.push_back(ReadAdjustment(row));
      last_sequence = row[9].as<std::int64_t>();
    }
    return page;
  });
}

domain::ReserveOutcome PgInventoryRepository::Reserve(const domain::NewReservation& reservation) {
  using Kind = domain::ReserveOutcome::Kind;
  try {
    return session_.Write([&](pqxx::transaction_base& txn) -> domain::ReserveOutcome {
      auto inserted = txn.exec_prepared("inventory_insert_reservation", reservation.order_id,
                                        ToMicros(reservation.expires_at), ToMicros(reservation.now));
      if (inserted.empty()) {
        // The order already has one (committed by an earlier or concurrent call): report it.
        auto id = txn.exec_prepared("inventory_reservation_by_order", reservation.order_id);
        if (id.empty()) throw Unavailable("reservation for order " + reservation.order_id + " vanished; retry");
        return {Kind::kExisting, *LoadReservation(txn, id[0][0].as<std::string>(), /*lock=*/false), {}};
      }
      Reservation created = ReadReservationRow(inserted[0]);

      // Lines arrive sorted by product_id: the lock order every transaction follows.
      std::vector<domain::Shortage> shortages;
      std::vector<domain::StockMove> moves;
      for (const auto& line : reservation.lines) {
        auto taken = txn.exec_prepared("inventory_take", line.product_id, line.quantity, ToMicros(reservation.now));
        if (taken.empty()) {
          shortages.push_back({line.product_id, line.quantity, 0});  // 0 stays for an untracked product
        } else {
          moves.push_back({ReadLevel(taken[0]), {0, line.quantity}});
        }
      }
      if (!shortages.empty()) {
        std::vector<std::string> ids;
        for (const auto& s : shortages) ids.push_back(s.product_id);
        auto levels = txn.exec_prepared("inventory_levels", ArrayLiteral(ids, [](const auto& id) { return id; }));
        for (const auto& row : levels) {
          auto level = ReadLevel(row);
          for (auto& s : shortages) {
            if (s.product_id == level.product_id) s.available = level.available();
          }
        }
        throw Shortfall{std::move(shortages)};  // all or nothing: roll back every line taken
      }
      db::Exec(txn,
          "INSERT INTO reservation_lines (reservation_id, product_id, quantity)"
          " SELECT $1::uuid, unnest($2::uuid[]), unnest($3::int[])",
          created.id, ArrayLiteral(reservation.lines, [](const auto& line) { return line.product_id; }),
          ArrayLiteral(reservation.lines, [](const auto& line) { return std::to_string(line.quantity); }));
      created.lines = reservation.lines;
      for (const auto& move : moves) AnnounceStockMove(txn, move, domain::StockChangeCause::kReserved, created.id);
      return {Kind::kCreated, std::move(created), {}};
    });
  } catch (Shortfall& shortfall) {
    return {Kind::kInsufficient, {}, std::move(shortfall.shortages)};
  }
}

std::optional<Reservation> PgInventoryRepository::ChangeReservation(const std::string& id, Timestamp now,
                                                                    const domain::ReservationDecision& decide) {
  return session_.Write([&](pqxx::transaction_base& txn) { return ChangeReservationIn(txn, id, now, decide); });
}

std::optional<Reservation> PgInventoryRepository::ChangeReservationByOrder(const std::string& order_id, Timestamp now,
                                                                           const domain::ReservationDecision& decide) {
  return session_.Write([&](pqxx::transaction_base& txn) -> std::optional<Reservation> {
    auto id = FindReservationIdByOrder(txn, order_id);
    if (!id) return std::nullopt;
    return ChangeReservationIn(txn, *id, now, decide);
  });
}

int PgInventoryRepository::ExpireDue(Timestamp now, int limit) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    auto due = txn.exec_prepared("inventory_claim_due", ToMicros(now), limit);
    if (due.empty()) return 0;
    std::vector<std::string> ids;
    std::map<std::string, Reservation> released;  // by id, as the sweep leaves them
    for (const auto& row : due) {
      Reservation& r = released[ids.emplace_back(row[0].as<std::string>())];
      r.id = ids.back();
      r.order_id = row[1].as<std::string>();
      r.state = ReservationState::kReleased;
      r.release_reason = ReleaseReason::kExpired;
    }
    const std::string id_array = ArrayLiteral(ids, [](const auto& id) { return id; });

    // One update per product across the whole batch, in product_id order like everyone else
    // (lower-case UUID text sorts as PostgreSQL sorts uuids).
    std::map<std::string, int> units_by_product;
    std::map<std::string, std::vector<std::string>> holders_by_product;
    for (const auto& row : db::Exec(txn, "SELECT reservation_id::text, product_id::text, quantity FROM reservation_lines"
                                         " WHERE reservation_id = ANY($1::uuid[])"
                                         " ORDER BY reservation_id, product_id",
                                         id_array)) {
      const auto reservation_id = row[0].as<std::string>();
      const auto product_id = row[1].as<std::string>();
      const int quantity = row[2].as<int>();
      released[reservation_id].lines.push_back({product_id, quantity});
      units_by_product[product_id] += quantity;
      holders_by_product[product_id].push_back(reservation_id);
    }
    std::vector<domain::ReservationLine> totals;
    for (const auto& [product_id, units] : units_by_product) totals.push_back({product_id, units});
    auto moves = ApplyEffect(txn, totals, *domain::EffectOf(ReservationState::kActive, ReservationState::kReleased), now);
    db::Exec(txn, "UPDATE reservations SET state = 'released', release_reason = 'expired', updated_at = " STOREFRONT_SQL_TIMESTAMP(2)
                  " WHERE id = ANY($1::uuid[])",
                  id_array, ToMicros(now));

    // One StockChanged per product for the batch; its reference is the reservation behind it when
    // there was one, and empty when several expired together (each ReservationReleased names its
    // own lines).
    for (const auto& move : moves) {
      const auto& holders = holders_by_product[move.after.product_id];
      AnnounceStockMove(txn, move, domain::StockChangeCause::kReleased, holders.size() == 1 ? holders[0] : "");
    }
    for (const auto& id : ids) AnnounceReservationReleased(txn, released[id], /*was_committed=*/false);
    return static_cast<int>(ids.size());
  });
}

domain::AdjustOutcome PgInventoryRepository::Adjust(const domain::NewAdjustment& adjustment) {
  using Kind = domain::AdjustOutcome::Kind;
  const std::string reason(domain::Name(adjustment.reason));
  for (int attempt = 0;; ++attempt) {
    try {
      return session_.Write([&](pqxx::transaction_base& txn) -> domain::AdjustOutcome {
        auto first = db::Exec(txn, std::string("SELECT ") + kAdjustmentColumns +
                                       " FROM stock_adjustments a WHERE a.idempotency_key = $1::uuid",
                                   adjustment.idempotency_key);
        if (!first.empty()) return {Kind::kReplayed, LevelAfter(first[0]), ReadAdjustment(first[0])};

        // Adding may create the row (a product inventory had not seen yet); taking away is
        // conditional, like a reservation, so it can never dip below what orders hold.
        auto level =
            adjustment.delta > 0
                ? db::Exec(txn, std::string("INSERT INTO stock AS s (product_id, on_hand, updated_at)"
                                            " VALUES ($1::uuid, $2::int, " STOREFRONT_SQL_TIMESTAMP(3) ")"
                                            " ON CONFLICT (product_id) DO UPDATE"
                                            " SET on_hand = s.on_hand + $2::int, updated_at = " STOREFRONT_SQL_TIMESTAMP(3) " RETURNING ") +
                                    kLevelColumns,
                                adjustment.product_id, adjustment.delta, ToMicros(adjustment.now))
                : db::Exec(txn, std::string("UPDATE stock AS s SET on_hand = s.on_hand + $2::int, updated_at = " STOREFRONT_SQL_TIMESTAMP(3)
                                            " WHERE s.product_id = $1::uuid AND s.on_hand + $2::int >= s.reserved"
                                            " RETURNING ") +
                                    kLevelColumns,
                                adjustment.product_id, adjustment.delta, ToMicros(adjustment.now));
        if (level.empty()) {
          auto current = db::Exec(txn,
              std::string("SELECT ") + kLevelColumns + " FROM stock s WHERE s.product_id = $1::uuid",
              adjustment.product_id);
          StockLevel now_level{adjustment.product_id, 0, 0, domain::kDefaultLowStockThreshold, adjustment.now};
          if (!current.empty()) now_level = ReadLevel(current[0]);
          return {Kind::kBelowReserved, now_level, {}};
        }
        const StockLevel after = ReadLevel(level[0]);
        auto recorded = db::Exec(txn,
            std::string("INSERT INTO stock_adjustments AS a (idempotency_key, product_id, delta, reason, note, actor,"
                        " on_hand_after, reserved_after, threshold_after, created_at)"
                        " VALUES ($1::uuid, $2::uuid, $3::int, $4, $5, $6, $7::int, $8::int, $9::int, " STOREFRONT_SQL_TIMESTAMP(10) ")"
                        " RETURNING ") +
                kAdjustmentColumns,
            adjustment.idempotency_key, adjustment.product_id, adjustment.delta, reason, adjustment.note,
            adjustment.actor, after.on_hand, after.reserved, after.low_stock_threshold, ToMicros(adjustment.now));
        auto applied = ReadAdjustment(recorded[0]);
        AnnounceStockMove(txn, {after, {adjustment.delta, 0}}, domain::StockChangeCause::kAdjusted, applied.id);
        return {Kind::kApplied, after, std::move(applied)};
      });
    } catch (const pqxx::unique_violation&) {
      // A concurrent call with the same key committed first; ours rolled back whole, and the
      // retry finds the first one and replays it.
      if (attempt >= 1) throw;
    } catch (const pqxx::data_exception&) {  // integer out of range: on_hand + delta overflowed
      throw FailedPrecondition("delta " + std::to_string(adjustment.delta) + " would take on_hand of " +
                               adjustment.product_id + " past the largest count inventory can hold");
    }
  }
}

}  // namespace storefront::inventory::repo
