#include "fallback/last_good.h"

#include <gtest/gtest.h>

namespace storefront::gateway::fallback {
namespace {

using namespace std::chrono_literals;

TEST(LastGoodTest, ServesTheLastAnswerKeptForAKeyWithItsAge) {
  auto now = LastGood::Clock::time_point(100h);
  LastGood last_good(10, LastGood::kDefaultMaxBytes, [&] { return now; });
  EXPECT_EQ(last_good.Serve("/api/v1/products/a"), std::nullopt);
  last_good.Put("/api/v1/products/a", R"({"v":1})");
  now += 5s;
  last_good.Put("/api/v1/products/a", R"({"v":2})");
  now += 7s;
  auto copy = last_good.Serve("/api/v1/products/a");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->body, R"({"v":2})");
  EXPECT_EQ(copy->age, 7s);
  EXPECT_EQ(last_good.served_stale(), 1);
}

TEST(LastGoodTest, KeepsAtMostItsCapacityEvictingTheLeastRecentlyUsed) {
  LastGood last_good(2);
  last_good.Put("a", "1");
  last_good.Put("b", "2");
  ASSERT_TRUE(last_good.Serve("a"));  // a is now the most recently used
  last_good.Put("c", "3");
  EXPECT_EQ(last_good.size(), 2u);
  EXPECT_TRUE(last_good.Serve("a"));
  EXPECT_FALSE(last_good.Serve("b"));
  EXPECT_TRUE(last_good.Serve("c"));
}

TEST(LastGoodTest, KeepsAtMostItsBytesWhateverTheNumberOfKeys) {
  LastGood last_good(1000, /*max_bytes=*/10);
  last_good.Put("a", "1234");
  last_good.Put("b", "1234");
  last_good.Put("a", "12");  // a replaced answer counts once
  EXPECT_EQ(last_good.bytes(), 6u);
  last_good.Put("c", "12345");  // 11 bytes: the least recently used (b) goes
  EXPECT_EQ(last_good.bytes(), 7u);
  EXPECT_FALSE(last_good.Serve("b"));
  EXPECT_TRUE(last_good.Serve("a"));
  EXPECT_TRUE(last_good.Serve("c"));
  last_good.Put("d", "12345678901");  // larger than the whole budget: not kept, nothing evicted
  EXPECT_FALSE(last_good.Serve("d"));
  EXPECT_EQ(last_good.size(), 2u);
}

TEST(LastGoodTest, KeepsNothingTooLargeOrWhenDisabled) {
  LastGood last_good(2);
  last_good.Put("big", std::string(LastGood::kMaxBodyBytes + 1, 'x'));
  EXPECT_FALSE(last_good.Serve("big"));
  LastGood disabled(0);
  disabled.Put("a", "1");
  EXPECT_FALSE(disabled.Serve("a"));
}

}  // namespace
}  // namespace storefront::gateway::fallback
