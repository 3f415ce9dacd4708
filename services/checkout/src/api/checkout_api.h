// The checkout's gRPC transport: maps proto requests to the domain's commands and its results to
// proto (api/order_mapping.h); the domain validates, and rpc::Handle maps its errors to statuses.
#pragma once

#include "domain/checkout.h"
#include "storefront/checkout/v1/checkout.grpc.pb.h"

namespace storefront::checkout::api {

namespace pb = ::storefront::checkout::v1;

class CheckoutApi final : public pb::CheckoutService::Service {
 public:
  explicit CheckoutApi(domain::Checkout& checkout) : checkout_(checkout) {}

  grpc::Status PlaceOrder(grpc::ServerContext*, const pb::PlaceOrderRequest*, pb::Order*) override;
  grpc::Status GetOrder(grpc::ServerContext*, const pb::GetOrderRequest*, pb::Order*) override;
  grpc::Status ListOrders(grpc::ServerContext*, const pb::ListOrdersRequest*, pb::ListOrdersResponse*) override;
  grpc::Status CancelOrder(grpc::ServerContext*, const pb::CancelOrderRequest*, pb::Order*) override;
  grpc::Status RefundOrder(grpc::ServerContext*, const pb::RefundOrderRequest*, pb::Order*) override;
  grpc::Status SalesReport(grpc::ServerContext*, const pb::SalesReportRequest*, pb::SalesReportResponse*) override;

 private:
  domain::Checkout& checkout_;
};

}  // namespace storefront::checkout::api
