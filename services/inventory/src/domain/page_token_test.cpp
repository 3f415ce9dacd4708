#include "domain/page_token.h"

#include <gtest/gtest.h>

namespace storefront::inventory::domain {
namespace {

constexpr const char* kProduct = "79c8c292-6b94-45b5-b498-82321e35049e";
constexpr const char* kOther = "eb7a7995-9588-432d-8242-aadbc8f429a4";

using LowStockToken = LowStockPageToken;
using LevelToken = StockLevelPageToken;
using AdjustmentToken = AdjustmentPageToken;

TEST(PageTokenTest, LowStockCursorRoundTripsAndIsUrlSafe) {
  LowStockToken token{0, kProduct};
  auto encoded = EncodePageToken(token);
  EXPECT_EQ(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(DecodePageToken<LowStockToken>(encoded), token);
  EXPECT_EQ(DecodePageToken<LowStockToken>(EncodePageToken(LowStockToken{3, kOther})), (LowStockToken{3, kOther}));
}

TEST(PageTokenTest, AdjustmentCursorIsBoundToItsProductFilter) {
  auto encoded = EncodePageToken(AdjustmentToken{42}, kProduct);
  EXPECT_EQ(DecodePageToken(encoded, kProduct), AdjustmentToken{42});
  EXPECT_FALSE(DecodePageToken(encoded, kOther));
  EXPECT_FALSE(DecodePageToken(encoded, ""));
  EXPECT_EQ(DecodePageToken(EncodePageToken(AdjustmentToken{7}, ""), ""), AdjustmentToken{7});
}

TEST(PageTokenTest, ATokenFromTheOtherListingIsRejected) {
  EXPECT_FALSE(DecodePageToken<LowStockToken>(EncodePageToken(AdjustmentToken{42}, "")));
  EXPECT_FALSE(DecodePageToken(EncodePageToken(LowStockToken{1, kProduct}), ""));
}

TEST(PageTokenTest, StockLevelCursorRoundTripsAndIsItsOwnListing) {
  EXPECT_EQ(DecodePageToken<LevelToken>(EncodePageToken(LevelToken{kProduct})), LevelToken{kProduct});
  EXPECT_FALSE(DecodePageToken<LevelToken>(EncodePageToken(LowStockToken{1, kProduct})));
  EXPECT_FALSE(DecodePageToken<LowStockToken>(EncodePageToken(LevelToken{kProduct})));
  EXPECT_FALSE(DecodePageToken<LevelToken>(EncodePageToken(LevelToken{"'; DROP TABLE stock; --"})));
  EXPECT_FALSE(DecodePageToken<LevelToken>("aGVsbG8"));
}

TEST(PageTokenTest, RejectsGarbage) {
  EXPECT_FALSE(DecodePageToken<LowStockToken>(""));
  EXPECT_FALSE(DecodePageToken<LowStockToken>("not base64!!"));
  EXPECT_FALSE(DecodePageToken<LowStockToken>("aGVsbG8"));  // "hello"
  EXPECT_FALSE(DecodePageToken<LowStockToken>(std::string(5000, 'A')));
  EXPECT_FALSE(DecodePageToken("aGVsbG8", ""));
  // Well-formed records holding values that are not what the listing walks.
  EXPECT_FALSE(DecodePageToken<LowStockToken>(EncodePageToken(LowStockToken{1, "1; DROP TABLE stock"})));
  EXPECT_FALSE(DecodePageToken(EncodePageToken(AdjustmentToken{-5}, ""), ""));
}

}  // namespace
}  // namespace storefront::inventory::domain
