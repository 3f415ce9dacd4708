#include "shared/log/log.h"

#include <gtest/gtest.h>

namespace storefront::log {
namespace {

TEST(LogFormatTest, WritesOneJsonObjectWithFixedKeysFirst) {
  std::string line = Format("2026-11-29T03:00:00.000000Z", "info", "catalog", "rpc finished",
                            {{"request_id", "abc"}, {"status", 0}});
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["service"], "catalog");
  EXPECT_EQ(parsed["msg"], "rpc finished");
  EXPECT_EQ(parsed["request_id"], "abc");
  EXPECT_EQ(parsed["status"], 0);
  EXPECT_EQ(line.rfind("{\"ts\":", 0), 0u);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogFormatTest, FieldsCannotOverwriteTheFixedKeys) {
  auto parsed = nlohmann::json::parse(Format("t", "warn", "gateway", "m", {{"service", "evil"}, {"msg", "x"}}));
  EXPECT_EQ(parsed["service"], "gateway");
  EXPECT_EQ(parsed["msg"], "m");
}

TEST(LogFormatTest, InvalidUtf8IsReplacedNotThrown) {
  std::string bad = "caf\xC3";
  EXPECT_NO_THROW(nlohmann::json::parse(Format("t", "info", "s", bad, {{"path", bad}})));
}

TEST(RequestIdTest, GeneratesValidDistinctIds) {
  auto a = NewRequestId();
  auto b = NewRequestId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsValidRequestId(a));
}

TEST(RequestIdTest, RejectsHostileIds) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidRequestId("abc\r\nSet-Cookie: x"));
  EXPECT_FALSE(IsValidRequestId("a b"));
  EXPECT_TRUE(IsValidRequestId("req-1.2_3"));
}

}  // namespace
}  // namespace storefront::log
