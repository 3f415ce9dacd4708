#include "shared/types/uuid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>

namespace storefront::types {
namespace {

TEST(Uuid, AcceptsEightFourFourFourTwelveHexDigitsInEitherCase) {
  EXPECT_TRUE(IsUuid("0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f"));
  EXPECT_TRUE(IsUuid("0B7C3F8E-2D1A-4C5B-9E6F-7A8B9C0D1E2F"));
}

TEST(Uuid, RejectsEverythingElse) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("0b7c3f8e2d1a4c5b9e6f7a8b9c0d1e2f"));         // no dashes
  EXPECT_FALSE(IsUuid("0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2"));       // short
  EXPECT_FALSE(IsUuid("0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2ff"));     // long
  EXPECT_FALSE(IsUuid("0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2g"));      // not hex
  EXPECT_FALSE(IsUuid("0b7c3f8e-2d1a-4c5b-9e6f_7a8b9c0d1e2f"));      // dash misplaced
  EXPECT_FALSE(IsUuid("{0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f}"));    // braces
}

TEST(Uuid, NormalizesToTheLowerCasePostgresReturns) {
  EXPECT_EQ(NormalizeUuid("0B7C3F8E-2D1A-4C5B-9E6F-7A8B9C0D1E2F"), "0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f");
}

TEST(Uuid, NewIsAVersionFourUuidInLowerCaseAndNeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id, NormalizeUuid(id));
    EXPECT_EQ(id[14], '4') << id;                              // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, FromBytesIsStableAndShapedAsVersionFour) {
  const unsigned char zeros[16] = {};
  EXPECT_EQ(UuidFromBytes(zeros), "00000000-0000-4000-8000-000000000000");
  unsigned char ones[16];
  std::fill(std::begin(ones), std::end(ones), 0xff);
  EXPECT_EQ(UuidFromBytes(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  EXPECT_EQ(UuidFromBytes(ones), UuidFromBytes(ones));
}

}  // namespace
}  // namespace storefront::types
