#include "api/inventory_api.h"

#include "shared/rpc/status.h"
#include "shared/types/proto.h"

namespace storefront::inventory::api {
namespace {

pb::ReservationState ToProto(domain::ReservationState state) {
  switch (state) {
    case domain::ReservationState::kActive: return pb::RESERVATION_STATE_ACTIVE;
    case domain::ReservationState::kCommitted: return pb::RESERVATION_STATE_COMMITTED;
    case domain::ReservationState::kReleased: return pb::RESERVATION_STATE_RELEASED;
  }
  return pb::RESERVATION_STATE_UNSPECIFIED;
}

pb::ReleaseReason ToProto(domain::ReleaseReason reason) {
  switch (reason) {
    case domain::ReleaseReason::kNone: return pb::RELEASE_REASON_UNSPECIFIED;
    case domain::ReleaseReason::kCheckoutFailed: return pb::RELEASE_REASON_CHECKOUT_FAILED;
    case domain::ReleaseReason::kOrderCancelled: return pb::RELEASE_REASON_ORDER_CANCELLED;
    case domain::ReleaseReason::kExpired: return pb::RELEASE_REASON_EXPIRED;
  }
  return pb::RELEASE_REASON_UNSPECIFIED;
}

pb::AdjustmentReason ToProto(domain::AdjustmentReason reason) {
  switch (reason) {
    case domain::AdjustmentReason::kRestock: return pb::ADJUSTMENT_REASON_RESTOCK;
    case domain::AdjustmentReason::kCount: return pb::ADJUSTMENT_REASON_COUNT;
    case domain::AdjustmentReason::kDamaged: return pb::ADJUSTMENT_REASON_DAMAGED;
    case domain::AdjustmentReason::kReturned: return pb::ADJUSTMENT_REASON_RETURNED;
  }
  return pb::ADJUSTMENT_REASON_UNSPECIFIED;
}

}  // namespace

void ToProto(const domain::StockLevel& level, pb::StockLevel* out) {
  out->set_product_id(level.product_id);
  out->set_on_hand(level.on_hand);
  out->set_reserved(level.reserved);
  out->set_available(level.available());
  out->set_low_stock_threshold(level.low_stock_threshold);
  *out->mutable_updated_at() = types::ToProto(level.updated_at);
}

void ToProto(const domain::Reservation& reservation, pb::Reservation* out) {
  out->set_id(reservation.id);
  out->set_order_id(reservation.order_id);
  for (const auto& line : reservation.lines) {
    auto* l = out->add_lines();
    l->set_product_id(line.product_id);
    l->set_quantity(line.quantity);
  }
  out->set_state(ToProto(reservation.state));
  out->set_release_reason(ToProto(reservation.release_reason));
  *out->mutable_expires_at() = types::ToProto(reservation.expires_at);
  *out->mutable_created_at() = types::ToProto(reservation.created_at);
  *out->mutable_updated_at() = types::ToProto(reservation.updated_at);
}

void ToProto(const domain::StockAdjustment& adjustment, pb::StockAdjustment* out) {
  out->set_id(adjustment.id);
  out->set_product_id(adjustment.product_id);
  out->set_delta(adjustment.delta);
  out->set_reason(ToProto(adjustment.reason));
  out->set_note(adjustment.note);
  out->set_actor(adjustment.actor);
  out->set_on_hand_after(adjustment.on_hand_after);
  *out->mutable_created_at() = types::ToProto(adjustment.created_at);
}

domain::ReleaseReason FromProto(pb::ReleaseReason reason) {
  switch (reason) {
    case pb::RELEASE_REASON_CHECKOUT_FAILED: return domain::ReleaseReason::kCheckoutFailed;
    case pb::RELEASE_REASON_ORDER_CANCELLED: return domain::ReleaseReason::kOrderCancelled;
    case pb::RELEASE_REASON_EXPIRED: return domain::ReleaseReason::kExpired;
    default: return domain::ReleaseReason::kNone;
  }
}

std::optional<domain::AdjustmentReason> FromProto(pb::AdjustmentReason reason) {
  switch (reason) {
    case pb::ADJUSTMENT_REASON_RESTOCK: return domain::AdjustmentReason::kRestock;
    case pb::ADJUSTMENT_REASON_COUNT: return domain::AdjustmentReason::kCount;
    case pb::ADJUSTMENT_REASON_DAMAGED: return domain::AdjustmentReason::kDamaged;
    case pb::ADJUSTMENT_REASON_RETURNED: return domain::AdjustmentReason::kReturned;
    default: return std::nullopt;
  }
}

grpc::Status InventoryApi::GetStockLevels(grpc::ServerContext* context, const pb::GetStockLevelsRequest* request,
                                          pb::GetStockLevelsResponse* response) {
  return rpc::Handle(context, [&] {
    std::vector<std::string> ids(request->product_ids().begin(), request->product_ids().end());
    for (const auto& level : inventory_.GetStockLevels(ids)) ToProto(level, response->add_levels());
  });
}

grpc::Status InventoryApi::ListLowStock(grpc::ServerContext* context, const pb::ListLowStockRequest* request,
                                        pb::ListLowStockResponse* response) {
  return rpc::Handle(context, [&] {
    auto result = inventory_.ListLowStock(request->page_size(), request->page_token());
    for (const auto& level : result.levels) ToProto(level, response->add_levels());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status InventoryApi::ListStockLevels(grpc::ServerContext* context, const pb::ListStockLevelsRequest* request,
                                           pb::ListStockLevelsResponse* response) {
  return rpc::Handle(context, [&] {
    auto result = inventory_.ListStockLevels(request->page_size(), request->page_token());
    for (const auto& level : result.levels) ToProto(level, response->add_levels());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status InventoryApi::ListAdjustments(grpc::ServerContext* context, const pb::ListAdjustmentsRequest* request,
                                           pb::ListAdjustmentsResponse* response) {
  return rpc::Handle(context, [&] {
    auto result = inventory_.ListAdjustments(request->product_id(), request->page_size(), request->page_token());
    for (const auto& adjustment : result.adjustments) ToProto(adjustment, response->add_adjustments());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status InventoryApi::ReserveStock(grpc::ServerContext* context, const pb::ReserveStockRequest* request,
                                        pb::ReserveStockResponse* response) {
  return rpc::Handle(context, [&] {
    domain::ReserveRequest reserve{request->order_id(), {}, request->ttl_seconds()};
    for (const auto& line : request->lines()) reserve.lines.push_back({line.product_id(), line.quantity()});
    auto result = inventory_.ReserveStock(reserve);
    if (result.reservation) {
      ToProto(*result.reservation, response->mutable_reservation());
      return;
    }
    // Running out is an expected outcome, answered with the numbers checkout shows the shopper.
    auto* insufficient = response->mutable_insufficient_stock();
    for (const auto& shortage : result.shortages) {
      auto* s = insufficient->add_shortages();
      s->set_product_id(shortage.product_id);
      s->set_requested(shortage.requested);
      s->set_available(shortage.available);
    }
  });
}

grpc::Status InventoryApi::CommitReservation(grpc::ServerContext* context, const pb::CommitReservationRequest* request,
                                             pb::Reservation* response) {
  return rpc::Handle(context, [&] { ToProto(inventory_.CommitReservation(request->reservation_id()), response); });
}

grpc::Status InventoryApi::ReleaseReservation(grpc::ServerContext* context, const pb::ReleaseReservationRequest* request,
                                              pb::Reservation* response) {
  return rpc::Handle(context, [&] {
    ToProto(inventory_.ReleaseReservation(request->reservation_id(), FromProto(request->reason())), response);
  });
}

grpc::Status InventoryApi::AdjustStock(grpc::ServerContext* context, const pb::AdjustStockRequest* request,
                                       pb::AdjustStockResponse* response) {
  return rpc::Handle(context, [&] {
    auto result = inventory_.AdjustStock({.idempotency_key = request->idempotency_key(),
                                          .product_id = request->product_id(),
                                          .delta = request->delta(),
                                          .reason = FromProto(request->reason()),
                                          .note = request->note(),
                                          .actor = request->actor()});
    ToProto(result.level, response->mutable_level());
    ToProto(result.adjustment, response->mutable_adjustment());
  });
}

}  // namespace storefront::inventory::api
