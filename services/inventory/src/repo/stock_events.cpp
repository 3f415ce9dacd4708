#include "repo/stock_events.h"

#include <stdexcept>

#include "shared/events/outbox.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/inventory_events.pb.h"

namespace storefront::inventory::repo {
namespace {

namespace ev = storefront::events::v1;
using domain::ReleaseReason;
using domain::StockChangeCause;

constexpr const char* kSchema = "inventory";
constexpr const char* kProducer = "inventory";

void Append(pqxx::transaction_base& txn, std::string_view type, const char* aggregate_type,
            const std::string& aggregate_id, const google::protobuf::Message& payload) {
  events::Append(txn, kSchema, kProducer,
                 {std::string(events::kStockTopic), std::string(type), aggregate_type, aggregate_id, &payload, ""});
}

ev::StockChangeCause ToProto(StockChangeCause cause) {
  switch (cause) {
    case StockChangeCause::kReserved: return ev::STOCK_CHANGE_CAUSE_RESERVED;
    case StockChangeCause::kCommitted: return ev::STOCK_CHANGE_CAUSE_COMMITTED;
    case StockChangeCause::kReleased: return ev::STOCK_CHANGE_CAUSE_RELEASED;
    case StockChangeCause::kAdjusted: return ev::STOCK_CHANGE_CAUSE_ADJUSTED;
  }
  return ev::STOCK_CHANGE_CAUSE_UNSPECIFIED;
}

ev::ReservationReleaseReason ToProto(ReleaseReason reason) {
  switch (reason) {
    case ReleaseReason::kCheckoutFailed: return ev::RESERVATION_RELEASE_REASON_CHECKOUT_FAILED;
    case ReleaseReason::kOrderCancelled: return ev::RESERVATION_RELEASE_REASON_ORDER_CANCELLED;
    case ReleaseReason::kExpired: return ev::RESERVATION_RELEASE_REASON_EXPIRED;
    case ReleaseReason::kNone: break;
  }
  throw std::logic_error("a released reservation must have a release reason");
}

template <typename Event>
void ReservationBasics(const domain::Reservation& reservation, Event* event) {
  event->set_reservation_id(reservation.id);
  event->set_order_id(reservation.order_id);
  for (const auto& line : reservation.lines) {
    auto* out = event->add_lines();
    out->set_product_id(line.product_id);
    out->set_quantity(line.quantity);
  }
}

}  // namespace

void AnnounceStockMove(pqxx::transaction_base& txn, const domain::StockMove& move, StockChangeCause cause,
                       const std::string& reference_id) {
  const auto& level = move.after;
  ev::StockChanged changed;
  changed.set_product_id(level.product_id);
  changed.set_on_hand(level.on_hand);
  changed.set_reserved(level.reserved);
  changed.set_available(level.available());
  changed.set_low_stock_threshold(level.low_stock_threshold);
  changed.set_cause(ToProto(cause));
  changed.set_reference_id(reference_id);
  Append(txn, events::types::kStockChanged, "stock", level.product_id, changed);

  if (move.CrossedIntoLowStock()) {
    ev::LowStock low;
    low.set_product_id(level.product_id);
    low.set_available(level.available());
    low.set_low_stock_threshold(level.low_stock_threshold);
    Append(txn, events::types::kLowStock, "stock", level.product_id, low);
  }
}

void AnnounceReservationCommitted(pqxx::transaction_base& txn, const domain::Reservation& reservation) {
  ev::ReservationCommitted committed;
  ReservationBasics(reservation, &committed);
  Append(txn, events::types::kReservationCommitted, "reservation", reservation.order_id, committed);
}

void AnnounceReservationReleased(pqxx::transaction_base& txn, const domain::Reservation& reservation,
                                 bool was_committed) {
  ev::ReservationReleased released;
  ReservationBasics(reservation, &released);
  released.set_reason(ToProto(reservation.release_reason));
  released.set_was_committed(was_committed);
  Append(txn, events::types::kReservationReleased, "reservation", reservation.order_id, released);
}

}  // namespace storefront::inventory::repo
