// The shopper routes' JSON shapes (cart, order, shopper and operator views) and the HTTP status of
// each checkout outcome, without a server.
#include "routes/shop/cart.h"
#include "routes/shop/checkout.h"
#include "routes/shop/orders.h"

#include <gtest/gtest.h>

#include "shared/rpc/status.h"

namespace storefront::gateway::routes::shop {
namespace {

namespace checkoutpb = storefront::checkout::v1;

checkoutpb::Order Order(checkoutpb::OrderStatus status, checkoutpb::OrderFailure failure = checkoutpb::ORDER_FAILURE_UNSPECIFIED) {
  checkoutpb::Order order;
  order.set_id("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11");
  order.set_status(status);
  order.set_failure(failure);
  order.set_failure_reason("because");
  return order;
}

TEST(CheckoutOutcomeTest, EachOutcomeHasItsStatusCode) {
  EXPECT_EQ(CheckoutProblem(Order(checkoutpb::ORDER_STATUS_CONFIRMED)).status, 201);
  EXPECT_EQ(CheckoutProblem(Order(checkoutpb::ORDER_STATUS_PAYMENT_AUTHORIZED)).status, 202);
  EXPECT_EQ(CheckoutProblem(Order(checkoutpb::ORDER_STATUS_FAILED, checkoutpb::ORDER_FAILURE_PAYMENT_DECLINED)).status,
            402);
  EXPECT_EQ(CheckoutProblem(Order(checkoutpb::ORDER_STATUS_FAILED, checkoutpb::ORDER_FAILURE_OUT_OF_STOCK)).status, 409);
  EXPECT_EQ(
      CheckoutProblem(Order(checkoutpb::ORDER_STATUS_FAILED, checkoutpb::ORDER_FAILURE_DEPENDENCY_UNAVAILABLE)).status,
      503);
  EXPECT_EQ(CheckoutProblem(Order(checkoutpb::ORDER_STATUS_FAILED, checkoutpb::ORDER_FAILURE_SHIPPING_FAILED)).status,
            422);
}

TEST(CheckoutOutcomeTest, AChangedTotalIs409WithTheTotalToShowInstead) {
  checkoutpb::TotalChanged changed;
  changed.mutable_total()->set_amount_minor(3499);
  changed.mutable_total()->set_currency("USD");
  auto problem = PlaceOrderProblem(rpc::WithDetail(
      {grpc::StatusCode::FAILED_PRECONDITION, "the total is now 34.99 USD; review the order and try again"}, changed));
  EXPECT_EQ(problem.status, 409);
  EXPECT_EQ(problem.slug, "total-changed");
  EXPECT_EQ(problem.detail, "the total is now 34.99 USD; review the order and try again");
  EXPECT_EQ(problem.extensions["total"], (nlohmann::json{{"amount_minor", 3499}, {"currency", "USD"}}));

  // Any other refusal of the same code is a plain conflict, without a total.
  auto other = PlaceOrderProblem({grpc::StatusCode::FAILED_PRECONDITION, "cart is empty"});
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.slug, "conflict");
  EXPECT_FALSE(other.extensions.contains("total"));
  EXPECT_EQ(PlaceOrderProblem({grpc::StatusCode::ALREADY_EXISTS, "k"}).status, 422);
}

TEST(OrderJsonTest, ShoppersSeeNoSagaInternalsOperatorsDo) {
  auto order = Order(checkoutpb::ORDER_STATUS_CONFIRMED);
  auto* step = order.add_saga_steps();
  step->set_name("reserve_inventory");
  step->set_state(checkoutpb::SAGA_STEP_STATE_SUCCEEDED);
  order.mutable_total()->set_amount_minor(6499);
  order.mutable_total()->set_currency("USD");
  auto shopper = OrderJson(order, false);
  EXPECT_EQ(shopper["order_id"], order.id());
  EXPECT_EQ(shopper["status"], "confirmed");
  EXPECT_EQ(shopper["total"]["amount_minor"], 6499);
  EXPECT_TRUE(shopper["payment"].is_null());
  EXPECT_FALSE(shopper.contains("saga_steps"));
  auto operator_view = OrderJson(order, true);
  EXPECT_EQ(operator_view["saga_steps"][0]["state"], "succeeded");
}

TEST(CartJsonTest, AnEmptyCartHasNoSubtotal) {
  storefront::cart::v1::Cart cart;
  auto json = CartJson(cart);
  EXPECT_TRUE(json["items"].empty());
  EXPECT_TRUE(json["subtotal"].is_null());
}

}  // namespace
}  // namespace storefront::gateway::routes::shop
