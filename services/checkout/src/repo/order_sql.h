// SQL the order store and the read model's store share: statuses that only move forward, and
// appending to an order's timeline. Every writer takes the order's row lock first (its UPDATE of
// `orders`), so appends to one order's timeline never race.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "domain/order.h"
#include "shared/types/time.h"

namespace storefront::checkout::repo {

// The order's payment and shipment statuses in the order they can happen: a write of an earlier
// one than what is stored (a saga's stale copy, an event that arrived late) changes nothing.
inline constexpr const char* kPaymentProgress =
    "ARRAY['', 'FAILED', 'DECLINED', 'AUTHORIZED', 'VOIDED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED']::text[]";
inline constexpr const char* kShipmentProgress =
    "ARRAY['', 'LABEL_CREATED', 'CANCELLED', 'DISPATCHED', 'DELIVERED']::text[]";

// "column = <param> if that is not a step back, else column": for an UPDATE's SET list.
inline std::string ForwardOnly(const std::string& column, const char* progress, const std::string& param) {
  return column + " = CASE WHEN array_position(" + progress + ", " + param + ") >= array_position(" + progress +
         ", " + column + ") THEN " + param + " ELSE " + column + " END";
}

// Appends an entry to the order's timeline unless the very same entry (status, note, time) is
// there: a saga's copy of the timeline may miss entries events added, and its older entries are
// stored already. Call with the order's row locked.
inline void AppendTimeline(pqxx::transaction_base& txn, const std::string& order_id, const domain::TimelineEntry& entry) {
  txn.exec_params(
      "INSERT INTO order_timeline (order_id, position, status, note, at)"
      " SELECT $1::uuid, (SELECT coalesce(max(position) + 1, 0) FROM order_timeline WHERE order_id = $1::uuid),"
      "        $2, $3, " STOREFRONT_SQL_TIMESTAMP(4)
      " WHERE NOT EXISTS (SELECT 1 FROM order_timeline WHERE order_id = $1::uuid AND status = $2 AND note = $3"
      "                   AND at = " STOREFRONT_SQL_TIMESTAMP(4) ")",
      order_id, domain::ToString(entry.status), entry.note, types::ToMicros(entry.at));
}

}  // namespace storefront::checkout::repo
