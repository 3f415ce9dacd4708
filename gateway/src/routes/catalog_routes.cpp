#include "routes/catalog_routes.h"

#include "routes/kit.h"
#include "shared/log/log.h"

namespace storefront::gateway::routes {
namespace {

namespace pb = storefront::catalog::v1;

// The key of a read's last good answer: its path and every query parameter (sorted).
std::string ReadKey(const http::Request& request) {
  std::string key = request.path;
  char separator = '?';
  for (const auto& [name, value] : request.query) {
    key += separator + name + "=" + value;
    separator = '&';
  }
  return key;
}

// The callback of a catalog read: answers 200 with render(response) and keeps it as the read's
// last good answer; when the catalog fails (down, slow, breaker open, bulkhead full) answers the
// last good copy instead, marked `Storefront-Stale: true` with its `Age`, or the problem when
// there is none.
template <typename Response>
std::function<void(const grpc::Status&, Response&)> AnswerRead(Out out, const http::Request& request,
                                                               std::shared_ptr<fallback::LastGood> last_good,
                                                               std::function<nlohmann::json(Response&)> render) {
  return [out = std::move(out), key = ReadKey(request), last_good = std::move(last_good), render = std::move(render)](
             const grpc::Status& status, Response& response) {
    if (status.ok()) {
      std::string body = render(response).dump();
      last_good->Put(key, body);
      return out->JsonText(Code::Ok, body);
    }
    if (rpc::IsUpstreamFailure(status.error_code())) {
      if (auto copy = last_good->Serve(key)) {
        log::Warn("catalog read served stale", {{"request_id", out->request_id()},
                                                {"code", static_cast<int>(status.error_code())},
                                                {"age_s", copy->age.count()}});
        out->AddHeader("Storefront-Stale", "true");
        out->AddHeader("Age", std::to_string(copy->age.count()));
        return out->JsonText(Code::Ok, copy->body);
      }
    }
    out->SendProblem(http::FromStatus(status, "catalog"));
  };
}

void ListProducts(const std::shared_ptr<CatalogClient>& catalog, const std::shared_ptr<fallback::LastGood>& last_good,
                  const http::Request& request, Out out) {
  pb::ListProductsRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (const auto* query = Query(request, "query")) upstream.set_query(*query);
  if (const auto* category = Query(request, "category")) upstream.set_category_id(*category);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  catalog->Async<pb::ListProductsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(catalog, ListProducts),
      AnswerRead<pb::ListProductsResponse>(out, request, last_good, [](auto& response) {
        return PageJson(response.products(), response.next_page_token(), ProductJson);
      }));
}

void GetProduct(const std::shared_ptr<CatalogClient>& catalog, const std::shared_ptr<fallback::LastGood>& last_good,
                const http::Request& request, Out out) {
  pb::GetProductRequest upstream;
  upstream.set_id(request.params.at("id"));  // the catalog answers NOT_FOUND for any unknown id
  catalog->Async<pb::Product>(For(request), std::move(upstream),
                              STOREFRONT_CALL(catalog, GetProduct),
                              AnswerRead<pb::Product>(out, request, last_good, ProductJson));
}

void ListCategories(const std::shared_ptr<CatalogClient>& catalog, const std::shared_ptr<fallback::LastGood>& last_good,
                    const http::Request& request, Out out) {
  catalog->Async<pb::ListCategoriesResponse>(For(request), pb::ListCategoriesRequest{}, STOREFRONT_CALL(catalog, ListCategories),
      AnswerRead<pb::ListCategoriesResponse>(out, request, last_good, [](auto& response) {
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

void AddCatalogRoutes(http::GatewayRouter& router, std::shared_ptr<CatalogClient> catalog,
                      std::shared_ptr<fallback::LastGood> last_good) {
  router.Add(Method::Get, "/api/v1/products", [catalog, last_good](const http::Request& r, Out out) {
    ListProducts(catalog, last_good, r, out);
  });
  router.Add(Method::Get, "/api/v1/products/:id", [catalog, last_good](const http::Request& r, Out out) {
    GetProduct(catalog, last_good, r, out);
  });
  router.Add(Method::Get, "/api/v1/categories", [catalog, last_good](const http::Request& r, Out out) {
    ListCategories(catalog, last_good, r, out);
  });
}

}  // namespace storefront::gateway::routes
