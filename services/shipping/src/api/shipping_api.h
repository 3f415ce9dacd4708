// Shipping's gRPC transport: maps proto <-> domain (enums by switch) and leaves validation to the
// domain (all but an unknown status filter, which the domain cannot tell from "every status") and
// error mapping to storefront::rpc::Handle.
#pragma once

#include "domain/shipping.h"
#include "storefront/shipping/v1/shipping.grpc.pb.h"

namespace storefront::shipping::api {

namespace pb = ::storefront::shipping::v1;

class ShippingApi final : public pb::ShippingService::Service {
 public:
  explicit ShippingApi(domain::Shipping& shipping) : shipping_(shipping) {}

  grpc::Status GetQuotes(grpc::ServerContext*, const pb::GetQuotesRequest*, pb::GetQuotesResponse*) override;
  grpc::Status CreateShipment(grpc::ServerContext*, const pb::CreateShipmentRequest*, pb::Shipment*) override;
  grpc::Status GetShipment(grpc::ServerContext*, const pb::GetShipmentRequest*, pb::Shipment*) override;
  grpc::Status GetShipmentByOrder(grpc::ServerContext*, const pb::GetShipmentByOrderRequest*, pb::Shipment*) override;
  grpc::Status ListShipments(grpc::ServerContext*, const pb::ListShipmentsRequest*,
                             pb::ListShipmentsResponse*) override;
  grpc::Status AdvanceShipment(grpc::ServerContext*, const pb::AdvanceShipmentRequest*, pb::Shipment*) override;
  grpc::Status CancelShipment(grpc::ServerContext*, const pb::CancelShipmentRequest*, pb::Shipment*) override;

 private:
  domain::Shipping& shipping_;
};

// Mapping helpers, exposed for tests.
void ToProto(const domain::Shipment& shipment, pb::Shipment* out);
domain::NewShipmentRequest FromProto(const pb::CreateShipmentRequest& request);

}  // namespace storefront::shipping::api
