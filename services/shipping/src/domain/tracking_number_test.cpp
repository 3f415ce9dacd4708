#include "domain/tracking_number.h"

#include <gtest/gtest.h>

#include <set>

namespace storefront::shipping::domain {
namespace {

TEST(TrackingNumberTest, IsThePrefixAndTwelveDigits) {
  auto number = NewTrackingNumber("UPS", [](int count) { return std::string(static_cast<std::size_t>(count), '7'); });
  EXPECT_EQ(number, "UPS777777777777");
}

TEST(TrackingNumberTest, SecureDigitsAreDigitsAndDoNotRepeat) {
  auto random = SecureRandomDigits();
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto number = NewTrackingNumber("DHL", random);
    ASSERT_EQ(number.size(), 15u);
    EXPECT_EQ(number.find_first_not_of("0123456789", 3), std::string::npos) << number;
    EXPECT_TRUE(seen.insert(number).second) << number;
  }
}

TEST(TrackingNumberTest, AMisbehavingSourceIsCaught) {
  EXPECT_THROW(NewTrackingNumber("UPS", [](int) { return std::string("12345"); }), std::logic_error);
  EXPECT_THROW(NewTrackingNumber("UPS", [](int) { return std::string("12345678901x"); }), std::logic_error);
}

}  // namespace
}  // namespace storefront::shipping::domain
