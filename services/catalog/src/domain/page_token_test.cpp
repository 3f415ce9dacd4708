#include "domain/page_token.h"

#include <gtest/gtest.h>

namespace storefront::catalog::domain {
namespace {

const PageToken kToken{"Harbor Wireless Headphones", "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"};

TEST(PageTokenTest, RoundTripsForTheSameFilters) {
  auto fp = FilterFingerprint("wireless", "audio", false);
  auto encoded = EncodePageToken(kToken, fp);
  EXPECT_EQ(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(DecodePageToken(encoded, fp), kToken);
}

TEST(PageTokenTest, IsRejectedForOtherFilters) {
  auto encoded = EncodePageToken(kToken, FilterFingerprint("wireless", "audio", false));
  EXPECT_FALSE(DecodePageToken(encoded, FilterFingerprint("wireless", "", false)));
  EXPECT_FALSE(DecodePageToken(encoded, FilterFingerprint("lamp", "audio", false)));
  EXPECT_FALSE(DecodePageToken(encoded, FilterFingerprint("wireless", "audio", true)));
}

TEST(PageTokenTest, RejectsGarbage) {
  auto fp = FilterFingerprint("", "", false);
  EXPECT_FALSE(DecodePageToken("", fp));
  EXPECT_FALSE(DecodePageToken("not base64!!", fp));
  EXPECT_FALSE(DecodePageToken("aGVsbG8", fp));  // "hello"
  EXPECT_FALSE(DecodePageToken(std::string(5000, 'A'), fp));
  // Well-formed record whose id is not a UUID.
  EXPECT_FALSE(DecodePageToken(EncodePageToken({"name", "1; DROP TABLE products"}, fp), fp));
}

}  // namespace
}  // namespace storefront::catalog::domain
