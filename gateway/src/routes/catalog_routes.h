// Shopper routes backed by the catalog service: products and categories.
#pragma once

#include "cache/read_cache.h"
#include "fallback/last_good.h"
#include "http/handler.h"
#include "shared/rpc/client.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::gateway::routes {

using CatalogClient = rpc::Client<storefront::catalog::v1::CatalogService>;

struct CatalogReads {
  std::shared_ptr<CatalogClient> catalog;
  // Answers the reads it holds without asking the catalog (cache/read_cache.h); null: none.
  std::shared_ptr<cache::ReadCache> cache;
  // What the reads answer when the catalog fails (fallback/last_good.h).
  std::shared_ptr<fallback::LastGood> last_good;
};

// The public catalog reads: products, one product, categories. Each answer carries an ETag and
// `Cache-Control: public, no-cache`, and a request whose If-None-Match names the current ETag
// gets 304 without a body.
void AddCatalogRoutes(http::GatewayRouter& router, CatalogReads reads);

// JSON shape of a product, as documented in the OpenAPI document (snake_case, money as
// {"amount_minor", "currency"}).
nlohmann::json ProductJson(const storefront::catalog::v1::Product& product);

}  // namespace storefront::gateway::routes
