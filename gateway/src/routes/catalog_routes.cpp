#include "routes/catalog_routes.h"

#include "routes/kit.h"
#include "shared/log/log.h"
#include "shared/types/uuid.h"

namespace storefront::gateway::routes {
namespace {

namespace pb = storefront::catalog::v1;

// Each read's key, in the cache and among the last good answers, names what the catalog was asked,
// not the URL: parameters the route does not read cannot make a second key for the same answer,
// nor one key for two answers (a decoded name holding "=" or "&").
std::string ListKey(const pb::ListProductsRequest& upstream) {
  return "GET /api/v1/products " + upstream.ShortDebugString();  // strings quoted and escaped
}

// A fresh answer may be stored by any cache, but only used after asking again (with the ETag:
// a 304 costs no body), so no client keeps a price longer than the gateway does.
constexpr const char* kFreshCacheControl = "public, no-cache";

// Where a read stands with the gateway's cache: its key there, and the ticket of its fill.
struct Cached {
  std::shared_ptr<cache::ReadCache> cache;  // null: this read is not cached
  cache::ReadKey key;
  cache::ReadCache::Ticket ticket = 0;
};

// Answers a current read: 304 when the client sent its ETag in If-None-Match, else 200 with it.
void AnswerCurrent(const Out& out, const std::string& if_none_match, const cache::CachedRead& read) {
  out->AddHeader("ETag", read.etag);
  out->AddHeader("Cache-Control", kFreshCacheControl);
  if (!if_none_match.empty() && cache::NoneMatchHits(if_none_match, read.etag)) return out->NotModified();
  out->JsonText(Code::Ok, read.body);
}

// Starts a catalog read through the cache: answers from it on a hit and returns false; on a miss
// (or when the read is not cached) takes the fill's ticket and returns true: ask the catalog.
bool Miss(Cached& cached, const http::Request& request, const Out& out) {
  if (!cached.cache) return true;
  if (auto hit = cached.cache->Get(cached.key.text)) {
    AnswerCurrent(out, request.Header("if-none-match"), *hit);
    return false;
  }
  cached.ticket = cached.cache->Begin();
  return true;
}

// The callback of a catalog read: answers 200 with render(response) (or 304), keeps it in the
// cache and as the read's last good answer; when the catalog fails (down, slow, breaker open,
// bulkhead full) answers the last good copy instead, marked `Storefront-Stale: true` with its
// `Age` and never to be stored, or the problem when there is none.
template <typename Response>
std::function<void(const grpc::Status&, Response&)> AnswerRead(Out out, const http::Request& request, std::string key,
                                                               std::shared_ptr<fallback::LastGood> last_good,
                                                               Cached cached,
                                                               std::function<nlohmann::json(Response&)> render) {
  return [out = std::move(out), key = std::move(key), if_none_match = request.Header("if-none-match"),
          last_good = std::move(last_good), cached = std::move(cached),
          render = std::move(render)](const grpc::Status& status, Response& response) {
    if (status.ok()) {
      cache::CachedRead read;
      read.body = render(response).dump();
      read.etag = cache::ETagOf(read.body);
      last_good->Put(key, read.body);
      if (cached.cache) cached.cache->Put(cached.key, read, cached.ticket);
      return AnswerCurrent(out, if_none_match, read);
    }
    if (rpc::IsUpstreamFailure(status.error_code())) {
      if (auto copy = last_good->Serve(key)) {
        log::Warn("catalog read served stale", {{"request_id", out->request_id()},
                                                {"code", static_cast<int>(status.error_code())},
                                                {"age_s", copy->age.count()}});
        out->AddHeader("Storefront-Stale", "true");
        out->AddHeader("Age", std::to_string(copy->age.count()));
        out->AddHeader("Cache-Control", "no-store");
        return out->JsonText(Code::Ok, copy->body);
      }
    }
    out->SendProblem(http::FromStatus(status, "catalog"));
  };
}

void ListProducts(const CatalogReads& reads, const http::Request& request, Out out) {
  pb::ListProductsRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (const auto* query = Query(request, "query")) upstream.set_query(*query);
  if (const auto* category = Query(request, "category")) upstream.set_category_id(*category);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  const std::string key = ListKey(upstream);
  Cached cached{reads.cache, {key, ""}};
  if (!Miss(cached, request, out)) return;
  auto catalog = reads.catalog;
  catalog->Async<pb::ListProductsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(catalog, ListProducts),
      AnswerRead<pb::ListProductsResponse>(out, request, key, reads.last_good, std::move(cached), [](auto& response) {
        return PageJson(response.products(), response.next_page_token(), ProductJson);
      }));
}

void GetProduct(const CatalogReads& reads, const http::Request& request, Out out) {
  const std::string& id = request.params.at("id");
  pb::GetProductRequest upstream;
  upstream.set_id(id);  // the catalog answers NOT_FOUND for any unknown id
  // Only a product id is cached, under its lower-case form, which is how its events name it; the
  // answer does not depend on the query, so the key has none.
  Cached cached;
  std::string key = "GET /api/v1/products/:id " + id;  // not a product id: the catalog answers 404
  if (types::IsUuid(id)) {
    const std::string product_id = types::NormalizeUuid(id);
    key = "GET /api/v1/products/:id " + product_id;
    cached = {reads.cache, {key, product_id}};
  }
  if (!Miss(cached, request, out)) return;
  auto answer = AnswerRead<pb::Product>(out, request, key, reads.last_good, std::move(cached), ProductJson);
  auto catalog = reads.catalog;
  catalog->Async<pb::Product>(
      For(request), std::move(upstream), STOREFRONT_CALL(catalog, GetProduct),
      [out, id, answer = std::move(answer)](const grpc::Status& status, pb::Product& product) {
        // A deactivated product is the operator's to see (the admin routes), not the shopper's:
        // its public page answers exactly as for an id that names nothing, and is never cached.
        if (status.ok() && !product.active()) {
          const grpc::Status absent(grpc::StatusCode::NOT_FOUND, "no product with id " + id);
          return out->SendProblem(http::FromStatus(absent, "catalog"));
        }
        answer(status, product);
      });
}

void ListCategories(const CatalogReads& reads, const http::Request& request, Out out) {
  const std::string key = "GET /api/v1/categories";
  Cached cached{reads.cache, {key, ""}};
  if (!Miss(cached, request, out)) return;
  auto catalog = reads.catalog;
  catalog->Async<pb::ListCategoriesResponse>(For(request), pb::ListCategoriesRequest{}, STOREFRONT_CALL(catalog, ListCategories),
      AnswerRead<pb::ListCategoriesResponse>(out, request, key, reads.last_good, std::move(cached), [](auto& response) {
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

void AddCatalogRoutes(http::GatewayRouter& router, CatalogReads reads) {
  router.Add(Method::Get, "/api/v1/products", [reads](const http::Request& r, Out out) { ListProducts(reads, r, out); });
  router.Add(Method::Get, "/api/v1/products/:id", [reads](const http::Request& r, Out out) { GetProduct(reads, r, out); });
  router.Add(Method::Get, "/api/v1/categories", [reads](const http::Request& r, Out out) { ListCategories(reads, r, out); });
}

}  // namespace storefront::gateway::routes
