// What inventory announces, mapped from domain types to the event contracts
// (proto/storefront/events/v1/inventory_events.proto) and appended to inventory.outbox in the
// caller's transaction: the event exists if and only if the change it describes committed.
//
// Topic storefront.inventory.stock.v1. Aggregates and keys:
//  - "stock", keyed by product id: StockChanged for every product whose on_hand or reserved moved
//    (one per product per transaction), LowStock when available crossed down to its threshold;
//  - "reservation", keyed by the ORDER id: ReservationCommitted, ReservationReleased. An order has
//    at most one reservation, and checkout (the consumer that cares) correlates by order, so the
//    order id keeps one order's reservation events in order on one partition.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "domain/stock.h"

namespace storefront::inventory::repo {

// StockChanged (absolute levels after the change, with its cause and the reservation or
// adjustment id behind it), then LowStock when the move crossed into low stock.
void AnnounceStockMove(pqxx::transaction_base& txn, const domain::StockMove& move, domain::StockChangeCause cause,
                       const std::string& reference_id);
void AnnounceReservationCommitted(pqxx::transaction_base& txn, const domain::Reservation& reservation);
// `reservation` as it is after the release (state RELEASED, with its reason).
void AnnounceReservationReleased(pqxx::transaction_base& txn, const domain::Reservation& reservation,
                                 bool was_committed);

}  // namespace storefront::inventory::repo
