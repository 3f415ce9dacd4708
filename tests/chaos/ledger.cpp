#include "tests/chaos/ledger.h"

#include <sstream>
#include <string>

#include "shared/events/topics.h"

namespace storefront::chaos {
namespace {

// Stored names, as each schema spells them: checkout's order statuses and shipping's shipment
// statuses are upper case (services/checkout/src/domain/order.cpp, shipping's V001 CHECK),
// payments' and inventory's states lower case (their V001 CHECKs). "Sold" below means an order
// checkout confirmed and has not since failed, been cancelled or been refunded:
// CONFIRMED, SHIPPED, DELIVERED.

// 1. The ids the shopper saw a 201 for, minus those checkout.orders has. Compared as text, so a
//    malformed id counts as lost instead of failing the whole check.
constexpr const char* kOrdersLost = R"sql(
SELECT count(*)
  FROM (SELECT DISTINCT lower(seen.id) AS id FROM unnest($1::text[]) AS seen (id)) AS seen
 WHERE NOT EXISTS (SELECT 1 FROM checkout.orders o WHERE o.id::text = seen.id)
)sql";

// 2. Orders in a status a saga has not finished with, checkout's or a cancel's (the partial index
//    orders_unfinished_idx lists the same four). Recovery drives these on once their lease runs
//    out, so after the store settled none may be left.
constexpr const char* kStuckOrders = R"sql(
SELECT count(*)
  FROM checkout.orders o
 WHERE o.status IN ('PENDING', 'RESERVED', 'PAYMENT_AUTHORIZED', 'CANCELLING')
)sql";

// 3. Payments still holding the shopper's money (a hold, or a capture not all given back) whose
//    order ended without a sale (FAILED, CANCELLED) or was never recorded at all. payments'
//    order_id is text; checkout's ids are lower-case uuids.
constexpr const char* kMoneyHeldOnFailedOrders = R"sql(
SELECT count(*)
  FROM payments.payments p
  LEFT JOIN checkout.orders o ON o.id::text = lower(p.order_id)
 WHERE (p.status = 'authorized'
        OR (p.status IN ('captured', 'partially_refunded') AND p.refunded_minor < p.captured_minor))
   AND (o.id IS NULL OR o.status IN ('FAILED', 'CANCELLED'))
)sql";

// 4. A sold order must hold exactly one live payment, and that one for its total (amount and
//    currency). Live: authorized or captured, and partially_refunded too: an operator's partial
//    refund leaves the order SHIPPED or DELIVERED (checkout's README, RefundOrder), so without it
//    a legitimate partial refund would read as a missing payment. A second live payment (a
//    duplicate authorization) counts as much as none.
constexpr const char* kConfirmedWithoutOneLivePayment = R"sql(
WITH sold AS (
    SELECT o.id, o.total_minor, o.currency
      FROM checkout.orders o
     WHERE o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
), live AS (
    SELECT sold.id,
           count(p.id) AS live_payments,
           count(p.id) FILTER (WHERE p.amount_minor = sold.total_minor
                                 AND p.currency = sold.currency) AS for_the_total
      FROM sold
      LEFT JOIN payments.payments p
        ON lower(p.order_id) = sold.id::text
       AND p.status IN ('authorized', 'captured', 'partially_refunded')
     GROUP BY sold.id
)
SELECT count(*)
  FROM live
 WHERE live.live_payments <> 1 OR live.for_the_total <> 1
)sql";

// 5. Payments that moved more money than they may, by either record of it:
//    - the payment row: captured_minor > amount_minor (the authorization), or refunded_minor >
//      captured_minor. payments' V001 CHECKs forbid both today; they are counted anyway, so a
//      later migration that loosens a CHECK cannot hide a fault from the chaos run;
//    - the ledger (payment_operations, append-only, one row per processor call that moved money):
//      the sum of its captures above the authorization, or of its refunds above its captures.
//      No constraint spans rows, so this is where an overcharge can really show.
//    A payment counts once however many of the four it breaks. A capture recorded twice for the
//    full amount is both this and events_applied_twice: the money did leave twice.
constexpr const char* kCapturedOrRefundedBeyondAuthorized = R"sql(
WITH ledger AS (
    SELECT op.payment_id,
           coalesce(sum(op.amount_minor) FILTER (WHERE op.kind = 'capture'), 0) AS captured,
           coalesce(sum(op.amount_minor) FILTER (WHERE op.kind = 'refund'), 0) AS refunded
      FROM payments.payment_operations op
     GROUP BY op.payment_id
)
SELECT count(*)
  FROM payments.payments p
  LEFT JOIN ledger ON ledger.payment_id = p.id
 WHERE p.captured_minor > p.amount_minor
    OR p.refunded_minor > p.captured_minor
    OR coalesce(ledger.captured, 0) > p.amount_minor
    OR coalesce(ledger.refunded, 0) > coalesce(ledger.captured, 0)
)sql";

// 6. Units sold that the stock did not have, as far as the schema can prove it. Inventory keeps
//    no history of what was ever put on hand (the demo seed and catalog-created rows record no
//    adjustment, and commits write no movement row), so "committed beyond all stock ever
//    received" cannot be computed; what can, counted in places (stock rows, products, order
//    lines), not units:
//    a. a stock row out of its own bounds: on_hand < 0, reserved < 0 or reserved > on_hand
//       (inventory's V001 CHECKs forbid these today; counted anyway, as in 5);
//    b. a product whose stock.reserved is below the units its active reservations hold. Reserve
//       adds a line's units to reserved and commit or release takes them off in the same
//       transaction as the state change, so reserved must equal the active lines' sum; when it
//       is lower, units promised to one order are offered to the next as available. (Higher is
//       stock held for nobody: lost sales, not an oversell, so not counted.) A commit or release
//       applied twice shows here;
//    c. an order line sold beyond its committed reservation: the order's units of a product
//       above what its committed reservation took off on_hand (or no line for that product in
//       it). Those units left the store without leaving the stock, so they will be sold again.
//       A sold order whose reservation is not committed at all is count 7, not this.
constexpr const char* kUnitsOversold = R"sql(
WITH held AS (
    SELECT line.product_id, sum(line.quantity) AS units
      FROM inventory.reservations r
      JOIN inventory.reservation_lines line ON line.reservation_id = r.id
     WHERE r.state = 'active'
     GROUP BY line.product_id
), sold AS (
    SELECT r.id AS reservation_id, lower(item.product_id) AS product_id, sum(item.quantity) AS units
      FROM checkout.orders o
      JOIN checkout.order_items item ON item.order_id = o.id
      JOIN inventory.reservations r ON r.order_id = o.id AND r.state = 'committed'
     GROUP BY r.id, lower(item.product_id)
)
SELECT (SELECT count(*)
          FROM inventory.stock s
         WHERE s.on_hand < 0 OR s.reserved < 0 OR s.reserved > s.on_hand)
     + (SELECT count(*)
          FROM held
          JOIN inventory.stock s ON s.product_id = held.product_id
         WHERE s.reserved < held.units)
     + (SELECT count(*)
          FROM sold
          LEFT JOIN inventory.reservation_lines line
            ON line.reservation_id = sold.reservation_id AND line.product_id::text = sold.product_id
         WHERE coalesce(line.quantity, 0) < sold.units)
)sql";

// 7. A sold order must have its stock committed: the saga commits the reservation before it
//    confirms. No reservation, or one still active or released, counts.
constexpr const char* kConfirmedWithoutCommittedStock = R"sql(
SELECT count(*)
  FROM checkout.orders o
 WHERE o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
   AND NOT EXISTS (SELECT 1
                     FROM inventory.reservations r
                    WHERE r.order_id = o.id AND r.state = 'committed')
)sql";

// 8. A sold order must have exactly one shipment that is not CANCELLED. shipments.order_id is
//    UNIQUE today, so in practice this is "has a shipment and it is not cancelled"; the count
//    does not rely on that.
constexpr const char* kConfirmedWithoutOneLiveShipment = R"sql(
SELECT count(*)
  FROM checkout.orders o
 WHERE o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
   AND (SELECT count(*)
          FROM shipping.shipments sh
         WHERE sh.order_id = o.id AND sh.status <> 'CANCELLED') <> 1
)sql";

// 9a. Every schema with an outbox (shared/events/outbox.cpp: a table "outbox" with sent_at), so
//     a new service is covered without editing this file. Read from pg_catalog, not
//     information_schema: information_schema lists only tables the current role holds a
//     privilege on, so a role that cannot read some schema would silently count nothing there;
//     found here, that schema's count fails loudly with "permission denied" instead.
constexpr const char* kOutboxSchemas = R"sql(
SELECT n.nspname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'sent_at' AND NOT a.attisdropped
 WHERE c.relname = 'outbox'
   AND c.relkind IN ('r', 'p')
   AND n.nspname NOT LIKE 'pg\_%'
   AND n.nspname <> 'information_schema'
 ORDER BY n.nspname
)sql";

// 9b. One schema's rows the relay never marked sent. Only sent_at is read, nothing of the
//     relay's bookkeeping beside it: a row the relay parked after Kafka kept refusing it (the
//     outbox's parked_at, where shared/events has added it), or one held behind a parked row of
//     its key, was still never published, and counts.
std::string UnpublishedIn(pqxx::transaction_base& txn, const std::string& schema) {
  return "SELECT count(*) FROM " + txn.quote_name(schema) + ".outbox WHERE sent_at IS NULL";
}

// 10. Something that happens once per payment, order or reservation recorded twice: the mark an
//     event (or a retried call) applied twice leaves. Inbox rows cannot repeat (event_id is the
//     primary key), so the evidence is in each service's own records:
//     a. payments.payment_operations, per payment: more than one issuer answer ('authorize' or
//        'decline'; 'authorize_failed' may repeat, an outage is retried on the same payment),
//        more than one 'capture' (capture is once only), more than one 'void';
//     b. payments.payment_operations, refunds: one payment's refund recorded twice under the same
//        idempotency key (refunds may repeat, but each key is one request);
//     c. inventory.outbox: an order's reservation announced committed twice, or released twice
//        (ReservationCommitted / ReservationReleased are keyed by the order id, written in the
//        commit's or release's transaction, and each transition happens once). Inventory has no
//        stock movement table, and stock_adjustments records only operators' changes, so its
//        outbox is the only record of commits; should sent rows ever be pruned, this part sees
//        only what is left;
//     d. checkout.order_timeline: an order that entered SHIPPED or DELIVERED twice (shipping's
//        events, applied by OrderTracking::Advance, which appends one entry per move).
//     Each repeated group counts once.
constexpr const char* kEventsAppliedTwice = R"sql(
SELECT count(*)
  FROM (SELECT op.payment_id::text
          FROM payments.payment_operations op
         WHERE op.kind IN ('authorize', 'decline', 'capture', 'void')
         GROUP BY op.payment_id, CASE op.kind WHEN 'decline' THEN 'authorize' ELSE op.kind END
        HAVING count(*) > 1
        UNION ALL
        SELECT op.payment_id::text
          FROM payments.payment_operations op
         WHERE op.kind = 'refund'
         GROUP BY op.payment_id, op.idempotency_key
        HAVING count(*) > 1
        UNION ALL
        SELECT ob.key
          FROM inventory.outbox ob
         WHERE ob.event_type IN ($1, $2)
         GROUP BY ob.key, ob.event_type
        HAVING count(*) > 1
        UNION ALL
        SELECT t.order_id::text
          FROM checkout.order_timeline t
         WHERE t.status IN ('SHIPPED', 'DELIVERED')
         GROUP BY t.order_id, t.status
        HAVING count(*) > 1) AS twice
)sql";

std::int64_t Count(pqxx::transaction_base& txn, const std::string& sql) {
  return txn.exec1(sql)[0].as<std::int64_t>();
}

// A PostgreSQL text[] literal: every element double-quoted, with '\' and '"' escaped, so any
// string the driver recorded arrives intact.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

std::vector<std::pair<std::string_view, std::int64_t>> LedgerCounts::Named() const {
  return {
      {"orders_lost", orders_lost},
      {"stuck_orders", stuck_orders},
      {"money_held_on_failed_orders", money_held_on_failed_orders},
      {"confirmed_without_one_live_payment", confirmed_without_one_live_payment},
      {"captured_or_refunded_beyond_authorized", captured_or_refunded_beyond_authorized},
      {"units_oversold", units_oversold},
      {"confirmed_without_committed_stock", confirmed_without_committed_stock},
      {"confirmed_without_one_live_shipment", confirmed_without_one_live_shipment},
      {"outbox_unpublished", outbox_unpublished},
      {"events_applied_twice", events_applied_twice},
  };
}

std::int64_t LedgerCounts::Total() const {
  std::int64_t total = 0;
  for (const auto& [name, count] : Named()) total += count;
  return total;
}

void LedgerCounts::Print(std::ostream& out) const {
  for (const auto& [name, count] : Named()) out << name << " = " << count << '\n';
}

std::string LedgerCounts::ToString() const {
  std::ostringstream out;
  Print(out);
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const LedgerCounts& counts) {
  counts.Print(out);
  return out;
}

LedgerCounts CheckLedger(pqxx::transaction_base& txn, const std::vector<std::string>& orders_shoppers_saw) {
  LedgerCounts counts;
  counts.orders_lost = txn.exec_params1(kOrdersLost, TextArray(orders_shoppers_saw))[0].as<std::int64_t>();
  counts.stuck_orders = Count(txn, kStuckOrders);
  counts.money_held_on_failed_orders = Count(txn, kMoneyHeldOnFailedOrders);
  counts.confirmed_without_one_live_payment = Count(txn, kConfirmedWithoutOneLivePayment);
  counts.captured_or_refunded_beyond_authorized = Count(txn, kCapturedOrRefundedBeyondAuthorized);
  counts.units_oversold = Count(txn, kUnitsOversold);
  counts.confirmed_without_committed_stock = Count(txn, kConfirmedWithoutCommittedStock);
  counts.confirmed_without_one_live_shipment = Count(txn, kConfirmedWithoutOneLiveShipment);
  for (const auto& row : txn.exec(kOutboxSchemas)) {
    counts.outbox_unpublished += Count(txn, UnpublishedIn(txn, row[0].as<std::string>()));
  }
  counts.events_applied_twice =
      txn.exec_params1(kEventsAppliedTwice, std::string(events::types::kReservationCommitted),
                       std::string(events::types::kReservationReleased))[0]
          .as<std::int64_t>();
  return counts;
}

LedgerCounts CheckLedger(pqxx::connection& connection, const std::vector<std::string>& orders_shoppers_saw) {
  // One snapshot for all ten: counted one after another under READ COMMITTED, a change landing
  // between two queries (a straggling consumer) could make two counts disagree about one order.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(connection, "chaos ledger");
  LedgerCounts counts = CheckLedger(txn, orders_shoppers_saw);
  txn.commit();
  return counts;
}

}  // namespace storefront::chaos
