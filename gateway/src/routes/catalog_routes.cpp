#include "routes/catalog_routes.h"

#include <google/protobuf/util/time_util.h>

#include <charconv>

#include "routes/json_mapping.h"

namespace storefront::gateway::routes {
namespace {

namespace pb = storefront::catalog::v1;
using google::protobuf::util::TimeUtil;
using Pistache::Http::Code;
using Pistache::Http::Method;

std::string Query(const http::Request& request, const std::string& name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? std::string() : it->second;
}

void ListProducts(const std::shared_ptr<CatalogClient>& catalog, const http::Request& request,
                  std::shared_ptr<http::Responder> responder) {
  pb::ListProductsRequest upstream;
  std::vector<http::FieldError> errors;
  if (auto limit = Query(request, "limit"); !limit.empty()) {
    int value = 0;
    auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
    if (ec != std::errc() || ptr != limit.data() + limit.size() || value < 1 || value > 100) {
      errors.push_back({"limit", "must be an integer between 1 and 100"});
    }
    upstream.set_page_size(value);
  }
  upstream.set_query(Query(request, "query"));
  upstream.set_category_id(Query(request, "category"));
  upstream.set_page_token(Query(request, "cursor"));
  if (!errors.empty()) {
    responder->SendProblem(http::BadRequest("limit must be an integer between 1 and 100", std::move(errors)));
    return;
  }
  rpc::AsyncCall<pb::ListProductsResponse>(
      catalog->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(catalog, ListProducts),
      [responder](const grpc::Status& status, pb::ListProductsResponse& response) {
        if (!status.ok()) return responder->SendProblem(http::FromStatus(status, "catalog"));
        nlohmann::json body = {{"items", nlohmann::json::array()}, {"next_cursor", nullptr}};
        for (const auto& product : response.products()) body["items"].push_back(ProductJson(product));
        if (!response.next_page_token().empty()) body["next_cursor"] = response.next_page_token();
        responder->Json(Code::Ok, body);
      });
}

void GetProduct(const std::shared_ptr<CatalogClient>& catalog, const http::Request& request,
                std::shared_ptr<http::Responder> responder) {
  pb::GetProductRequest upstream;
  upstream.set_id(request.params.at("id"));
  rpc::AsyncCall<pb::Product>(catalog->Context(request.request_id), std::move(upstream),
                              STOREFRONT_CALL(catalog, GetProduct),
                              [responder](const grpc::Status& status, pb::Product& product) {
                                if (!status.ok()) return responder->SendProblem(http::FromStatus(status, "catalog"));
                                responder->Json(Code::Ok, ProductJson(product));
                              });
}

void ListCategories(const std::shared_ptr<CatalogClient>& catalog, const http::Request& request,
                    std::shared_ptr<http::Responder> responder) {
  rpc::AsyncCall<pb::ListCategoriesResponse>(
      catalog->Context(request.request_id), pb::ListCategoriesRequest{}, STOREFRONT_CALL(catalog, ListCategories),
      [responder](const grpc::Status& status, pb::ListCategoriesResponse& response) {
        if (!status.ok()) return responder->SendProblem(http::FromStatus(status, "catalog"));
        nlohmann::json items = nlohmann::json::array();
        for (const auto& category : response.categories()) {
          items.push_back({{"id", category.id()},
                           {"name", category.name()},
                           {"description", category.description()},
                           {"product_count", category.active_product_count()}});
        }
        responder->Json(Code::Ok, {{"items", items}});
      });
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
          {"created_at", TimeUtil::ToString(product.created_at())},
          {"updated_at", TimeUtil::ToString(product.updated_at())}};
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
