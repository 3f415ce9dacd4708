// The catalog service as the cart's domain sees it (domain::ProductCatalog), over gRPC.
// Every call carries the deadline the Client was made with and the caller's request id.
#pragma once

#include "domain/ports.h"
#include "shared/rpc/client.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::cart::clients {

using CatalogClient = rpc::Client<storefront::catalog::v1::CatalogService>;

class GrpcProductCatalog final : public domain::ProductCatalog {
 public:
  explicit GrpcProductCatalog(CatalogClient client) : client_(std::move(client)) {}

  // NOT_FOUND from the catalog is nullopt; any other failure (unreachable, deadline exceeded,
  // an error of its own) is Unavailable: the cart cannot price the line now, later it may.
  std::optional<domain::CatalogProduct> Find(const std::string& product_id, const std::string& request_id) override;

 private:
  CatalogClient client_;
};

}  // namespace storefront::cart::clients
