#include "shared/paging/cursor.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace storefront::paging {
namespace {

using Fields = std::vector<std::string>;
constexpr std::string_view kUrlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view raw) {
  // Only for building hand-made records below; EncodeCursor is what production uses.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : raw) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) out += kAlphabet[(bits >> (count -= 6)) & 0x3f];
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3f];
  return out;
}

TEST(CursorTest, RoundTripsAndIsUrlSafe) {
  Fields fields{"Harbor Wireless Headphones", "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"};
  auto token = EncodeCursor("catalog", fields);
  EXPECT_EQ(token.find_first_not_of(kUrlSafe), std::string::npos);
  EXPECT_EQ(DecodeCursor(token, "catalog", 2), fields);
  EXPECT_EQ(DecodeCursor(EncodeCursor("k", {""}), "k", 1), Fields{""});
  EXPECT_EQ(DecodeCursor(EncodeCursor("k", {}), "k", 0), Fields{});
}

TEST(CursorTest, IsRejectedForAnotherKind) {
  auto token = EncodeCursor("orders", {"1", "2"});
  EXPECT_FALSE(DecodeCursor(token, "shipments", 2));
  EXPECT_FALSE(DecodeCursor(token, "order", 2));
  EXPECT_FALSE(DecodeCursor(token, "", 2));
}

TEST(CursorTest, IsRejectedWithAnotherFieldCount) {
  auto token = EncodeCursor("k", {"1", "2"});
  EXPECT_FALSE(DecodeCursor(token, "k", 1));
  EXPECT_FALSE(DecodeCursor(token, "k", 3));
  EXPECT_FALSE(DecodeCursor(token, "k", 0));
}

TEST(CursorTest, FieldsMayHoldAnyBytesIncludingSeparators) {
  Fields fields{"a:b", "3:xyz", std::string("\x1f|\0\n", 4), "12:"};
  auto token = EncodeCursor("k:v", fields);
  EXPECT_EQ(DecodeCursor(token, "k:v", 4), fields);
  // A field cannot smuggle in a second field or change the kind.
  EXPECT_FALSE(DecodeCursor(EncodeCursor("k", {"1:a"}), "k", 2));
  EXPECT_FALSE(DecodeCursor(EncodeCursor("k", {"1:a"}), "k", 0));
}

TEST(CursorTest, RejectsGarbage) {
  EXPECT_FALSE(DecodeCursor("", "k", 1));
  EXPECT_FALSE(DecodeCursor("not base64!!", "k", 1));
  EXPECT_FALSE(DecodeCursor("aGVsbG8", "k", 1));  // "hello"
  EXPECT_FALSE(DecodeCursor("aGVsbG8=", "k", 1));  // padding is not part of the alphabet
  // Hand-made records: wrong version, lengths that overrun, are empty, too long or not numbers.
  EXPECT_FALSE(DecodeCursor(Base64Url("c21:k1:x"), "k", 1));
  EXPECT_TRUE(DecodeCursor(Base64Url("c11:k1:x"), "k", 1));
  EXPECT_FALSE(DecodeCursor(Base64Url("c11:k9:x"), "k", 1));
  EXPECT_FALSE(DecodeCursor(Base64Url("c11:k:x"), "k", 1));
  EXPECT_FALSE(DecodeCursor(Base64Url("c11:k-1:x"), "k", 1));
  EXPECT_FALSE(DecodeCursor(Base64Url("c11:k00001:x"), "k", 1));
  EXPECT_FALSE(DecodeCursor(Base64Url("c11:k1:x1"), "k", 1));
  EXPECT_FALSE(DecodeCursor(Base64Url("c11:k"), "k", 1));
}

TEST(CursorTest, RejectsOversizedTokensBeforeDecoding) {
  EXPECT_FALSE(DecodeCursor(std::string(kMaxCursorLength + 1, 'A'), "k", 1));
  EXPECT_FALSE(DecodeCursor(std::string(5000, 'A'), "k", 1));
  // A legitimate token just over the limit is rejected too.
  auto token = EncodeCursor("k", {std::string(kMaxCursorLength, 'x')});
  ASSERT_GT(token.size(), kMaxCursorLength);
  EXPECT_FALSE(DecodeCursor(token, "k", 1));
}

TEST(CursorTest, FingerprintSeparatesItsParts) {
  auto fp = Fingerprint({"wireless", "audio", "0"});
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(fp, Fingerprint({"wireless", "audio", "0"}));
  EXPECT_NE(fp, Fingerprint({"wireless", "audio", "1"}));
  EXPECT_NE(Fingerprint({"ab", ""}), Fingerprint({"a", "b"}));
  EXPECT_NE(Fingerprint({"", ""}), Fingerprint({""}));
}

TEST(IntegerFieldTest, TheWholeTextAsAnIntegerOrNothing) {
  EXPECT_EQ(IntegerField<int>("42"), 42);
  EXPECT_EQ(IntegerField<int>("-7"), -7);
  EXPECT_EQ(IntegerField<std::int64_t>("1900000000000000"), 1'900'000'000'000'000);
  EXPECT_EQ(IntegerField<int>(""), std::nullopt);
  EXPECT_EQ(IntegerField<int>("42x"), std::nullopt);
  EXPECT_EQ(IntegerField<int>(" 42"), std::nullopt);
  EXPECT_EQ(IntegerField<int>("+42"), std::nullopt);
  EXPECT_EQ(IntegerField<int>("99999999999"), std::nullopt);  // overflows an int
}

}  // namespace
}  // namespace storefront::paging
