#include "shared/log/log.h"

#include <gtest/gtest.h>

#include "shared/trace/context.h"

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

TEST(LogLevelTest, EnabledSaysWhetherALineOfThatLevelIsWritten) {
  Init("log-test", "warn");
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarn));
  EXPECT_TRUE(Enabled(Level::kError));
  Init("log-test", "debug");
  EXPECT_TRUE(Enabled(Level::kDebug));
  Init("log-test", "info");
  EXPECT_FALSE(Enabled(Level::kDebug));
  EXPECT_TRUE(Enabled(Level::kInfo));
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

namespace storefront::log {
namespace {

TEST(LogTraceTest, ALineWrittenForATraceNamesItsTraceAndSpan) {
  Init("catalog", "info");
  auto context = trace::ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ::testing::internal::CaptureStdout();
  {
    trace::ContextScope scope(*context);
    Info("product read", {{"sku", "HDP-1"}});
  }
  Info("nothing traced");
  std::string output = ::testing::internal::GetCapturedStdout();
  auto newline = output.find('\n');
  ASSERT_NE(newline, std::string::npos) << output;
  auto traced = nlohmann::json::parse(output.substr(0, newline));
  auto plain = nlohmann::json::parse(output.substr(newline + 1));
  EXPECT_EQ(traced["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(traced["span_id"], "00f067aa0ba902b7");
  EXPECT_EQ(traced["sku"], "HDP-1");
  EXPECT_FALSE(plain.contains("trace_id"));
}

}  // namespace
}  // namespace storefront::log
