// Checking out: POST /api/v1/shipping/quotes (the options for the cart as it is, to an
// address) and POST /api/v1/checkout (place the order; an Idempotency-Key is required, so a
// retried request never places a second order).
#pragma once

#include "http/problem.h"
#include "routes/shop_routes.h"

namespace storefront::gateway::routes::shop {

void AddCheckoutRoutes(ShopRoutes& routes);

// The HTTP status and problem (if any) for the outcome of a checkout: 201 placed, 202 still
// running, 402 declined, 409 out of stock, 503 a dependency was down, 422 any other failure.
http::Problem CheckoutProblem(const storefront::checkout::v1::Order& order);

// The problem for a checkout the checkout service refused (`status` is not OK): 409
// `total-changed` with the new `total` when the shopper's expected_total is out of date (nothing
// reserved or charged), 422 for a reused Idempotency-Key, 409 while a checkout with the key runs,
// else as any upstream error.
http::Problem PlaceOrderProblem(const grpc::Status& status);

}  // namespace storefront::gateway::routes::shop
