#include "shared/types/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace storefront::types {
namespace {

template <typename Fn>
std::vector<std::string> FieldsOf(Fn validate) {
  Violations v;
  validate(v);
  return v.fields();
}

TEST(TextTest, ControlCharactersAreC0AndDelUnlessAllowed) {
  EXPECT_FALSE(HasControlCharacters("caf\xC3\xA9 5 \xE2\x82\xAC"));
  EXPECT_TRUE(HasControlCharacters(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlCharacters("a\x7f"));
  EXPECT_TRUE(HasControlCharacters("a\nb"));
  EXPECT_FALSE(HasControlCharacters("a\nb\tc", "\n\t"));
  EXPECT_TRUE(HasControlCharacters("a\rb", "\n\t"));
}

TEST(TextTest, RequiredTextIsOneToMaxCharactersNotOnlySpaces) {
  auto fields = [](const std::string& text) { return FieldsOf([&](Violations& v) { RequiredText(text, 5, "f", v); }); };
  EXPECT_TRUE(fields("abcde").empty());
  EXPECT_TRUE(fields(" a ").empty());
  for (const std::string& bad : {std::string(), std::string("   "), std::string("abcdef"), std::string("a\tb")}) {
    EXPECT_EQ(fields(bad), (std::vector<std::string>{"f"})) << bad;
  }
}

TEST(TextTest, OptionalTextMayBeEmpty) {
  auto fields = [](const std::string& text) { return FieldsOf([&](Violations& v) { OptionalText(text, 5, "f", v); }); };
  EXPECT_TRUE(fields("").empty());
  EXPECT_TRUE(fields("abcde").empty());
  EXPECT_EQ(fields("abcdef"), (std::vector<std::string>{"f"}));
  EXPECT_EQ(fields("a\nb"), (std::vector<std::string>{"f"}));
}

TEST(TextTest, ASkuIsThreeTo32UpperCaseLettersDigitsAndDashes) {
  EXPECT_TRUE(IsSku("AUD-HP-0001"));
  EXPECT_TRUE(IsSku("A-1"));
  EXPECT_TRUE(IsSku(std::string(32, 'X')));
  for (const std::string& bad : {std::string("AB"), std::string(33, 'X'), std::string("aud-hp-0001"),
                                 std::string("AUD HP"), std::string("AUD_HP")}) {
    EXPECT_FALSE(IsSku(bad)) << bad;
  }
}

TEST(TextTest, ACustomerIdIsOneTo64LettersDigitsDashesAndUnderscores) {
  auto fields = [](const std::string& id) { return FieldsOf([&](Violations& v) { ValidateCustomerId(id, v); }); };
  EXPECT_TRUE(fields("cus_42").empty());
  EXPECT_TRUE(fields("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11").empty());
  EXPECT_TRUE(fields("Customer_42-x").empty());
  EXPECT_TRUE(fields(std::string(64, 'c')).empty());
  for (const std::string& bad : {std::string(), std::string(65, 'c'), std::string("a b"), std::string("a\tb"),
                                 std::string("alice@example.com"), std::string("al\0ice", 6), std::string("caf\xc3\xa9")}) {
    EXPECT_EQ(fields(bad), (std::vector<std::string>{"customer_id"})) << bad;
  }
}

}  // namespace
}  // namespace storefront::types
