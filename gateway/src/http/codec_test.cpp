#include "http/codec.h"

#include <gtest/gtest.h>

namespace storefront::gateway::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("wireless%20head+phones", true), "wireless head phones");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("caf%C3%A9", true), "caf\xC3\xA9");
}

TEST(PercentDecodeTest, RejectsMalformedEscapesAndNul) {
  EXPECT_FALSE(PercentDecode("%", true));
  EXPECT_FALSE(PercentDecode("%4", true));
  EXPECT_FALSE(PercentDecode("%zz", true));
  EXPECT_FALSE(PercentDecode("a%00b", true));
}

TEST(Utf8Test, AcceptsValidAndRejectsInvalid) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));  // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x28\xA1"));
}

TEST(JsonBodyTest, ParsesOrdinaryDocuments) {
  auto result = ParseJsonBody(R"({"product_id": "x", "quantity": 2, "tags": [["a"]]})");
  ASSERT_TRUE(result.value);
  EXPECT_EQ((*result.value)["quantity"], 2);
}

TEST(JsonBodyTest, RejectsDeepNestingBeforeParsing) {
  std::string deep(100000, '[');
  auto result = ParseJsonBody(deep);
  EXPECT_FALSE(result.value);
  EXPECT_NE(result.error.find("nested deeper than 32"), std::string::npos);
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseJsonBody("{\"s\": \"" + std::string(100, '[') + "\"}").value);
  // Exactly at the limit is fine.
  EXPECT_TRUE(ParseJsonBody(std::string(32, '[') + std::string(32, ']')).value);
}

TEST(JsonBodyTest, RejectsMalformedJson) {
  EXPECT_FALSE(ParseJsonBody("{\"a\": ").value);
  EXPECT_FALSE(ParseJsonBody("{} trailing").value);
}

}  // namespace
}  // namespace storefront::gateway::http
