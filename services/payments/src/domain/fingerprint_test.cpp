#include "domain/fingerprint.h"

#include <gtest/gtest.h>

namespace storefront::payments::domain {
namespace {

TEST(FingerprintTest, IsAStableHexSha256OfLengthPrefixedFields) {
  auto a = Fingerprint().Add("ab").Add("c").Hex();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a, Fingerprint().Add("ab").Add("c").Hex());
  EXPECT_NE(a, Fingerprint().Add("a").Add("bc").Hex());
  EXPECT_NE(Fingerprint().Add(std::int64_t{100}).Hex(), Fingerprint().Add(std::int64_t{1000}).Hex());
  // SHA-256 of "0:" (one empty field): a known-answer check that this really is SHA-256.
  EXPECT_EQ(Fingerprint().Add("").Hex(), "ba768b331fd86cec803be04e56ab2b3d4c0e98ef4ee4fcd4e72ad7cce61a1d1f");
}

}  // namespace
}  // namespace storefront::payments::domain
