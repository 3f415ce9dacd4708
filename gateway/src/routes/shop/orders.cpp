#include "routes/shop/orders.h"

namespace storefront::gateway::routes::shop {
namespace {

namespace checkoutpb = storefront::checkout::v1;
namespace shippingpb = storefront::shipping::v1;
namespace paymentspb = storefront::payments::v1;

nlohmann::json AddressJson(const storefront::common::v1::Address& a) {
  return {{"name", a.name()},         {"line1", a.line1()},
          {"line2", a.line2()},       {"city", a.city()},
          {"region", a.region()},     {"postal_code", a.postal_code()},
          {"country", a.country()}};
}

nlohmann::json ShopperOrderJson(const checkoutpb::Order& order) { return OrderJson(order, false); }

void ListOrders(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  checkoutpb::ListOrdersRequest upstream;
  upstream.set_customer_id(who.account_id);
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::ListOrdersResponse>(For(request), std::move(upstream), STOREFRONT_CALL(checkout, ListOrders),
      Answer<checkoutpb::ListOrdersResponse>(out, "checkout", Code::Ok, [](auto& response) {
        return PageJson(response.orders(), response.next_page_token(), ShopperOrderJson);
      }));
}

void GetOrder(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  auto id = PathUuid(request, "id", "order", *out);
  if (!id) return;
  checkoutpb::GetOrderRequest upstream;
  upstream.set_order_id(*id);
  upstream.set_customer_id(who.account_id);  // another shopper's order answers NOT_FOUND
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::Order>(For(request), std::move(upstream),
                                    STOREFRONT_CALL(checkout, GetOrder),
                                    Answer<checkoutpb::Order>(out, "checkout", Code::Ok, ShopperOrderJson));
}

}  // namespace

nlohmann::json OrderJson(const checkoutpb::Order& o, bool operator_view) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : o.items()) items.push_back(LineJson(item));
  nlohmann::json timeline = nlohmann::json::array();
  for (const auto& entry : o.timeline()) {
    timeline.push_back({{"status", EnumName(checkoutpb::OrderStatus_Name(entry.status()), "ORDER_STATUS_")},
                        {"note", entry.note()},
                        {"at", TimeJson(entry.at())}});
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
      {"created_at", TimeJson(o.created_at())},
      {"updated_at", TimeJson(o.updated_at())}};
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
                       {"at", TimeJson(step.at())}});
    }
    body["saga_steps"] = steps;
  }
  return body;
}

void AddOrderRoutes(ShopRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/orders", ListOrders);
  routes.Add(Method::Get, "/api/v1/orders/:id", GetOrder);
}

}  // namespace storefront::gateway::routes::shop
