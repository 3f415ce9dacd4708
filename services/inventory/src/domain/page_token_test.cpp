#include "domain/page_token.h"

#include <gtest/gtest.h>

namespace storefront::inventory::domain {
namespace {

constexpr const char* kProduct = "79c8c292-6b94-45b5-b498-82321e35049e";
constexpr const char* kOther = "eb7a7995-9588-432d-8242-aadbc8f429a4";

TEST(PageTokenTest, LowStockCursorRoundTripsAndIsUrlSafe) {
  LowStockCursor cursor{0, kProduct};
  auto token = EncodeLowStockCursor(cursor);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(DecodeLowStockCursor(token), cursor);
  EXPECT_EQ(DecodeLowStockCursor(EncodeLowStockCursor({3, kOther})), (LowStockCursor{3, kOther}));
}

TEST(PageTokenTest, AdjustmentCursorIsBoundToItsProductFilter) {
  auto token = EncodeAdjustmentCursor(42, kProduct);
  EXPECT_EQ(DecodeAdjustmentCursor(token, kProduct), std::optional<std::int64_t>(42));
  EXPECT_FALSE(DecodeAdjustmentCursor(token, kOther));
  EXPECT_FALSE(DecodeAdjustmentCursor(token, ""));
  EXPECT_EQ(DecodeAdjustmentCursor(EncodeAdjustmentCursor(7, ""), ""), std::optional<std::int64_t>(7));
}

TEST(PageTokenTest, ATokenFromTheOtherListingIsRejected) {
  EXPECT_FALSE(DecodeLowStockCursor(EncodeAdjustmentCursor(42, "")));
  EXPECT_FALSE(DecodeAdjustmentCursor(EncodeLowStockCursor({1, kProduct}), ""));
}

TEST(PageTokenTest, StockLevelCursorRoundTripsAndIsItsOwnListing) {
  EXPECT_EQ(DecodeStockLevelCursor(EncodeStockLevelCursor(kProduct)), std::optional<std::string>(kProduct));
  EXPECT_FALSE(DecodeStockLevelCursor(EncodeLowStockCursor({1, kProduct})));
  EXPECT_FALSE(DecodeLowStockCursor(EncodeStockLevelCursor(kProduct)));
  EXPECT_FALSE(DecodeStockLevelCursor(EncodeStockLevelCursor("'; DROP TABLE stock; --")));
  EXPECT_FALSE(DecodeStockLevelCursor("aGVsbG8"));
}

TEST(PageTokenTest, RejectsGarbage) {
  EXPECT_FALSE(DecodeLowStockCursor(""));
  EXPECT_FALSE(DecodeLowStockCursor("not base64!!"));
  EXPECT_FALSE(DecodeLowStockCursor("aGVsbG8"));  // "hello"
  EXPECT_FALSE(DecodeLowStockCursor(std::string(5000, 'A')));
  EXPECT_FALSE(DecodeAdjustmentCursor("aGVsbG8", ""));
  // Well-formed records holding values that are not what the listing walks.
  EXPECT_FALSE(DecodeLowStockCursor(EncodeLowStockCursor({1, "1; DROP TABLE stock"})));
  EXPECT_FALSE(DecodeAdjustmentCursor(EncodeAdjustmentCursor(-5, ""), ""));
}

}  // namespace
}  // namespace storefront::inventory::domain
