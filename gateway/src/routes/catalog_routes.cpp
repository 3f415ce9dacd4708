#include "routes/catalog_routes.h"

#include "routes/kit.h"

namespace storefront::gateway::routes {
namespace {

namespace pb = storefront::catalog::v1;

void ListProducts(const std::shared_ptr<CatalogClient>& catalog, const http::Request& request, Out out) {
  pb::ListProductsRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (const auto* query = Query(request, "query")) upstream.set_query(*query);
  if (const auto* category = Query(request, "category")) upstream.set_category_id(*category);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  rpc::AsyncCall<pb::ListProductsResponse>(
      catalog->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(catalog, ListProducts),
      Answer<pb::ListProductsResponse>(out, "catalog", Code::Ok, [](auto& response) {
        return PageJson(response.products(), response.next_page_token(), ProductJson);
      }));
}

void GetProduct(const std::shared_ptr<CatalogClient>& catalog, const http::Request& request, Out out) {
  pb::GetProductRequest upstream;
  upstream.set_id(request.params.at("id"));  // the catalog answers NOT_FOUND for any unknown id
  rpc::AsyncCall<pb::Product>(catalog->Context(request.request_id), std::move(upstream),
                              STOREFRONT_CALL(catalog, GetProduct),
                              Answer<pb::Product>(out, "catalog", Code::Ok, ProductJson));
}

void ListCategories(const std::shared_ptr<CatalogClient>& catalog, const http::Request& request, Out out) {
  rpc::AsyncCall<pb::ListCategoriesResponse>(
      catalog->Context(request.request_id), pb::ListCategoriesRequest{}, STOREFRONT_CALL(catalog, ListCategories),
      Answer<pb::ListCategoriesResponse>(out, "catalog", Code::Ok, [](auto& response) {
        return ItemsJson(response.categories(), [](const pb::Category& category) {
          return nlohmann::json{{"id", category.id()},
                                {"name", category.name()},
                                {"description", category.description()},
                                {"product_count", category.active_product_count()}};
        });
      }));
}

}  // namespace

nlohmann::json ProductJson(const pb::Product& product) {
  return {{"id", product.id()},
          {"sku", product.sku()},
          {"name", product.name()},
          {"description", product.description()},
          {"price", MoneyJson(product.price())},
          {"category_id", product.category_id()},
          {"image_url", product.image_url()},
          {"active", product.active()},
          {"created_at", TimeJson(product.created_at())},
          {"updated_at", TimeJson(product.updated_at())}};
}

void AddCatalogRoutes(http::GatewayRouter& router, std::shared_ptr<CatalogClient> catalog) {
  router.Add(Method::Get, "/api/v1/products",
             [catalog](const http::Request& r, std::shared_ptr<http::Responder> out) { ListProducts(catalog, r, out); });
  router.Add(Method::Get, "/api/v1/products/:id",
             [catalog](const http::Request& r, std::shared_ptr<http::Responder> out) { GetProduct(catalog, r, out); });
  router.Add(Method::Get, "/api/v1/categories", [catalog](const http::Request& r, std::shared_ptr<http::Responder> out) {
    ListCategories(catalog, r, out);
  });
}

}  // namespace storefront::gateway::routes
