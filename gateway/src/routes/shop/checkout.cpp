#include "routes/shop/checkout.h"

#include "http/json_fields.h"
#include "routes/shop/orders.h"
#include "shared/rpc/status.h"

namespace storefront::gateway::routes::shop {
namespace {

namespace cartpb = storefront::cart::v1;
namespace checkoutpb = storefront::checkout::v1;
namespace shippingpb = storefront::shipping::v1;

void AddressFields(http::JsonFields fields, storefront::common::v1::Address* out) {
  out->set_name(fields.String("name", 1, 100));
  out->set_line1(fields.String("line1", 1, 200));
  out->set_line2(fields.String("line2", 0, 200, false));
  out->set_city(fields.String("city", 1, 100));
  out->set_region(fields.String("region", 0, 100, false));
  // Required unless the country has no postal codes (HK): the shared address rule, in checkout
  // and shipping, decides.
  out->set_postal_code(fields.String("postal_code", 0, 20, false));
  out->set_country(fields.String("country", 2, 2));
}

void Quotes(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  shippingpb::GetQuotesRequest quote;
  AddressFields(body.Object("address"), quote.mutable_address());
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  // The quote depends on what is in the cart: read it first, then ask shipping.
  cartpb::GetCartRequest read;
  read.set_customer_id(who.account_id);
  auto cart = c.cart;
  auto shipping = c.shipping;
  auto call = For(request);  // one budget for both calls
  cart->Async<cartpb::Cart>(
      call, std::move(read), STOREFRONT_CALL(cart, GetCart),
      [out, shipping, quote, call](const grpc::Status& status, cartpb::Cart& current) mutable {
        if (!status.ok()) return out->SendProblem(http::FromStatus(status, "cart"));
        if (current.items_size() == 0) {
          return out->SendProblem({409, "cart-empty", "Cart is empty", "add items to the cart before asking for shipping quotes", {}});
        }
        quote.set_item_count(current.item_count());
        *quote.mutable_subtotal() = current.subtotal();
        shipping->Async<shippingpb::GetQuotesResponse>(
            call, std::move(quote), STOREFRONT_CALL(shipping, GetQuotes),
            Answer<shippingpb::GetQuotesResponse>(out, "shipping", Code::Ok, [](auto& response) {
              nlohmann::json options = nlohmann::json::array();
              for (const auto& o : response.options()) {
                options.push_back({{"id", o.id()},
                                   {"carrier", o.carrier()},
                                   {"service", o.service()},
                                   {"price", MoneyJson(o.price())},
                                   {"estimated_days", o.estimated_days()}});
              }
              return nlohmann::json{{"options", options}};
            }));
      });
}

void PlaceOrder(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Errors errors;
  auto key = IdempotencyKey(request, /*required=*/true, errors);
  http::JsonFields body(Body(request), "", errors);
  checkoutpb::PlaceOrderRequest upstream;
  AddressFields(body.Object("shipping_address"), upstream.mutable_shipping_address());
  upstream.set_shipping_option_id(body.String("shipping_option_id", 1, 64));
  http::JsonFields payment = body.Object("payment");
  auto* card = upstream.mutable_card();
  card->set_number(payment.String("card_number", 12, 23));
  card->set_exp_month(static_cast<int>(payment.Integer("exp_month", 1, 12)));
  card->set_exp_year(static_cast<int>(payment.Integer("exp_year", 2000, 2100)));
  card->set_cvc(payment.String("cvc", 3, 4));
  // The total the shopper was shown: checkout refuses (409, with the new one) if it changed since.
  if (body.Has("expected_total")) {
    MoneyFields(body.Object("expected_total"), "expected_total", upstream.mutable_expected_total(), 0, errors);
  }
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_idempotency_key(*key);
  upstream.set_customer_id(who.account_id);
  upstream.set_customer_email(who.email);
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::Order>(For(request), std::move(upstream), STOREFRONT_CALL(checkout, PlaceOrder),
      [out](const grpc::Status& status, checkoutpb::Order& order) {
        if (!status.ok()) return out->SendProblem(PlaceOrderProblem(status));
        http::Problem outcome = CheckoutProblem(order);
        if (outcome.status >= 400) {
          outcome.extensions = {{"order_id", order.id()}, {"order_status", EnumName(checkoutpb::OrderStatus_Name(order.status()), "ORDER_STATUS_")}};
          return out->SendProblem(outcome);
        }
        out->Json(static_cast<Code>(outcome.status), OrderJson(order, false));
      });
}

}  // namespace

http::Problem CheckoutProblem(const checkoutpb::Order& order) {
  switch (order.status()) {
    case checkoutpb::ORDER_STATUS_FAILED:
      break;
    case checkoutpb::ORDER_STATUS_PENDING:
    case checkoutpb::ORDER_STATUS_RESERVED:
    case checkoutpb::ORDER_STATUS_PAYMENT_AUTHORIZED:
      return {202, "", "", "", {}};  // still being processed: poll GET /api/v1/orders/{id}
    default:
      return {201, "", "", "", {}};
  }
  const std::string& reason = order.failure_reason();
  switch (order.failure()) {
    case checkoutpb::ORDER_FAILURE_PAYMENT_DECLINED:
      return {402, "payment-declined", "Payment declined", reason, {}};
    case checkoutpb::ORDER_FAILURE_OUT_OF_STOCK:
      return {409, "out-of-stock", "Out of stock", reason, {}};
    case checkoutpb::ORDER_FAILURE_DEPENDENCY_UNAVAILABLE:
    case checkoutpb::ORDER_FAILURE_INTERRUPTED:
      return {503, "checkout-unavailable", "Checkout unavailable", reason, {}};
    default:
      return {422, "checkout-failed", "Checkout failed", reason, {}};
  }
}

http::Problem PlaceOrderProblem(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::ALREADY_EXISTS:
      return {422, "idempotency-key-reused", "Idempotency-Key reused", status.error_message(), {}};
    case grpc::StatusCode::ABORTED:
      return {409, "checkout-in-progress", "Checkout in progress",
              "a checkout with this Idempotency-Key is still running; retry shortly", {}};
    case grpc::StatusCode::FAILED_PRECONDITION:
      if (auto changed = rpc::DetailOf<checkoutpb::TotalChanged>(status)) {
        http::Problem problem{409, "total-changed", "Total changed", status.error_message(), {}};
        problem.extensions = {{"total", MoneyJson(changed->total())}};
        return problem;
      }
      break;
    default:
      break;
  }
  return http::FromStatus(status, "checkout");
}

void AddCheckoutRoutes(ShopRoutes& routes) {
  routes.Add(Method::Post, "/api/v1/shipping/quotes", Quotes);
  routes.Add(Method::Post, "/api/v1/checkout", PlaceOrder);
}

}  // namespace storefront::gateway::routes::shop
