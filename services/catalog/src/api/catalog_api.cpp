#include "api/catalog_api.h"

#include "shared/rpc/status.h"
#include "shared/types/proto.h"

namespace storefront::catalog::api {

void ToProto(const domain::Product& product, pb::Product* out) {
  out->set_id(product.id);
  out->set_sku(product.sku);
  out->set_name(product.name);
  out->set_description(product.description);
  types::ToProto(product.price, out->mutable_price());
  out->set_category_id(product.category_id);
  out->set_image_url(product.image_url);
  out->set_active(product.active);
  *out->mutable_created_at() = types::ToProto(product.created_at);
  *out->mutable_updated_at() = types::ToProto(product.updated_at);
}

domain::ProductPatch PatchFromProto(const pb::UpdateProductRequest& request) {
  domain::ProductPatch patch;
  Violations violations;
  const auto& p = request.product();
  for (const auto& path : request.update_mask().paths()) {
    if (path == "name") patch.name = p.name();
    else if (path == "description") patch.description = p.description();
    else if (path == "price") {
      if (!p.has_price()) violations.Add("product.price", "is named in update_mask but not set");
      patch.price = types::FromProto(p.price());
    } else if (path == "category_id") patch.category_id = p.category_id();
    else if (path == "image_url") patch.image_url = p.image_url();
    else if (path == "active") patch.active = p.active();
    else violations.Add("update_mask", "cannot update field '" + path.substr(0, 64) + "'");
  }
  violations.ThrowIfAny();
  return patch;
}

grpc::Status CatalogApi::ListProducts(grpc::ServerContext* context, const pb::ListProductsRequest* request,
                                      pb::ListProductsResponse* response) {
  return rpc::Handle(context, [&] {
    auto result = catalog_.ListProducts({.query = request->query(),
                                         .category_id = request->category_id(),
                                         .page_size = request->page_size(),
                                         .page_token = request->page_token(),
                                         .include_inactive = request->include_inactive()});
    for (const auto& product : result.products) ToProto(product, response->add_products());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status CatalogApi::GetProduct(grpc::ServerContext* context, const pb::GetProductRequest* request,
                                    pb::Product* response) {
  return rpc::Handle(context, [&] { ToProto(catalog_.GetProduct(request->id()), response); });
}

grpc::Status CatalogApi::BatchGetProducts(grpc::ServerContext* context, const pb::BatchGetProductsRequest* request,
                                          pb::BatchGetProductsResponse* response) {
  return rpc::Handle(context, [&] {
    std::vector<std::string> ids(request->ids().begin(), request->ids().end());
    for (const auto& product : catalog_.BatchGetProducts(ids)) ToProto(product, response->add_products());
  });
}

grpc::Status CatalogApi::ListCategories(grpc::ServerContext* context, const pb::ListCategoriesRequest*,
                                        pb::ListCategoriesResponse* response) {
  return rpc::Handle(context, [&] {
    for (const auto& category : catalog_.ListCategories()) {
      auto* out = response->add_categories();
      out->set_id(category.id);
      out->set_name(category.name);
      out->set_description(category.description);
      out->set_active_product_count(category.active_product_count);
    }
  });
}

grpc::Status CatalogApi::CreateProduct(grpc::ServerContext* context, const pb::CreateProductRequest* request,
                                       pb::Product* response) {
  return rpc::Handle(context, [&] {
    if (!request->has_price()) throw InvalidArgument("price", "is required");
    domain::NewProduct product{request->sku(),         request->name(),        request->description(),
                               types::FromProto(request->price()), request->category_id(), request->image_url()};
    ToProto(catalog_.CreateProduct(product), response);
  });
}

grpc::Status CatalogApi::UpdateProduct(grpc::ServerContext* context, const pb::UpdateProductRequest* request,
                                       pb::Product* response) {
  return rpc::Handle(context, [&] { ToProto(catalog_.UpdateProduct(request->id(), PatchFromProto(*request)), response); });
}

grpc::Status CatalogApi::DeactivateProduct(grpc::ServerContext* context, const pb::DeactivateProductRequest* request,
                                           pb::Product* response) {
  return rpc::Handle(context, [&] { ToProto(catalog_.DeactivateProduct(request->id()), response); });
}

}  // namespace storefront::catalog::api
