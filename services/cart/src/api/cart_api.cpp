#include "api/cart_api.h"

#include <google/protobuf/util/time_util.h>

#include "shared/rpc/server.h"
#include "shared/rpc/status.h"

namespace storefront::cart::api {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(domain::Timestamp at) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

void ToProto(const domain::Money& money, storefront::common::v1::Money* out) {
  out->set_amount_minor(money.amount_minor);
  out->set_currency(money.currency);
}

}  // namespace

void ToProto(const domain::Cart& cart, pb::Cart* out) {
  out->set_customer_id(cart.customer_id);
  for (const auto& item : cart.items) {
    auto* line = out->add_items();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
    ToProto(item.unit_price, line->mutable_unit_price());
    ToProto(item.LineTotal(), line->mutable_line_total());
    *line->mutable_added_at() = ToProto(item.added_at);
  }
  ToProto(cart.Subtotal(), out->mutable_subtotal());
  out->set_item_count(cart.ItemCount());
  if (cart.updated_at) *out->mutable_updated_at() = ToProto(*cart.updated_at);
}

grpc::Status CartApi::GetCart(grpc::ServerContext*, const pb::GetCartRequest* request, pb::Cart* response) {
  return rpc::Handle([&] { ToProto(carts_.GetCart(request->customer_id()), response); });
}

grpc::Status CartApi::AddItem(grpc::ServerContext* context, const pb::AddItemRequest* request, pb::Cart* response) {
  return rpc::Handle([&] {
    ToProto(carts_.AddItem({.customer_id = request->customer_id(),
                            .product_id = request->product_id(),
                            .quantity = request->quantity(),
                            .request_id = rpc::RequestId(*context)}),
            response);
  });
}

grpc::Status CartApi::UpdateItemQuantity(grpc::ServerContext*, const pb::UpdateItemQuantityRequest* request,
                                         pb::Cart* response) {
  return rpc::Handle([&] {
    ToProto(carts_.UpdateItemQuantity(request->customer_id(), request->product_id(), request->quantity()), response);
  });
}

grpc::Status CartApi::RemoveItem(grpc::ServerContext*, const pb::RemoveItemRequest* request, pb::Cart* response) {
  return rpc::Handle([&] { ToProto(carts_.RemoveItem(request->customer_id(), request->product_id()), response); });
}

grpc::Status CartApi::ClearCart(grpc::ServerContext*, const pb::ClearCartRequest* request, pb::Cart* response) {
  return rpc::Handle([&] { ToProto(carts_.ClearCart(request->customer_id()), response); });
}

}  // namespace storefront::cart::api
