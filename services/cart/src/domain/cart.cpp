#include "domain/cart.h"

#include "shared/types/uuid.h"

namespace storefront::cart::domain {

Money Cart::Subtotal() const {
  Money subtotal{0, Currency()};
  for (const auto& item : items) subtotal.amount_minor += item.LineTotal().amount_minor;
  return subtotal;
}

int Cart::ItemCount() const {
  int count = 0;
  for (const auto& item : items) count += item.quantity;
  return count;
}

const CartItem* Cart::Find(std::string_view product_id) const {
  for (const auto& item : items) {
    if (item.product_id == product_id) return &item;
  }
  return nullptr;
}

void ValidateProductId(const std::string& product_id, Violations& violations) {
  if (!types::IsUuid(product_id)) violations.Add("product_id", "must be a product UUID");
}

void ValidateQuantity(int quantity, Violations& violations) {
  if (quantity < kMinQuantity || quantity > kMaxQuantity) violations.Add("quantity", "must be between 1 and 99");
}

}  // namespace storefront::cart::domain
