#include "shared/types/proto.h"

#include <gtest/gtest.h>

namespace storefront::types {
namespace {

TEST(Proto, MoneyAndAddressRoundTrip) {
  storefront::common::v1::Money money;
  ToProto(Money{1999, "USD"}, &money);
  EXPECT_EQ(money.amount_minor(), 1999);
  EXPECT_EQ(money.currency(), "USD");
  EXPECT_EQ(FromProto(money), (Money{1999, "USD"}));

  const Address address{"Ada", "1 Main St", "Apt 2", "Springfield", "IL", "62701", "US"};
  storefront::common::v1::Address message;
  ToProto(address, &message);
  EXPECT_EQ(message.line2(), "Apt 2");
  EXPECT_EQ(FromProto(message), address);
}

TEST(Proto, TimestampRoundTripsInMicroseconds) {
  const Timestamp at = FromMicros(1'700'000'000'123'456);
  const auto message = ToProto(at);
  EXPECT_EQ(message.seconds(), 1'700'000'000);
  EXPECT_EQ(message.nanos(), 123'456'000);
  EXPECT_EQ(FromProto(message), at);
}

// system_clock counts nanoseconds in 64 bits: 1677 to 2262. A valid RFC 3339 time outside that
// would overflow (the sales report fuzzed with year 564 ran on a range nobody asked for).
TEST(Proto, TimestampOutsideWhatATimestampHoldsIsRefused) {
  google::protobuf::Timestamp at;
  at.set_seconds(-44'233'920'000);  // 0568-01-01, valid RFC 3339
  EXPECT_EQ(FromProto(at), std::nullopt);
  at.set_seconds(24'524'000'000);  // 2747, valid RFC 3339
  EXPECT_EQ(FromProto(at), std::nullopt);
  at.set_seconds(9'000'000'000);  // 2255: held
  ASSERT_TRUE(FromProto(at));
  EXPECT_EQ(ToMicros(*FromProto(at)), 9'000'000'000'000'000);
  at.set_seconds(-9'000'000'000);  // 1684: held
  ASSERT_TRUE(FromProto(at));
  EXPECT_EQ(ToMicros(*FromProto(at)), -9'000'000'000'000'000);
}

TEST(Proto, TimestampOutsideRfc3339OrWithBadNanosIsRefused) {
  google::protobuf::Timestamp at;
  at.set_seconds(253402300800);  // 10000-01-01
  EXPECT_EQ(FromProto(at), std::nullopt);
  at.set_seconds(-62135596801);  // just before 0001-01-01
  EXPECT_EQ(FromProto(at), std::nullopt);
  at.set_seconds(0);
  at.set_nanos(-1);
  EXPECT_EQ(FromProto(at), std::nullopt);
  at.set_nanos(1'000'000'000);
  EXPECT_EQ(FromProto(at), std::nullopt);
}

}  // namespace
}  // namespace storefront::types
