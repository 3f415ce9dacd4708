// The catalog's gRPC transport: validates the wire shape, maps proto <-> domain, and leaves
// error mapping to storefront::rpc::Handle.
#pragma once

#include "domain/catalog.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::catalog::api {

namespace pb = ::storefront::catalog::v1;

class CatalogApi final : public pb::CatalogService::Service {
 public:
  explicit CatalogApi(domain::Catalog& catalog) : catalog_(catalog) {}

  grpc::Status ListProducts(grpc::ServerContext*, const pb::ListProductsRequest*, pb::ListProductsResponse*) override;
  grpc::Status GetProduct(grpc::ServerContext*, const pb::GetProductRequest*, pb::Product*) override;
  grpc::Status BatchGetProducts(grpc::ServerContext*, const pb::BatchGetProductsRequest*,
                                pb::BatchGetProductsResponse*) override;
  grpc::Status ListCategories(grpc::ServerContext*, const pb::ListCategoriesRequest*,
                              pb::ListCategoriesResponse*) override;
  grpc::Status CreateProduct(grpc::ServerContext*, const pb::CreateProductRequest*, pb::Product*) override;
  grpc::Status UpdateProduct(grpc::ServerContext*, const pb::UpdateProductRequest*, pb::Product*) override;
  grpc::Status DeactivateProduct(grpc::ServerContext*, const pb::DeactivateProductRequest*, pb::Product*) override;

 private:
  domain::Catalog& catalog_;
};

// Mapping helpers, exposed for tests.
void ToProto(const domain::Product& product, pb::Product* out);
domain::ProductPatch PatchFromProto(const pb::UpdateProductRequest& request);

}  // namespace storefront::catalog::api
