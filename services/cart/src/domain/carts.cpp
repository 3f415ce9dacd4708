#include "domain/carts.h"

#include <set>
#include <stdexcept>

#include "shared/types/uuid.h"

namespace storefront::cart::domain {
namespace {

// The catalog is another process: a product it describes must still make sense as a cart line
// before it is stored, or totals could overflow or render blank.
void CheckPlausible(const CatalogProduct& product, const std::string& asked_for) {
  bool ok = types::NormalizeUuid(product.id) == asked_for && !product.sku.empty() && !product.name.empty() &&
            product.price.amount_minor >= 0 && product.price.amount_minor <= kMaxUnitPriceMinor &&
            types::IsCurrency(product.price.currency);
  // Not the caller's fault and not worth a retry: INTERNAL, with the detail in the log.
  if (!ok) throw std::runtime_error("catalog returned an implausible product for " + asked_for);
}

}  // namespace

Cart Carts::GetCart(const std::string& customer_id) {
  Violations violations;
  ValidateCustomerId(customer_id, violations);
  violations.ThrowIfAny();
  return repository_.Get(customer_id);
}

Cart Carts::AddItem(const AddItemRequest& request) {
  Violations violations;
  ValidateCustomerId(request.customer_id, violations);
  ValidateProductId(request.product_id, violations);
  ValidateQuantity(request.quantity, violations);
  violations.ThrowIfAny();
  const std::string product_id = types::NormalizeUuid(request.product_id);

  auto product = catalog_.Find(product_id, request.request_id);
  if (!product) throw NotFound("no product with id " + product_id);
  if (!product->active) throw FailedPrecondition("product " + product_id + " is no longer sold");
  CheckPlausible(*product, product_id);

  LineSnapshot line{product_id, product->sku, product->name, product->price};
  AddOutcome outcome = repository_.AddItem(request.customer_id, line, request.quantity);
  switch (outcome.result) {
    case AddResult::kAdded:
      return std::move(outcome.cart);
    case AddResult::kQuantityLimit: {
      const CartItem* existing = outcome.cart.Find(product_id);
      int held = existing ? existing->quantity : 0;
      throw FailedPrecondition("quantity: the cart holds " + std::to_string(held) + " of this product; adding " +
                               std::to_string(request.quantity) + " would exceed 99 per line");
    }
    case AddResult::kLineLimit:
      throw FailedPrecondition("the cart already holds 50 different products, the most it can");
    case AddResult::kCurrencyMismatch:
      throw FailedPrecondition("the cart is in " + outcome.cart.Currency() + " and this product is priced in " +
                               product->price.currency + "; a cart holds one currency");
  }
  throw std::logic_error("unhandled AddResult");
}

Cart Carts::UpdateItemQuantity(const std::string& customer_id, const std::string& product_id, int quantity) {
  Violations violations;
  ValidateCustomerId(customer_id, violations);
  ValidateProductId(product_id, violations);
  ValidateQuantity(quantity, violations);
  violations.ThrowIfAny();
  const std::string id = types::NormalizeUuid(product_id);
  auto cart = repository_.SetQuantity(customer_id, id, quantity);
  if (!cart) throw NotFound("product " + id + " is not in the cart");
  return std::move(*cart);
}

Cart Carts::RemoveItem(const std::string& customer_id, const std::string& product_id) {
  Violations violations;
  ValidateCustomerId(customer_id, violations);
  ValidateProductId(product_id, violations);
  violations.ThrowIfAny();
  return repository_.RemoveItem(customer_id, types::NormalizeUuid(product_id));
}

Cart Carts::ClearCart(const std::string& customer_id) {
  Violations violations;
  ValidateCustomerId(customer_id, violations);
  violations.ThrowIfAny();
  return repository_.Clear(customer_id);
}

int Carts::RemoveOrderedProducts(const std::string& customer_id, const std::vector<std::string>& product_ids,
                                 std::optional<types::Timestamp> cart_version) {
  const std::set<std::string> distinct(product_ids.begin(), product_ids.end());  // an order names each once
  return repository_.RemoveProducts(customer_id, std::vector<std::string>(distinct.begin(), distinct.end()),
                                    cart_version);
}

}  // namespace storefront::cart::domain
