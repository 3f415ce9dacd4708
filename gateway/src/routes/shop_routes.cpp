#include "routes/shop_routes.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "http/json_fields.h"
#include "routes/json_mapping.h"

namespace storefront::gateway::routes {
namespace {

namespace cartpb = storefront::cart::v1;
namespace checkoutpb = storefront::checkout::v1;
namespace shippingpb = storefront::shipping::v1;
namespace paymentspb = storefront::payments::v1;
using google::protobuf::util::TimeUtil;
using Pistache::Http::Code;
using Pistache::Http::Method;
using Out = std::shared_ptr<http::Responder>;

void AddressFields(http::JsonFields fields, storefront::common::v1::Address* out) {
  out->set_name(fields.String("name", 1, 100));
  out->set_line1(fields.String("line1", 1, 200));
  out->set_line2(fields.String("line2", 0, 200, false));
  out->set_city(fields.String("city", 1, 100));
  out->set_region(fields.String("region", 0, 100, false));
  out->set_postal_code(fields.String("postal_code", 1, 20));
  out->set_country(fields.String("country", 2, 2));
}

nlohmann::json AddressJson(const storefront::common::v1::Address& a) {
  return {{"name", a.name()},         {"line1", a.line1()},
          {"line2", a.line2()},       {"city", a.city()},
          {"region", a.region()},     {"postal_code", a.postal_code()},
          {"country", a.country()}};
}

http::Problem Invalid(std::vector<http::FieldError> errors) {
  std::string detail = http::Summarize(errors);
  return http::BadRequest(detail, std::move(errors));
}

template <typename Response>
std::function<void(const grpc::Status&, Response&)> AnswerCart(Out out, const std::string& upstream) {
  return [out, upstream](const grpc::Status& status, Response& cart) {
    if (!status.ok()) return out->SendProblem(http::FromStatus(status, upstream));
    out->Json(Code::Ok, CartJson(cart));
  };
}

void GetCart(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  cartpb::GetCartRequest upstream;
  upstream.set_customer_id(who.account_id);
  auto cart = c.cart;
  rpc::AsyncCall<cartpb::Cart>(cart->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(cart, GetCart),
                               AnswerCart<cartpb::Cart>(out, "cart"));
}

void ClearCart(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  cartpb::ClearCartRequest upstream;
  upstream.set_customer_id(who.account_id);
  auto cart = c.cart;
  rpc::AsyncCall<cartpb::Cart>(cart->Context(request.request_id), std::move(upstream),
                               STOREFRONT_CALL(cart, ClearCart), AnswerCart<cartpb::Cart>(out, "cart"));
}

void AddItem(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  std::vector<http::FieldError> errors;
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  std::string product_id = body.String("product_id", 36, 36);
  auto quantity = body.Integer("quantity", 1, 99);
  if (!product_id.empty() && !IsUuid(product_id)) errors.push_back({"product_id", "must be a product id (UUID)"});
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  cartpb::AddItemRequest upstream;
  upstream.set_customer_id(who.account_id);
  upstream.set_product_id(product_id);
  upstream.set_quantity(static_cast<int>(quantity));
  auto cart = c.cart;
  rpc::AsyncCall<cartpb::Cart>(cart->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(cart, AddItem),
                               AnswerCart<cartpb::Cart>(out, "cart"));
}

void UpdateItem(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  std::vector<http::FieldError> errors;
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  auto quantity = body.Integer("quantity", 1, 99);
  const std::string& product_id = request.params.at("product_id");
  if (!IsUuid(product_id)) return out->SendProblem(http::NotFound("no such product in the cart"));
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  cartpb::UpdateItemQuantityRequest upstream;
  upstream.set_customer_id(who.account_id);
  upstream.set_product_id(product_id);
  upstream.set_quantity(static_cast<int>(quantity));
  auto cart = c.cart;
  rpc::AsyncCall<cartpb::Cart>(cart->Context(request.request_id), std::move(upstream),
                               STOREFRONT_CALL(cart, UpdateItemQuantity), AnswerCart<cartpb::Cart>(out, "cart"));
}

void RemoveItem(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const std::string& product_id = request.params.at("product_id");
  if (!IsUuid(product_id)) return out->SendProblem(http::NotFound("no such product in the cart"));
  cartpb::RemoveItemRequest upstream;
  upstream.set_customer_id(who.account_id);
  upstream.set_product_id(product_id);
  auto cart = c.cart;
  rpc::AsyncCall<cartpb::Cart>(cart->Context(request.request_id), std::move(upstream),
                               STOREFRONT_CALL(cart, RemoveItem), AnswerCart<cartpb::Cart>(out, "cart"));
}

void Quotes(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  std::vector<http::FieldError> errors;
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  shippingpb::GetQuotesRequest quote;
  AddressFields(body.Object("address"), quote.mutable_address());
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  // The quote depends on what is in the cart: read it first, then ask shipping.
  cartpb::GetCartRequest read;
  read.set_customer_id(who.account_id);
  auto cart = c.cart;
  auto shipping = c.shipping;
  std::string request_id = request.request_id;
  rpc::AsyncCall<cartpb::Cart>(
      cart->Context(request_id), std::move(read), STOREFRONT_CALL(cart, GetCart),
      [out, shipping, quote, request_id](const grpc::Status& status, cartpb::Cart& current) mutable {
        if (!status.ok()) return out->SendProblem(http::FromStatus(status, "cart"));
        if (current.items_size() == 0) {
          return out->SendProblem({409, "cart-empty", "Cart is empty", "add items to the cart before asking for shipping quotes", {}});
        }
        quote.set_item_count(current.item_count());
        *quote.mutable_subtotal() = current.subtotal();
        rpc::AsyncCall<shippingpb::GetQuotesResponse>(
            shipping->Context(request_id), std::move(quote), STOREFRONT_CALL(shipping, GetQuotes),
            [out](const grpc::Status& status, shippingpb::GetQuotesResponse& response) {
              if (!status.ok()) return out->SendProblem(http::FromStatus(status, "shipping"));
              nlohmann::json options = nlohmann::json::array();
              for (const auto& o : response.options()) {
                options.push_back({{"id", o.id()},
                                   {"carrier", o.carrier()},
                                   {"service", o.service()},
                                   {"price", MoneyJson(o.price())},
                                   {"estimated_days", o.estimated_days()}});
              }
              out->Json(Code::Ok, {{"options", options}});
            });
      });
}

void PlaceOrder(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  std::vector<http::FieldError> errors;
  std::string key = request.Header("idempotency-key");
  bool key_ok = !key.empty() && key.size() <= 128 &&
                std::all_of(key.begin(), key.end(), [](unsigned char ch) { return ch > 0x20 && ch < 0x7f; });
  if (!key_ok) errors.push_back({"Idempotency-Key", "header is required: 1 to 128 visible ASCII characters"});
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  checkoutpb::PlaceOrderRequest upstream;
  AddressFields(body.Object("shipping_address"), upstream.mutable_shipping_address());
  upstream.set_shipping_option_id(body.String("shipping_option_id", 1, 64));
  http::JsonFields payment = body.Object("payment");
  auto* card = upstream.mutable_card();
  card->set_number(payment.String("card_number", 12, 23));
  card->set_exp_month(static_cast<int>(payment.Integer("exp_month", 1, 12)));
  card->set_exp_year(static_cast<int>(payment.Integer("exp_year", 2000, 2100)));
  card->set_cvc(payment.String("cvc", 3, 4));
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_idempotency_key(key);
  upstream.set_customer_id(who.account_id);
  upstream.set_customer_email(who.email);
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::Order>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, PlaceOrder),
      [out](const grpc::Status& status, checkoutpb::Order& order) {
        if (!status.ok()) {
          http::Problem problem = http::FromStatus(status, "checkout");
          if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
            problem = {422, "idempotency-key-reused", "Idempotency-Key reused", status.error_message(), {}};
          } else if (status.error_code() == grpc::StatusCode::ABORTED) {
            problem = {409, "checkout-in-progress", "Checkout in progress",
                       "a checkout with this Idempotency-Key is still running; retry shortly", {}};
          }
          return out->SendProblem(problem);
        }
        http::Problem outcome = CheckoutProblem(order);
        if (outcome.status >= 400) {
          outcome.extensions = {{"order_id", order.id()}, {"order_status", EnumName(checkoutpb::OrderStatus_Name(order.status()), "ORDER_STATUS_")}};
          return out->SendProblem(outcome);
        }
        out->Json(static_cast<Code>(outcome.status), OrderJson(order, false));
      });
}

void ListOrders(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  checkoutpb::ListOrdersRequest upstream;
  upstream.set_customer_id(who.account_id);
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    int limit = 0;
    auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), limit);
    if (ec != std::errc() || ptr != it->second.data() + it->second.size() || limit < 1 || limit > 100) {
      return out->SendProblem(http::BadRequest("limit must be an integer between 1 and 100",
                                               {{"limit", "must be an integer between 1 and 100"}}));
    }
    upstream.set_page_size(limit);
  }
  if (auto it = request.query.find("cursor"); it != request.query.end()) upstream.set_page_token(it->second);
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::ListOrdersResponse>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, ListOrders),
      [out](const grpc::Status& status, checkoutpb::ListOrdersResponse& response) {
        if (!status.ok()) return out->SendProblem(http::FromStatus(status, "checkout"));
        nlohmann::json body = {{"items", nlohmann::json::array()}, {"next_cursor", nullptr}};
        for (const auto& order : response.orders()) body["items"].push_back(OrderJson(order, false));
        if (!response.next_page_token().empty()) body["next_cursor"] = response.next_page_token();
        out->Json(Code::Ok, body);
      });
}

void GetOrder(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no order " + id.substr(0, 64)));
  checkoutpb::GetOrderRequest upstream;
  upstream.set_order_id(id);
  upstream.set_customer_id(who.account_id);  // another shopper's order answers NOT_FOUND
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::Order>(checkout->Context(request.request_id), std::move(upstream),
                                    STOREFRONT_CALL(checkout, GetOrder),
                                    [out](const grpc::Status& status, checkoutpb::Order& order) {
                                      if (!status.ok()) return out->SendProblem(http::FromStatus(status, "checkout"));
                                      out->Json(Code::Ok, OrderJson(order, false));
                                    });
}


}  // namespace

nlohmann::json CartJson(const cartpb::Cart& cart) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : cart.items()) {
    items.push_back({{"product_id", item.product_id()},
                     {"sku", item.sku()},
                     {"name", item.name()},
                     {"quantity", item.quantity()},
                     {"unit_price", MoneyJson(item.unit_price())},
                     {"line_total", MoneyJson(item.line_total())}});
  }
  return {{"items", items},
          {"item_count", cart.item_count()},
          {"subtotal", cart.has_subtotal() && !cart.subtotal().currency().empty() ? MoneyJson(cart.subtotal())
                                                                                  : nlohmann::json(nullptr)}};
}

nlohmann::json OrderJson(const checkoutpb::Order& o, bool operator_view) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : o.items()) {
    items.push_back({{"product_id", item.product_id()},
                     {"sku", item.sku()},
                     {"name", item.name()},
                     {"quantity", item.quantity()},
                     {"unit_price", MoneyJson(item.unit_price())},
                     {"line_total", MoneyJson(item.line_total())}});
  }
  nlohmann::json timeline = nlohmann::json::array();
  for (const auto& entry : o.timeline()) {
    timeline.push_back({{"status", EnumName(checkoutpb::OrderStatus_Name(entry.status()), "ORDER_STATUS_")},
                        {"note", entry.note()},
                        {"at", TimeUtil::ToString(entry.at())}});
  }
  nlohmann::json body = {
      {"order_id", o.id()},
      {"status", EnumName(checkoutpb::OrderStatus_Name(o.status()), "ORDER_STATUS_")},
      {"failure", o.failure() == checkoutpb::ORDER_FAILURE_UNSPECIFIED
                      ? nlohmann::json(nullptr)
                      : nlohmann::json(EnumName(checkoutpb::OrderFailure_Name(o.failure()), "ORDER_FAILURE_"))},
      {"failure_reason", o.failure_reason().empty() ? nlohmann::json(nullptr) : nlohmann::json(o.failure_reason())},
      {"items", items},
      {"subtotal", MoneyJson(o.subtotal())},
      {"shipping_price", MoneyJson(o.shipping_price())},
      {"total", MoneyJson(o.total())},
      {"shipping_address", AddressJson(o.shipping_address())},
      {"shipping_option_id", o.shipping_option_id()},
      {"payment", nullptr},
      {"shipment", nullptr},
      {"timeline", timeline},
      {"created_at", TimeUtil::ToString(o.created_at())},
      {"updated_at", TimeUtil::ToString(o.updated_at())}};
  if (o.has_payment()) {
    body["payment"] = {{"payment_id", o.payment().payment_id()},
                       {"status", EnumName(paymentspb::PaymentStatus_Name(o.payment().status()), "PAYMENT_STATUS_")},
                       {"card_brand", EnumName(paymentspb::CardBrand_Name(o.payment().card_brand()), "CARD_BRAND_")},
                       {"card_last4", o.payment().card_last4()}};
  }
  if (o.has_shipment()) {
    body["shipment"] = {
        {"shipment_id", o.shipment().shipment_id()},
        {"carrier", o.shipment().carrier()},
        {"tracking_number", o.shipment().tracking_number()},
        {"status", EnumName(shippingpb::ShipmentStatus_Name(o.shipment().status()), "SHIPMENT_STATUS_")}};
  }
  if (operator_view) {
    body["customer_id"] = o.customer_id();
    body["customer_email"] = o.customer_email();
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& step : o.saga_steps()) {
      steps.push_back({{"name", step.name()},
                       {"state", EnumName(checkoutpb::SagaStepState_Name(step.state()), "SAGA_STEP_STATE_")},
                       {"detail", step.detail()},
                       {"at", TimeUtil::ToString(step.at())}});
    }
    body["saga_steps"] = steps;
  }
  return body;
}

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

void AddShopRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                   ShopClients clients) {
  auto shared = std::make_shared<ShopClients>(std::move(clients));
  auto route = [&](Method method, const char* path,
                   void (*handler)(ShopClients&, const http::Request&, const auth::Principal&, Out)) {
    router.Add(method, path,
               auth::RequireAuth(verifier, std::nullopt,
                                 [shared, handler](const http::Request& request, const auth::Principal& who, Out out) {
                                   handler(*shared, request, who, std::move(out));
                                 }));
  };
  route(Method::Get, "/api/v1/cart", GetCart);
  route(Method::Delete, "/api/v1/cart", ClearCart);
  route(Method::Post, "/api/v1/cart/items", AddItem);
  route(Method::Put, "/api/v1/cart/items/:product_id", UpdateItem);
  route(Method::Delete, "/api/v1/cart/items/:product_id", RemoveItem);
  route(Method::Post, "/api/v1/shipping/quotes", Quotes);
  route(Method::Post, "/api/v1/checkout", PlaceOrder);
  route(Method::Get, "/api/v1/orders", ListOrders);
  route(Method::Get, "/api/v1/orders/:id", GetOrder);
}

}  // namespace storefront::gateway::routes
