#include "clients/grpc_product_catalog.h"

#include "shared/errors/errors.h"
#include "shared/log/log.h"
#include "shared/types/proto.h"

namespace storefront::cart::clients {

namespace pb = storefront::catalog::v1;

std::optional<domain::CatalogProduct> GrpcProductCatalog::Find(const std::string& product_id,
                                                               const std::string& request_id) {
  pb::GetProductRequest request;
  request.set_id(product_id);
  pb::Product product;
  grpc::Status status = client_.Call(
      request_id, [&](grpc::ClientContext* context) { return client_.stub().GetProduct(context, request, &product); });
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::nullopt;
  if (!status.ok()) {
    log::Warn("catalog call failed", {{"request_id", request_id},
                                      {"rpc", "GetProduct"},
                                      {"code", static_cast<int>(status.error_code())},
                                      {"error", status.error_message()}});
    throw Unavailable(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                          ? "the catalog did not answer in time; try again"
                          : "the catalog is unavailable; try again");
  }
  return domain::CatalogProduct{product.id(), product.sku(), product.name(), types::FromProto(product.price()),
                                product.active()};
}

}  // namespace storefront::cart::clients
