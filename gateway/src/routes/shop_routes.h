// Shopper routes that need a signed-in account: the cart, shipping quotes, checkout and the
// shopper's orders. Each is wrapped by auth::RequireAuth; the customer is always the token's
// account, never a field of the request, so a shopper can only reach their own cart and orders.
#pragma once

#include <memory>

#include "auth/require.h"
#include "http/handler.h"
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

void AddShopRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                   ShopClients clients);

nlohmann::json CartJson(const storefront::cart::v1::Cart& cart);
// operator_view adds the saga's step log and the customer.
nlohmann::json OrderJson(const storefront::checkout::v1::Order& order, bool operator_view);
// The HTTP status and problem (if any) for the outcome of a checkout.
http::Problem CheckoutProblem(const storefront::checkout::v1::Order& order);

}  // namespace storefront::gateway::routes
