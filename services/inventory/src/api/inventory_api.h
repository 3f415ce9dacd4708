// Inventory's gRPC transport: maps proto <-> domain (enums included) and leaves validation to
// the domain and error mapping to storefront::rpc::Handle.
#pragma once

#include "domain/inventory.h"
#include "storefront/inventory/v1/inventory.grpc.pb.h"

namespace storefront::inventory::api {

namespace pb = ::storefront::inventory::v1;

class InventoryApi final : public pb::InventoryService::Service {
 public:
  explicit InventoryApi(domain::Inventory& inventory) : inventory_(inventory) {}

  grpc::Status GetStockLevels(grpc::ServerContext*, const pb::GetStockLevelsRequest*,
                              pb::GetStockLevelsResponse*) override;
  grpc::Status ListLowStock(grpc::ServerContext*, const pb::ListLowStockRequest*, pb::ListLowStockResponse*) override;
  grpc::Status ListAdjustments(grpc::ServerContext*, const pb::ListAdjustmentsRequest*,
                               pb::ListAdjustmentsResponse*) override;
  grpc::Status ReserveStock(grpc::ServerContext*, const pb::ReserveStockRequest*, pb::ReserveStockResponse*) override;
  grpc::Status CommitReservation(grpc::ServerContext*, const pb::CommitReservationRequest*,
                                 pb::Reservation*) override;
  grpc::Status ReleaseReservation(grpc::ServerContext*, const pb::ReleaseReservationRequest*,
                                  pb::Reservation*) override;
  grpc::Status AdjustStock(grpc::ServerContext*, const pb::AdjustStockRequest*, pb::AdjustStockResponse*) override;
  grpc::Status ListStockLevels(grpc::ServerContext*, const pb::ListStockLevelsRequest*,
                               pb::ListStockLevelsResponse*) override;

 private:
  domain::Inventory& inventory_;
};

// Mapping helpers, exposed for tests.
void ToProto(const domain::StockLevel& level, pb::StockLevel* out);
void ToProto(const domain::Reservation& reservation, pb::Reservation* out);
void ToProto(const domain::StockAdjustment& adjustment, pb::StockAdjustment* out);
// Unknown or unspecified wire values map to what the domain rejects (kNone, nullopt).
domain::ReleaseReason FromProto(pb::ReleaseReason reason);
std::optional<domain::AdjustmentReason> FromProto(pb::AdjustmentReason reason);

}  // namespace storefront::inventory::api
