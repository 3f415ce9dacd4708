#include "repo/pg_order_tracking.h"

namespace storefront::checkout::repo {

void PgOrderTracking::SetShipmentStatus(const std::string& order_id, domain::ShipmentStatus status) {
  txn_.exec_params("UPDATE orders SET shipment_status = $2, updated_at = now() WHERE id = $1::uuid", order_id,
                   domain::ToString(status));
}

void PgOrderTracking::SetPaymentStatus(const std::string& order_id, domain::PaymentStatus status) {
  txn_.exec_params("UPDATE orders SET payment_status = $2, updated_at = now() WHERE id = $1::uuid", order_id,
                   domain::ToString(status));
}

bool PgOrderTracking::Advance(const std::string& order_id, const std::vector<domain::OrderStatus>& from,
                              domain::OrderStatus to, const std::string& note) {
  std::string from_list = "{";
  for (auto status : from) from_list += std::string(from_list.size() > 1 ? "," : "") + domain::ToString(status);
  from_list += "}";
  // Only an order still in one of `from` moves, so a redelivered or late event changes nothing.
  auto moved = txn_.exec_params(
      "UPDATE orders SET status = $3 WHERE id = $1::uuid AND status = ANY($2::text[]) RETURNING id", order_id,
      from_list, domain::ToString(to));
  if (moved.empty()) return false;
  txn_.exec_params(
      "INSERT INTO order_timeline (order_id, position, status, note, at)"
      " SELECT $1::uuid, coalesce(max(position) + 1, 0), $2, $3, now() FROM order_timeline WHERE order_id = $1::uuid",
      order_id, domain::ToString(to), note);
  return true;
}

}  // namespace storefront::checkout::repo
