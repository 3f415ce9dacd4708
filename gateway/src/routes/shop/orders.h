// The shopper's own orders: GET /api/v1/orders (newest first, paged) and GET
// /api/v1/orders/{id}. Another shopper's order is not found, never forbidden.
#pragma once

#include <nlohmann/json.hpp>

#include "routes/shop_routes.h"

namespace storefront::gateway::routes::shop {

void AddOrderRoutes(ShopRoutes& routes);

// JSON shape of an order, as documented in openapi.json (Order); operator_view adds the
// customer and the saga's step log (the operator API's OperatorOrder).
nlohmann::json OrderJson(const storefront::checkout::v1::Order& order, bool operator_view);

}  // namespace storefront::gateway::routes::shop
