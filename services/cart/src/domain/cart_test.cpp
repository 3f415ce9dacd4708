#include "domain/cart.h"

#include <gtest/gtest.h>

#include "shared/types/uuid.h"

namespace storefront::cart::domain {
namespace {

CartItem Item(std::string id, int quantity, std::int64_t price) {
  CartItem item;
  item.product_id = std::move(id);
  item.sku = "SKU-1";
  item.name = "Thing";
  item.quantity = quantity;
  item.unit_price = {price, "USD"};
  return item;
}

TEST(CartTest, TotalsComeFromTheLines) {
  Cart cart{"alice", {Item("a", 3, 1299), Item("b", 1, 500)}, std::nullopt};
  EXPECT_EQ(cart.items[0].LineTotal(), (Money{3897, "USD"}));
  EXPECT_EQ(cart.Subtotal(), (Money{4397, "USD"}));
  EXPECT_EQ(cart.ItemCount(), 4);
  EXPECT_EQ(cart.Currency(), "USD");
  ASSERT_NE(cart.Find("b"), nullptr);
  EXPECT_EQ(cart.Find("b")->quantity, 1);
  EXPECT_EQ(cart.Find("c"), nullptr);
}

TEST(CartTest, AnEmptyCartHasNoCurrencyAndZeroTotals) {
  Cart cart{"alice", {}, std::nullopt};
  EXPECT_EQ(cart.Subtotal(), (Money{0, ""}));
  EXPECT_EQ(cart.ItemCount(), 0);
}

TEST(CartTest, TheLargestPossibleCartDoesNotOverflow) {
  Cart cart{"alice", {}, std::nullopt};
  for (std::size_t i = 0; i < kMaxLines; ++i) {
    cart.items.push_back(Item(std::to_string(i), kMaxQuantity, kMaxUnitPriceMinor));
  }
  EXPECT_EQ(cart.Subtotal().amount_minor, static_cast<std::int64_t>(kMaxLines) * kMaxQuantity * kMaxUnitPriceMinor);
}

TEST(CartTest, QuantityIsOneToNinetyNine) {
  for (int ok : {1, 50, 99}) {
    Violations v;
    ValidateQuantity(ok, v);
    EXPECT_TRUE(v.empty()) << ok;
  }
  for (int bad : {0, -1, 100, 2147483647}) {
    Violations v;
    ValidateQuantity(bad, v);
    EXPECT_FALSE(v.empty()) << bad;
  }
}

}  // namespace
}  // namespace storefront::cart::domain
