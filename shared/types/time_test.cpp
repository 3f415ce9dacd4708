#include "shared/types/time.h"

#include <gtest/gtest.h>

#include <string_view>

namespace storefront::types {
namespace {

TEST(Time, MicrosRoundTripAndDropFinerParts) {
  const Timestamp at = FromMicros(1'700'000'000'123'456);
  EXPECT_EQ(ToMicros(at), 1'700'000'000'123'456);
  EXPECT_EQ(ToMicros(at + std::chrono::nanoseconds(999)), 1'700'000'000'123'456);
  EXPECT_EQ(ToMicros(FromMicros(-1)), -1);  // before the epoch
}

TEST(Time, SqlFragmentsUseTheMicrosecondConvention) {
  constexpr std::string_view set = "SET at = " STOREFRONT_SQL_TIMESTAMP(3);
  EXPECT_EQ(set, "SET at = ('epoch'::timestamptz + $3::bigint * interval '1 microsecond')");
  constexpr std::string_view get = "SELECT " STOREFRONT_SQL_MICROS("created_at");
  EXPECT_EQ(get, "SELECT (extract(epoch FROM created_at) * 1000000)::bigint");
}

}  // namespace
}  // namespace storefront::types
