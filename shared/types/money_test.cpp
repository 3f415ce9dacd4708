#include "shared/types/money.h"

#include <gtest/gtest.h>

namespace storefront::types {
namespace {

TEST(Money, CurrencyIsThreeUpperCaseLetters) {
  EXPECT_TRUE(IsCurrency("USD"));
  EXPECT_TRUE(IsCurrency("EUR"));
  EXPECT_FALSE(IsCurrency("usd"));
  EXPECT_FALSE(IsCurrency("US"));
  EXPECT_FALSE(IsCurrency("USDT"));
  EXPECT_FALSE(IsCurrency("U$D"));
  EXPECT_FALSE(IsCurrency(""));
}

TEST(Money, EqualWhenAmountAndCurrencyAre) {
  EXPECT_EQ((Money{1999, "USD"}), (Money{1999, "USD"}));
  EXPECT_NE((Money{1999, "USD"}), (Money{1999, "EUR"}));
  EXPECT_NE((Money{1999, "USD"}), (Money{2000, "USD"}));
}

TEST(Money, FormatsMinorUnitsAsTwoDecimals) {
  EXPECT_EQ(FormatMoney({1999, "USD"}), "19.99 USD");
  EXPECT_EQ(FormatMoney({5, "USD"}), "0.05 USD");
  EXPECT_EQ(FormatMoney({0, "EUR"}), "0.00 EUR");
  EXPECT_EQ(FormatMoney({-250, "USD"}), "-2.50 USD");
}

}  // namespace
}  // namespace storefront::types
