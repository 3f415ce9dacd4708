#include "routes/shop/cart.h"

#include "http/json_fields.h"
#include "shared/types/uuid.h"

namespace storefront::gateway::routes::shop {
namespace {

namespace cartpb = storefront::cart::v1;

// What every cart route answers: the cart after the call, or the cart service's problem.
auto AnswerCart(Out out) { return Answer<cartpb::Cart>(std::move(out), "cart", Code::Ok, CartJson); }

http::Problem NotInCart() { return http::NotFound("no such product in the cart"); }

void GetCart(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  cartpb::GetCartRequest upstream;
  upstream.set_customer_id(who.account_id);
  auto cart = c.cart;
  cart->Async<cartpb::Cart>(For(request), std::move(upstream), STOREFRONT_CALL(cart, GetCart),
                               AnswerCart(out));
}

void ClearCart(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  cartpb::ClearCartRequest upstream;
  upstream.set_customer_id(who.account_id);
  auto cart = c.cart;
  cart->Async<cartpb::Cart>(For(request), std::move(upstream),
                               STOREFRONT_CALL(cart, ClearCart), AnswerCart(out));
}

void AddItem(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string product_id = body.String("product_id", 36, 36);
  auto quantity = body.Integer("quantity", 1, 99);
  if (!product_id.empty() && !types::IsUuid(product_id)) errors.push_back({"product_id", "must be a product id (UUID)"});
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  cartpb::AddItemRequest upstream;
  upstream.set_customer_id(who.account_id);
  upstream.set_product_id(product_id);
  upstream.set_quantity(static_cast<int>(quantity));
  auto cart = c.cart;
  cart->Async<cartpb::Cart>(For(request), std::move(upstream), STOREFRONT_CALL(cart, AddItem),
                               AnswerCart(out));
}

void UpdateItem(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  auto quantity = body.Integer("quantity", 1, 99);
  auto product_id = PathUuid(request, "product_id", NotInCart(), *out);
  if (!product_id) return;
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  cartpb::UpdateItemQuantityRequest upstream;
  upstream.set_customer_id(who.account_id);
  upstream.set_product_id(*product_id);
  upstream.set_quantity(static_cast<int>(quantity));
  auto cart = c.cart;
  cart->Async<cartpb::Cart>(For(request), std::move(upstream),
                               STOREFRONT_CALL(cart, UpdateItemQuantity), AnswerCart(out));
}

void RemoveItem(ShopClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  auto product_id = PathUuid(request, "product_id", NotInCart(), *out);
  if (!product_id) return;
  cartpb::RemoveItemRequest upstream;
  upstream.set_customer_id(who.account_id);
  upstream.set_product_id(*product_id);
  auto cart = c.cart;
  cart->Async<cartpb::Cart>(For(request), std::move(upstream),
                               STOREFRONT_CALL(cart, RemoveItem), AnswerCart(out));
}

}  // namespace

nlohmann::json CartJson(const cartpb::Cart& cart) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : cart.items()) items.push_back(LineJson(item));
  return {{"items", items},
          {"item_count", cart.item_count()},
          {"subtotal", cart.has_subtotal() && !cart.subtotal().currency().empty() ? MoneyJson(cart.subtotal())
                                                                                  : nlohmann::json(nullptr)}};
}

void AddCartRoutes(ShopRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/cart", GetCart);
  routes.Add(Method::Delete, "/api/v1/cart", ClearCart);
  routes.Add(Method::Post, "/api/v1/cart/items", AddItem);
  routes.Add(Method::Put, "/api/v1/cart/items/:product_id", UpdateItem);
  routes.Add(Method::Delete, "/api/v1/cart/items/:product_id", RemoveItem);
}

}  // namespace storefront::gateway::routes::shop
