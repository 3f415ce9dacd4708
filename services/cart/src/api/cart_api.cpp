#include "api/cart_api.h"

#include "shared/rpc/server.h"
#include "shared/rpc/status.h"
#include "shared/types/proto.h"

namespace storefront::cart::api {

void ToProto(const domain::Cart& cart, pb::Cart* out) {
  out->set_customer_id(cart.customer_id);
  for (const auto& item : cart.items) {
    auto* line = out->add_items();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
    types::ToProto(item.unit_price, line->mutable_unit_price());
    types::ToProto(item.LineTotal(), line->mutable_line_total());
    *line->mutable_added_at() = types::ToProto(item.added_at);
  }
  types::ToProto(cart.Subtotal(), out->mutable_subtotal());
  out->set_item_count(cart.ItemCount());
  if (cart.updated_at) *out->mutable_updated_at() = types::ToProto(*cart.updated_at);
}

grpc::Status CartApi::GetCart(grpc::ServerContext* context, const pb::GetCartRequest* request, pb::Cart* response) {
  return rpc::Handle(context, [&] { ToProto(carts_.GetCart(request->customer_id()), response); });
}

grpc::Status CartApi::AddItem(grpc::ServerContext* context, const pb::AddItemRequest* request, pb::Cart* response) {
  return rpc::Handle(context, [&] {
    ToProto(carts_.AddItem({.customer_id = request->customer_id(),
                            .product_id = request->product_id(),
                            .quantity = request->quantity(),
                            .request_id = rpc::RequestId(*context)}),
            response);
  });
}

grpc::Status CartApi::UpdateItemQuantity(grpc::ServerContext* context, const pb::UpdateItemQuantityRequest* request,
                                         pb::Cart* response) {
  return rpc::Handle(context, [&] {
    ToProto(carts_.UpdateItemQuantity(request->customer_id(), request->product_id(), request->quantity()), response);
  });
}

grpc::Status CartApi::RemoveItem(grpc::ServerContext* context, const pb::RemoveItemRequest* request, pb::Cart* response) {
  return rpc::Handle(context, [&] { ToProto(carts_.RemoveItem(request->customer_id(), request->product_id()), response); });
}

grpc::Status CartApi::ClearCart(grpc::ServerContext* context, const pb::ClearCartRequest* request, pb::Cart* response) {
  return rpc::Handle(context, [&] { ToProto(carts_.ClearCart(request->customer_id()), response); });
}

}  // namespace storefront::cart::api
