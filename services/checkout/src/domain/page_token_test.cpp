#include "domain/page_token.h"

#include <gtest/gtest.h>

#include "shared/paging/cursor.h"

namespace storefront::checkout::domain {
namespace {

const PageToken kToken{types::FromMicros(1'800'000'000'123'456), "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"};

TEST(PageTokenTest, RoundTripsToTheMicrosecond) {
  auto encoded = EncodePageToken(kToken);
  EXPECT_EQ(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(DecodePageToken(encoded), kToken);
}

TEST(PageTokenTest, RejectsGarbageAndOtherListsCursors) {
  EXPECT_FALSE(DecodePageToken(""));
  EXPECT_FALSE(DecodePageToken("not base64!!"));
  EXPECT_FALSE(DecodePageToken(std::string(5000, 'A')));
  // Another listing's cursor with the same fields.
  EXPECT_FALSE(DecodePageToken(paging::EncodeCursor("products", {"1800000000123456", kToken.id})));
  // Well-formed records whose fields are not a time and an id.
  EXPECT_FALSE(DecodePageToken(paging::EncodeCursor("orders", {"yesterday", kToken.id})));
  EXPECT_FALSE(DecodePageToken(paging::EncodeCursor("orders", {"12x", kToken.id})));
  EXPECT_FALSE(DecodePageToken(paging::EncodeCursor("orders", {"1800000000123456", "1; DROP TABLE orders"})));
}

}  // namespace
}  // namespace storefront::checkout::domain
