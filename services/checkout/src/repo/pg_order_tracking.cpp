#include "repo/pg_order_tracking.h"

#include "repo/order_sql.h"
#include "shared/db/statement.h"

namespace storefront::checkout::repo {

// Forward only: a late or redelivered event (a LABEL_CREATED after DISPATCHED) changes nothing.
void PgOrderTracking::SetShipmentStatus(const std::string& order_id, domain::ShipmentStatus status) {
  db::Exec(txn_, "UPDATE orders SET " + ForwardOnly("shipment_status", kShipmentProgress, "$2") +
                     ", updated_at = now() WHERE id = $1::uuid",
                 order_id, domain::ToString(status));
}

void PgOrderTracking::SetPaymentStatus(const std::string& order_id, domain::PaymentStatus status) {
  db::Exec(txn_, "UPDATE orders SET " + ForwardOnly("payment_status", kPaymentProgress, "$2") +
                     ", updated_at = now() WHERE id = $1::uuid",
                 order_id, domain::ToString(status));
}

bool PgOrderTracking::Advance(const std::string& order_id, const std::vector<domain::OrderStatus>& from,
                              domain::OrderStatus to, const std::string& note) {
  std::string from_list = "{";
  for (auto status : from) from_list += std::string(from_list.size() > 1 ? "," : "") + domain::ToString(status);
  from_list += "}";
  // Only an order still in one of `from` moves, so a redelivered or late event changes nothing.
  auto moved = db::Exec(txn_,
      "UPDATE orders SET status = $3 WHERE id = $1::uuid AND status = ANY($2::text[]) RETURNING id", order_id,
      from_list, domain::ToString(to));
  if (moved.empty()) return false;
  AppendTimeline(txn_, order_id, {to, note, std::chrono::floor<std::chrono::microseconds>(types::SystemNow())});
  return true;
}

}  // namespace storefront::checkout::repo
