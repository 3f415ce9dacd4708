// Shopper routes that need a signed-in account: the cart (shop/cart), shipping quotes and
// checkout (shop/checkout) and the shopper's orders (shop/orders). Each is wrapped by
// auth::RequireAuth; the customer is always the token's account, never a field of the request,
// so a shopper can only reach their own cart and orders.
#pragma once

#include <memory>

#include "auth/jwt.h"
#include "http/handler.h"
#include "routes/kit.h"
#include "shared/rpc/client.h"
#include "storefront/cart/v1/cart.grpc.pb.h"
#include "storefront/checkout/v1/checkout.grpc.pb.h"
#include "storefront/shipping/v1/shipping.grpc.pb.h"

namespace storefront::gateway::routes {

struct ShopClients {
  std::shared_ptr<rpc::Client<storefront::cart::v1::CartService>> cart;
  std::shared_ptr<rpc::Client<storefront::shipping::v1::ShippingService>> shipping;
  // Placing an order runs a whole saga: its deadline is longer than a single lookup's.
  std::shared_ptr<rpc::Client<storefront::checkout::v1::CheckoutService>> checkout;
};

// What each shop/ file adds its routes to: any signed-in account, over ShopClients.
using ShopRoutes = GuardedRoutes<ShopClients>;

// One line of a cart or an order (cart.v1.CartItem and checkout.v1.OrderItem share these fields).
template <typename Line>
nlohmann::json LineJson(const Line& item) {
  return {{"product_id", item.product_id()},
          {"sku", item.sku()},
          {"name", item.name()},
          {"quantity", item.quantity()},
          {"unit_price", MoneyJson(item.unit_price())},
          {"line_total", MoneyJson(item.line_total())}};
}

void AddShopRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                   ShopClients clients);

}  // namespace storefront::gateway::routes
