// The shopper's cart: GET and DELETE /api/v1/cart, POST /api/v1/cart/items, PUT and DELETE
// /api/v1/cart/items/{product_id}. Every answer is the whole cart.
#pragma once

#include <nlohmann/json.hpp>

#include "routes/shop_routes.h"

namespace storefront::gateway::routes::shop {

void AddCartRoutes(ShopRoutes& routes);

// JSON shape of a cart, as documented in openapi.json (Cart): the subtotal is null when empty.
nlohmann::json CartJson(const storefront::cart::v1::Cart& cart);

}  // namespace storefront::gateway::routes::shop
