// Shopper routes backed by the catalog service: products and categories.
#pragma once

#include "fallback/last_good.h"
#include "http/handler.h"
#include "shared/rpc/client.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::gateway::routes {

using CatalogClient = rpc::Client<storefront::catalog::v1::CatalogService>;

// The public catalog reads; when the catalog fails they answer from `last_good` (see
// fallback/last_good.h).
void AddCatalogRoutes(http::GatewayRouter& router, std::shared_ptr<CatalogClient> catalog,
                      std::shared_ptr<fallback::LastGood> last_good);

// JSON shape of a product, as documented in the OpenAPI document (snake_case, money as
// {"amount_minor", "currency"}).
nlohmann::json ProductJson(const storefront::catalog::v1::Product& product);

}  // namespace storefront::gateway::routes
