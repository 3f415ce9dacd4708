#include "routes/admin/products.h"

#include <set>

#include "http/json_fields.h"
#include "shared/log/log.h"
#include "shared/types/uuid.h"

namespace storefront::gateway::routes::admin {
namespace {

namespace catalogpb = storefront::catalog::v1;

// An operator's change through this gateway drops what its read cache holds of the product at
// once, whatever the answer (a change that timed out may still have been made); the other
// replicas hear of it from the product's event.
std::function<void(const grpc::Status&, catalogpb::Product&)> Dropping(
    const AdminClients& c, std::string product_id, std::function<void(const grpc::Status&, catalogpb::Product&)> answer) {
  return [cache = c.read_cache, product_id = std::move(product_id), answer = std::move(answer)](
             const grpc::Status& status, catalogpb::Product& product) {
    if (cache) {
      if (status.ok()) cache->InvalidateProduct(types::NormalizeUuid(product.id()));
      else if (!product_id.empty()) cache->InvalidateProduct(types::NormalizeUuid(product_id));
      else cache->InvalidateAll();
    }
    answer(status, product);
  };
}

void ListProducts(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  catalogpb::ListProductsRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (const auto* query = Query(request, "query")) upstream.set_query(*query);
  if (const auto* category = Query(request, "category")) upstream.set_category_id(*category);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_include_inactive(true);
  auto catalog = c.catalog;
  catalog->Async<catalogpb::ListProductsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(catalog, ListProducts),
      Answer<catalogpb::ListProductsResponse>(out, "catalog", Code::Ok, [](auto& response) {
        return PageJson(response.products(), response.next_page_token(), ProductJson);
      }));
}

void CreateProduct(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Errors errors;
  auto upstream = ReadNewProduct(Body(request), errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  log::Info("operator creates a product", {{"request_id", request.request_id}, {"operator", who.email},
                                           {"sku", upstream.sku()}});
  auto catalog = c.catalog;
  catalog->Async<catalogpb::Product>(For(request), std::move(upstream),
                                     STOREFRONT_CALL(catalog, CreateProduct),
                                     Dropping(c, "", Answer<catalogpb::Product>(out, "catalog", Code::Created, ProductJson)));
}

void UpdateProduct(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto id = PathUuid(request, "id", "product", *out);
  if (!id) return;
  Errors errors;
  auto upstream = ReadProductPatch(Body(request), errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_id(*id);
  auto catalog = c.catalog;
  catalog->Async<catalogpb::Product>(For(request), std::move(upstream),
                                     STOREFRONT_CALL(catalog, UpdateProduct),
                                     Dropping(c, *id, Answer<catalogpb::Product>(out, "catalog", Code::Ok, ProductJson)));
}

void DeactivateProduct(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto id = PathUuid(request, "id", "product", *out);
  if (!id) return;
  catalogpb::DeactivateProductRequest upstream;
  upstream.set_id(*id);
  auto catalog = c.catalog;
  catalog->Async<catalogpb::Product>(For(request), std::move(upstream),
                                     STOREFRONT_CALL(catalog, DeactivateProduct),
                                     Dropping(c, *id, Answer<catalogpb::Product>(out, "catalog", Code::Ok, ProductJson)));
}

}  // namespace

catalogpb::CreateProductRequest ReadNewProduct(const nlohmann::json* body, Errors& errors) {
  http::JsonFields fields(body, "", errors);
  catalogpb::CreateProductRequest product;
  product.set_sku(fields.String("sku", 3, 32));  // its pattern (A-Z, 0-9, -) is the catalog's rule
  product.set_name(fields.String("name", 1, 200));
  product.set_description(fields.String("description", 0, 5000, /*required=*/false, /*multiline=*/true));
  MoneyFields(fields.Object("price"), "price", product.mutable_price(), 0, errors);
  product.set_category_id(fields.String("category_id", 1, 40));
  product.set_image_url(fields.String("image_url", 0, 2048, /*required=*/false));
  return product;
}

catalogpb::UpdateProductRequest ReadProductPatch(const nlohmann::json* body, Errors& errors) {
  http::JsonFields fields(body, "", errors);
  catalogpb::UpdateProductRequest request;
  auto* product = request.mutable_product();
  auto* mask = request.mutable_update_mask();
  static const std::set<std::string> kChangeable = {"name", "description", "price", "category_id", "image_url", "active"};
  for (const auto& name : fields.Names()) {
    if (!kChangeable.count(name)) {
      errors.push_back({name.substr(0, 64), "cannot be changed; send any of name, description, price, category_id, "
                                            "image_url, active"});
    }
  }
  if (fields.Has("name")) {
    product->set_name(fields.String("name", 1, 200));
    mask->add_paths("name");
  }
  if (fields.Has("description")) {
    product->set_description(fields.String("description", 0, 5000, true, /*multiline=*/true));
    mask->add_paths("description");
  }
  if (fields.Has("price")) {
    MoneyFields(fields.Object("price"), "price", product->mutable_price(), 0, errors);
    mask->add_paths("price");
  }
  if (fields.Has("category_id")) {
    product->set_category_id(fields.String("category_id", 1, 40));
    mask->add_paths("category_id");
  }
  if (fields.Has("image_url")) {
    product->set_image_url(fields.String("image_url", 0, 2048));
    mask->add_paths("image_url");
  }
  if (fields.Has("active")) {
    product->set_active(fields.Boolean("active"));
    mask->add_paths("active");
  }
  if (mask->paths_size() == 0 && errors.empty()) {
    errors.push_back({"body", "must hold at least one of name, description, price, category_id, image_url, active"});
  }
  return request;
}

void AddProductRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/products", ListProducts);
  routes.Add(Method::Post, "/api/v1/admin/products", CreateProduct);
  routes.Add(Method::Patch, "/api/v1/admin/products/:id", UpdateProduct);
  routes.Add(Method::Post, "/api/v1/admin/products/:id/deactivate", DeactivateProduct);
}

}  // namespace storefront::gateway::routes::admin
