#include "shared/types/enum_names.h"

#include <gtest/gtest.h>

namespace storefront::types {
namespace {

enum class Colour { kRed, kGreen, kBlue };
constexpr EnumNames<Colour, 2> kColourNames{{{Colour::kGreen, "green"}, {Colour::kRed, "red"}}};

TEST(EnumNamesTest, NamesAndParsesByTheTableNotByTheEnumsOrder) {
  static_assert(NameOf(kColourNames, Colour::kRed) == "red");
  EXPECT_EQ(NameOf(kColourNames, Colour::kGreen), "green");
  EXPECT_EQ(ValueOf(kColourNames, "red"), Colour::kRed);
  EXPECT_EQ(ValueOf(kColourNames, "green"), Colour::kGreen);
}

TEST(EnumNamesTest, AnUnlistedValueOrNameIsNotGuessed) {
  EXPECT_EQ(NameOf(kColourNames, Colour::kBlue), "unknown");
  EXPECT_EQ(NameOf(kColourNames, Colour::kBlue, ""), "");
  EXPECT_EQ(ValueOf(kColourNames, "blue"), std::nullopt);
  EXPECT_EQ(ValueOf(kColourNames, "Red"), std::nullopt);
}

}  // namespace
}  // namespace storefront::types
