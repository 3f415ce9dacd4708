#include "domain/page_token.h"

#include <gtest/gtest.h>

namespace storefront::shipping::domain {
namespace {

const PageToken kToken{1'800'000'000'123'456, "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"};

TEST(PageTokenTest, RoundTripsForTheSameFilter) {
  for (auto filter : {ShipmentStatus::kUnspecified, ShipmentStatus::kDispatched}) {
    auto encoded = EncodePageToken(kToken, filter);
    EXPECT_EQ(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_EQ(DecodePageToken(encoded, filter), kToken);
  }
}

TEST(PageTokenTest, IsRejectedForAnotherFilter) {
  auto encoded = EncodePageToken(kToken, ShipmentStatus::kDispatched);
  EXPECT_FALSE(DecodePageToken(encoded, ShipmentStatus::kUnspecified));
  EXPECT_FALSE(DecodePageToken(encoded, ShipmentStatus::kDelivered));
}

TEST(PageTokenTest, RejectsGarbage) {
  auto f = ShipmentStatus::kUnspecified;
  EXPECT_FALSE(DecodePageToken("", f));
  EXPECT_FALSE(DecodePageToken("not base64!!", f));
  EXPECT_FALSE(DecodePageToken("aGVsbG8", f));  // "hello"
  EXPECT_FALSE(DecodePageToken(std::string(5000, 'A'), f));
  EXPECT_FALSE(DecodePageToken(EncodePageToken({kToken.created_at_micros, "1; DROP TABLE shipments"}, f), f));
  // A well-formed record whose time is not a number: base64url of "s1|0|soon|<uuid>".
  EXPECT_FALSE(DecodePageToken("czF8MHxzb29ufDBiNmY2YTNlLThkNTItNGMxZS05YTBiLTJmMWYwYzdiOWExMQ", f));
}

}  // namespace
}  // namespace storefront::shipping::domain
