#include "domain/card.h"

#include <gtest/gtest.h>

namespace storefront::payments::domain {
namespace {

using namespace std::chrono;

Timestamp At(int year, unsigned month, unsigned day) {
  return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
}

std::string MessageOf(const Card& card) {
  Violations violations;
  Validate(card, violations);
  try {
    violations.ThrowIfAny();
  } catch (const InvalidArgument& error) {
    return error.what();
  }
  return "";
}

TEST(CardNumberTest, SpacesAndDashesAreAcceptedBetweenDigits) {
  EXPECT_EQ(NormalizeCardNumber("4242 4242 4242 4242"), "4242424242424242");
  EXPECT_EQ(NormalizeCardNumber("4242-4242-4242-4242"), "4242424242424242");
  EXPECT_EQ(NormalizeCardNumber("4242424242424242"), "4242424242424242");
}

TEST(CardNumberTest, OnlyTwelveToNineteenDigitsAreANumber) {
  EXPECT_EQ(NormalizeCardNumber(std::string(11, '4')), std::nullopt);
  EXPECT_TRUE(NormalizeCardNumber(std::string(12, '4')));
  EXPECT_TRUE(NormalizeCardNumber(std::string(19, '4')));
  EXPECT_EQ(NormalizeCardNumber(std::string(20, '4')), std::nullopt);
  EXPECT_EQ(NormalizeCardNumber(""), std::nullopt);
  EXPECT_EQ(NormalizeCardNumber("4242.4242.4242.4242"), std::nullopt);
  EXPECT_EQ(NormalizeCardNumber("4242424242424242x"), std::nullopt);
  EXPECT_EQ(NormalizeCardNumber(std::string(10000, '4')), std::nullopt);
}

TEST(LuhnTest, AcceptsRealAndTestNumbersAndCatchesTypos) {
  for (const char* good : {"4242424242424242", "4000000000000002", "4000000000009995", "4000000000000119",
                           "5555555555554444", "378282246310005", "6011111111111117", "2223003122003222"}) {
    EXPECT_TRUE(PassesLuhn(good)) << good;
  }
  EXPECT_FALSE(PassesLuhn("4242424242424241"));  // last digit wrong
  EXPECT_FALSE(PassesLuhn("2424242424242424"));  // digits swapped
  EXPECT_FALSE(PassesLuhn(""));
  EXPECT_FALSE(PassesLuhn("42424242424242a2"));
}

TEST(BrandTest, ComesFromThePrefix) {
  EXPECT_EQ(BrandOf("4242424242424242"), CardBrand::kVisa);
  EXPECT_EQ(BrandOf("5105105105105100"), CardBrand::kMastercard);
  EXPECT_EQ(BrandOf("5555555555554444"), CardBrand::kMastercard);
  EXPECT_EQ(BrandOf("2221000000000009"), CardBrand::kMastercard);
  EXPECT_EQ(BrandOf("2720990000000007"), CardBrand::kMastercard);
  EXPECT_EQ(BrandOf("2220990000000000"), CardBrand::kUnknown);
  EXPECT_EQ(BrandOf("2721000000000000"), CardBrand::kUnknown);
  EXPECT_EQ(BrandOf("5000000000000000"), CardBrand::kUnknown);
  EXPECT_EQ(BrandOf("5600000000000000"), CardBrand::kUnknown);
  EXPECT_EQ(BrandOf("378282246310005"), CardBrand::kAmex);
  EXPECT_EQ(BrandOf("341111111111111"), CardBrand::kAmex);
  EXPECT_EQ(BrandOf("6011111111111117"), CardBrand::kDiscover);
  EXPECT_EQ(BrandOf("6500000000000002"), CardBrand::kDiscover);
  EXPECT_EQ(BrandOf("6200000000000005"), CardBrand::kUnknown);
  EXPECT_EQ(BrandOf("3530111333300000"), CardBrand::kUnknown);
}

TEST(ExpiryTest, ACardIsGoodThroughItsExpiryMonth) {
  EXPECT_FALSE(IsExpired(3, 2027, At(2027, 3, 31)));
  EXPECT_TRUE(IsExpired(3, 2027, At(2027, 4, 1)));
  EXPECT_TRUE(IsExpired(12, 2026, At(2027, 1, 1)));
  EXPECT_FALSE(IsExpired(1, 2028, At(2027, 12, 31)));
  EXPECT_TRUE(IsExpired(12, 1999, At(2027, 1, 1)));
}

TEST(CardValidationTest, NamesEveryBadFieldAndNeverQuotesTheCard) {
  Card card{"4242 4242 4242 4241", 13, 27, "12a"};
  std::string message = MessageOf(card);
  EXPECT_NE(message.find("card.number: is not a valid card number"), std::string::npos) << message;
  EXPECT_NE(message.find("card.exp_month: must be between 1 and 12"), std::string::npos);
  EXPECT_NE(message.find("card.exp_year: must be a four-digit year"), std::string::npos);
  EXPECT_NE(message.find("card.cvc: must be 3 or 4 digits"), std::string::npos);
  EXPECT_EQ(message.find("4242"), std::string::npos);
  EXPECT_EQ(message.find("4241"), std::string::npos);
  EXPECT_EQ(message.find("12a"), std::string::npos);

  EXPECT_NE(MessageOf({"4242", 1, 2030, "123"}).find("card.number: must be 12 to 19 digits"), std::string::npos);
  EXPECT_EQ(MessageOf({"4242 4242 4242 4242", 1, 2030, "123"}), "");
  EXPECT_EQ(MessageOf({"3782-822463-10005", 1, 2030, "1234"}), "");
  EXPECT_NE(MessageOf({"4242424242424242", 1, 2030, "12345"}), "");
  EXPECT_NE(MessageOf({"4242424242424242", 0, 2030, "123"}), "");
  EXPECT_NE(MessageOf({"4242424242424242", 1, 0, "123"}), "");
}

}  // namespace
}  // namespace storefront::payments::domain
