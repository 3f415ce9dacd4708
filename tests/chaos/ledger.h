// The chaos run's ledger check (issue 11: "Money and stock stay right under every fault").
//
// After a chaos run has driven shoppers through checkout while processes were killed and frozen,
// and the store has settled, CheckLedger reads every service's schema at once and counts what
// must never be: an order a shopper was told about that does not exist, money held for an order
// that ended, stock sold twice, an event applied twice. Each count is 0 in a healthy store; each
// names one kind of fault, and ledger.cpp holds one named query per count with the evidence it
// reads. README.md in this folder explains each count.
//
// It reads across schemas, which no service may do, so it needs a role that can read them all
// (the superuser in tests and in the chaos run). It only reads.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace storefront::chaos {

struct LedgerCounts {
  // Order ids the shopper saw a 201 for that have no row in checkout.orders.
  std::int64_t orders_lost = 0;
  // Orders still PENDING, RESERVED or PAYMENT_AUTHORIZED after the store settled.
  std::int64_t stuck_orders = 0;
  // Payments still holding money (authorized, or captured and not all refunded) whose order
  // FAILED, was CANCELLED, or does not exist.
  std::int64_t money_held_on_failed_orders = 0;
  // CONFIRMED, SHIPPED or DELIVERED orders without exactly one live payment for their total.
  std::int64_t confirmed_without_one_live_payment = 0;
  // Payments that captured more than was authorized, or refunded more than was captured.
  std::int64_t captured_or_refunded_beyond_authorized = 0;
  // Stock rows out of bounds, holds missing from stock.reserved, order lines sold beyond what
  // their committed reservation took from stock (places, not units: see ledger.cpp).
  std::int64_t units_oversold = 0;
  // CONFIRMED, SHIPPED or DELIVERED orders whose reservation is not committed.
  std::int64_t confirmed_without_committed_stock = 0;
  // CONFIRMED, SHIPPED or DELIVERED orders without exactly one shipment that is not cancelled.
  std::int64_t confirmed_without_one_live_shipment = 0;
  // Outbox rows never published, over every schema that has an outbox.
  std::int64_t outbox_unpublished = 0;
  // Something that happens once per payment, reservation or order recorded twice.
  std::int64_t events_applied_twice = 0;

  // Every count with its name, in the order above.
  std::vector<std::pair<std::string_view, std::int64_t>> Named() const;
  std::int64_t Total() const;
  // One "name = value" line per count, in the order above.
  std::string ToString() const;
  void Print(std::ostream& out) const;

  bool operator==(const LedgerCounts&) const = default;
};

std::ostream& operator<<(std::ostream& out, const LedgerCounts& counts);

// Runs every count in one read-only REPEATABLE READ transaction, so all ten see the same
// snapshot of every schema. `orders_shoppers_saw`: the order ids the chaos driver got a 201 for.
LedgerCounts CheckLedger(pqxx::connection& connection, const std::vector<std::string>& orders_shoppers_saw);

// The same, inside the caller's transaction (which decides the snapshot), so a test can plant a
// fault and count it without committing.
LedgerCounts CheckLedger(pqxx::transaction_base& txn, const std::vector<std::string>& orders_shoppers_saw);

}  // namespace storefront::chaos
