#include "routes/shop_routes.h"

#include "routes/shop/cart.h"
#include "routes/shop/checkout.h"
#include "routes/shop/orders.h"

namespace storefront::gateway::routes {

void AddShopRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                   ShopClients clients) {
  ShopRoutes routes(router, std::move(verifier), std::nullopt, std::move(clients));
  shop::AddCartRoutes(routes);
  shop::AddCheckoutRoutes(routes);
  shop::AddOrderRoutes(routes);
}

}  // namespace storefront::gateway::routes
