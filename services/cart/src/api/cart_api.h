// The cart's gRPC transport: maps proto <-> domain, and leaves validation to the domain and
// error mapping to storefront::rpc::Handle.
#pragma once

#include "domain/carts.h"
#include "storefront/cart/v1/cart.grpc.pb.h"

namespace storefront::cart::api {

namespace pb = ::storefront::cart::v1;

class CartApi final : public pb::CartService::Service {
 public:
  explicit CartApi(domain::Carts& carts) : carts_(carts) {}

  grpc::Status GetCart(grpc::ServerContext*, const pb::GetCartRequest*, pb::Cart*) override;
  grpc::Status AddItem(grpc::ServerContext*, const pb::AddItemRequest*, pb::Cart*) override;
  grpc::Status UpdateItemQuantity(grpc::ServerContext*, const pb::UpdateItemQuantityRequest*, pb::Cart*) override;
  grpc::Status RemoveItem(grpc::ServerContext*, const pb::RemoveItemRequest*, pb::Cart*) override;
  grpc::Status ClearCart(grpc::ServerContext*, const pb::ClearCartRequest*, pb::Cart*) override;

 private:
  domain::Carts& carts_;
};

// Mapping helper, exposed for tests.
void ToProto(const domain::Cart& cart, pb::Cart* out);

}  // namespace storefront::cart::api
